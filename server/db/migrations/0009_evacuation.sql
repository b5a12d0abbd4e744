-- Flood evacuation: zone status workflow with history, at-risk figures (given or estimated by
-- area share), progress reports, shelters, team assignments and rescue requests.
-- Workflow and estimate rules: server/evacuation/status.ts and estimate.ts.

alter table evacuation_zones
  add constraint evacuation_zones_status_check
    check (status in ('normal', 'watch', 'warning', 'evacuate_now', 'evacuating', 'evacuated', 'all_clear')),
  add column elderly             integer check (elderly >= 0),
  add column disabled            integer check (disabled >= 0),
  add column children            integer check (children >= 0),
  -- Fields filled by the area-share estimate (empty: every figure was given).
  add column estimated_fields    text[] not null default '{}',
  add column status_changed_at   timestamptz not null default now(),
  -- Time of the latest move to evacuate_now.
  add column evacuate_ordered_at timestamptz,
  -- Incremented by each move to evacuate_now: progress counts only reports of the current round,
  -- so a zone that went back to normal starts its next evacuation at zero moved.
  add column round               integer not null default 0,
  add column created_at          timestamptz not null default now();
alter table evacuation_zones add constraint evacuation_zones_households_check check (households >= 0);
alter table evacuation_zones add constraint evacuation_zones_population_check check (population >= 0);
create index evacuation_zones_commune_idx on evacuation_zones (commune_code);

alter table shelters
  add column over_capacity_reason text,
  add column updated_at           timestamptz not null default now();
create index shelters_geom_idx on shelters using gist (geom);
create index shelters_commune_idx on shelters (commune_code);

create table evacuation_zone_events (
  id            bigserial primary key,
  zone_id       bigint not null references evacuation_zones (id) on delete cascade,
  province_code text not null,
  commune_code  text not null,
  at            timestamptz not null default clock_timestamp(),
  user_id       bigint,
  username      text,
  from_status   text,
  to_status     text not null,
  note          text
);
create index evacuation_zone_events_zone_idx on evacuation_zone_events (zone_id, id);

create table evacuation_progress (
  id            bigserial primary key,
  zone_id       bigint not null references evacuation_zones (id) on delete cascade,
  province_code text not null,
  commune_code  text not null,
  round         integer not null,
  team_id       bigint references teams (id) on delete set null,
  shelter_id    bigint references shelters (id) on delete set null,
  households    integer not null check (households >= 0),
  people        integer not null check (people >= 0),
  elderly       integer not null default 0 check (elderly >= 0),
  disabled      integer not null default 0 check (disabled >= 0),
  children      integer not null default 0 check (children >= 0),
  reported_at   timestamptz not null default now(),
  created_at    timestamptz not null default clock_timestamp(),
  user_id       bigint,
  username      text,
  -- Moved into a shelter beyond its capacity, accepted with force and a reason.
  over_capacity boolean not null default false,
  force_reason  text,
  is_generated  boolean not null default false
);
create index evacuation_progress_zone_idx on evacuation_progress (zone_id, round);
create index evacuation_progress_province_time_idx on evacuation_progress (province_code, reported_at);

create table evacuation_zone_teams (
  zone_id       bigint not null references evacuation_zones (id) on delete cascade,
  team_id       bigint not null references teams (id) on delete cascade,
  province_code text not null,
  commune_code  text not null,
  assigned_at   timestamptz not null default now(),
  primary key (zone_id, team_id)
);
create index evacuation_zone_teams_team_idx on evacuation_zone_teams (team_id);

create table rescue_requests (
  incident_id   bigint primary key references incidents (id) on delete cascade,
  zone_id       bigint not null references evacuation_zones (id) on delete cascade,
  province_code text not null,
  commune_code  text not null,
  people        integer not null check (people >= 1),
  urgency       text not null check (urgency in ('low', 'high', 'critical')),
  created_at    timestamptz not null default now()
);
create index rescue_requests_zone_idx on rescue_requests (zone_id);

grant select, insert on evacuation_zone_events to vnpm_app;
grant select, insert on evacuation_progress to vnpm_app;
grant select, insert, update, delete on evacuation_zone_teams, rescue_requests to vnpm_app;
grant usage on all sequences in schema public to vnpm_app;

alter table evacuation_zone_events enable row level security;
create policy evacuation_zone_events_read on evacuation_zone_events for select using (app_scope_covers(province_code, commune_code));
create policy evacuation_zone_events_append on evacuation_zone_events for insert with check (app_scope_covers(province_code, commune_code) and app_role_may('evacuation:write'));

alter table evacuation_progress enable row level security;
create policy evacuation_progress_read on evacuation_progress for select using (app_scope_covers(province_code, commune_code));
create policy evacuation_progress_append on evacuation_progress for insert with check (app_scope_covers(province_code, commune_code) and app_role_may('evacuation:write'));

alter table evacuation_zone_teams enable row level security;
create policy evacuation_zone_teams_read on evacuation_zone_teams for select using (app_scope_covers(province_code, commune_code));
create policy evacuation_zone_teams_write on evacuation_zone_teams for all using (app_scope_covers(province_code, commune_code) and app_role_may('evacuation:write'))
  with check (app_scope_covers(province_code, commune_code) and app_role_may('evacuation:write'));

alter table rescue_requests enable row level security;
create policy rescue_requests_read on rescue_requests for select using (app_scope_covers(province_code, commune_code));
create policy rescue_requests_write on rescue_requests for all using (app_scope_covers(province_code, commune_code) and app_role_may('evacuation:write'))
  with check (app_scope_covers(province_code, commune_code) and app_role_may('evacuation:write'));

-- A rescue request becomes a `rescue` incident. Disaster coordinators may not write incidents in
-- general (app_role_may('incidents:write') is false for them), but they may create rescue
-- incidents, with their first history row, inside their jurisdiction. Permissive policies add up
-- (OR), so the incident policies of 0005 and 0007 stay as they are.
create policy incidents_insert_rescue on incidents for insert
  with check (category = 'rescue' and app_scope_covers(province_code, commune_code) and app_role_may('evacuation:write'));
create policy incident_events_append_rescue on incident_events for insert
  with check (app_scope_covers(province_code, commune_code) and app_role_may('evacuation:write')
              and from_status is null and to_status = 'reported'
              and exists (select 1 from incidents i where i.id = incident_id and i.category = 'rescue'));
