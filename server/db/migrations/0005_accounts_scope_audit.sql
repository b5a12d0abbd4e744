-- Accounts, sessions, jurisdiction scoping by row-level security, and the audit trail.
--
-- The server runs every request's queries inside a transaction that first sets
--   app.scope    = 'national' | 'province' | 'commune'
--   app.province = province code, app.commune = commune code, app.role, app.user_id
-- and then `set local role vnpm_app`. vnpm_app owns nothing, so row-level security applies to
-- it: a query that forgets a filter still sees only the user's jurisdiction, and a query run
-- without the settings sees nothing.

create table users (
  id                  bigserial primary key,
  username            text not null unique check (username ~ '^[a-z0-9][a-z0-9._-]{2,39}$'),
  full_name           text not null,
  role                text not null check (role in ('admin', 'province_command', 'commune_police', 'team_member', 'disaster_coordinator')),
  province_code       text references provinces (code),
  commune_code        text references communes (code),
  team_id             bigint references teams (id),
  password_hash       text not null,
  failed_logins       integer not null default 0,
  locked_until        timestamptz,
  is_demo             boolean not null default false,
  created_at          timestamptz not null default now(),
  password_changed_at timestamptz not null default now(),
  -- Each role has exactly the jurisdiction it needs.
  check (case role
    when 'admin' then province_code is null and commune_code is null and team_id is null
    when 'province_command' then province_code is not null and commune_code is null and team_id is null
    when 'commune_police' then commune_code is not null and team_id is null
    when 'team_member' then team_id is not null and commune_code is not null
    when 'disaster_coordinator' then (province_code is not null or commune_code is not null) and team_id is null
  end)
);

create table sessions (
  token_hash   bytea primary key,          -- sha256 of the token; the token itself is never stored
  user_id      bigint not null references users (id) on delete cascade,
  kind         text not null check (kind in ('cookie', 'bearer')),
  created_at   timestamptz not null default now(),
  expires_at   timestamptz not null,
  last_seen_at timestamptz not null default now()
);
create index sessions_user_idx on sessions (user_id);

create table audit_log (
  id             bigserial primary key,
  at             timestamptz not null default clock_timestamp(),
  user_id        bigint,
  username       text,
  role           text,
  action         text not null,            -- e.g. incident.create, user.password_change, auth.login
  entity         text not null,            -- e.g. incident, user, session
  entity_id      text,
  province_code  text,
  commune_code   text,
  before         jsonb,
  after          jsonb,
  request_id     text,
  client_address text
);
create index audit_log_province_at_idx on audit_log (province_code, at);

-- Tables without a commune column get one, so every jurisdiction table can be scoped the same way.
alter table team_members add column commune_code text;
update team_members m set commune_code = t.commune_code from teams t where t.id = m.team_id;
alter table team_members alter column commune_code set not null;
alter table patrol_cells add column commune_code text not null;

-- The application role. Roles are per cluster, so create it only once.
do $$ begin
  if not exists (select from pg_roles where rolname = 'vnpm_app') then create role vnpm_app nologin; end if;
end $$;
grant vnpm_app to current_user;
grant usage on schema public to vnpm_app;
grant select on provinces, communes, commune_parts, schema_migrations to vnpm_app;
grant select, insert, update, delete on incidents, teams, team_members, patrols, patrol_cells, evacuation_zones, shelters to vnpm_app;
grant select on incident_cell_daily to vnpm_app;
-- Append-only: the application may add audit rows and read them, never change or remove them.
grant select, insert on audit_log to vnpm_app;
grant usage on all sequences in schema public to vnpm_app;
-- users and sessions are not granted at all: scoped queries cannot read password hashes.

-- The rollup is written by the trigger with the owner's rights: a user who may write an incident
-- may move its counts, whatever the rollup's own policies say.
alter function incident_rollup_trigger() security definer set search_path = public;

-- Does the current request's jurisdiction cover a row of this province and commune?
create or replace function app_scope_covers(p_province text, p_commune text) returns boolean
language sql stable parallel safe as $$
  select case current_setting('app.scope', true)
    when 'national' then true
    when 'province' then p_province = current_setting('app.province', true)
    when 'commune' then p_commune = current_setting('app.commune', true)
    else false
  end
$$;

-- May the current request's role write this kind of data?
create or replace function app_role_may(capability text) returns boolean
language sql stable parallel safe as $$
  select case capability
    when 'incidents:write' then current_setting('app.role', true) in ('admin', 'province_command', 'commune_police', 'team_member')
    when 'teams:write' then current_setting('app.role', true) in ('admin', 'province_command', 'commune_police')
    when 'patrols:write' then current_setting('app.role', true) in ('admin', 'province_command', 'commune_police', 'team_member')
    when 'evacuation:write' then current_setting('app.role', true) in ('admin', 'province_command', 'disaster_coordinator')
    when 'audit:read' then current_setting('app.role', true) in ('admin', 'province_command')
    else false
  end
$$;

alter table incidents enable row level security;
create policy incidents_read on incidents for select using (app_scope_covers(province_code, commune_code));
create policy incidents_insert on incidents for insert with check (app_scope_covers(province_code, commune_code) and app_role_may('incidents:write'));
create policy incidents_update on incidents for update using (app_scope_covers(province_code, commune_code) and app_role_may('incidents:write'))
  with check (app_scope_covers(province_code, commune_code));
create policy incidents_delete on incidents for delete using (app_scope_covers(province_code, commune_code) and current_setting('app.role', true) = 'admin');

alter table incident_cell_daily enable row level security;
create policy incident_cell_daily_read on incident_cell_daily for select using (app_scope_covers(province_code, commune_code));

alter table teams enable row level security;
create policy teams_read on teams for select using (app_scope_covers(province_code, commune_code));
create policy teams_write on teams for all using (app_scope_covers(province_code, commune_code) and app_role_may('teams:write'))
  with check (app_scope_covers(province_code, commune_code) and app_role_may('teams:write'));

alter table team_members enable row level security;
create policy team_members_read on team_members for select using (app_scope_covers(province_code, commune_code));
create policy team_members_write on team_members for all using (app_scope_covers(province_code, commune_code) and app_role_may('teams:write'))
  with check (app_scope_covers(province_code, commune_code) and app_role_may('teams:write'));

alter table patrols enable row level security;
create policy patrols_read on patrols for select using (app_scope_covers(province_code, commune_code));
create policy patrols_write on patrols for all using (app_scope_covers(province_code, commune_code) and app_role_may('patrols:write'))
  with check (app_scope_covers(province_code, commune_code) and app_role_may('patrols:write'));

alter table patrol_cells enable row level security;
create policy patrol_cells_read on patrol_cells for select using (app_scope_covers(province_code, commune_code));
create policy patrol_cells_write on patrol_cells for all using (app_scope_covers(province_code, commune_code) and app_role_may('patrols:write'))
  with check (app_scope_covers(province_code, commune_code) and app_role_may('patrols:write'));

alter table evacuation_zones enable row level security;
create policy evacuation_zones_read on evacuation_zones for select using (app_scope_covers(province_code, commune_code));
create policy evacuation_zones_write on evacuation_zones for all using (app_scope_covers(province_code, commune_code) and app_role_may('evacuation:write'))
  with check (app_scope_covers(province_code, commune_code) and app_role_may('evacuation:write'));

alter table shelters enable row level security;
create policy shelters_read on shelters for select using (app_scope_covers(province_code, commune_code));
create policy shelters_write on shelters for all using (app_scope_covers(province_code, commune_code) and app_role_may('evacuation:write'))
  with check (app_scope_covers(province_code, commune_code) and app_role_may('evacuation:write'));

alter table audit_log enable row level security;
create policy audit_log_read on audit_log for select using (app_scope_covers(province_code, commune_code) and app_role_may('audit:read'));
create policy audit_log_append on audit_log for insert with check (true);
