-- Incident lifecycle: reported → dispatched → on_scene → resolved → closed (cancelled from any
-- open state), the time of each step, the team sent, an append-only history, and the details
-- that fire and rescue events carry.

alter table incidents
  add column team_id       bigint references teams (id),
  add column dispatched_at timestamptz,
  add column on_scene_at   timestamptz,
  add column resolved_at   timestamptz,
  add column closed_at     timestamptz,
  add column cancelled_at  timestamptz;

-- Generated history is implied by the generated status; real incidents get rows from the API.
create table incident_events (
  id            bigserial primary key,
  incident_id   bigint not null references incidents (id) on delete cascade,
  province_code text not null,
  commune_code  text not null,
  at            timestamptz not null default clock_timestamp(),
  user_id       bigint,
  username      text,
  from_status   text,
  to_status     text not null,
  team_id       bigint,
  note          text
);
create index incident_events_incident_idx on incident_events (incident_id, id);

create table fire_details (
  incident_id     bigint primary key references incidents (id) on delete cascade,
  province_code   text not null,
  commune_code    text not null,
  cause           text,
  area_m2         double precision check (area_m2 >= 0),
  people_injured  integer check (people_injured >= 0)
);

create table rescue_details (
  incident_id     bigint primary key references incidents (id) on delete cascade,
  province_code   text not null,
  commune_code    text not null,
  people_rescued  integer check (people_rescued >= 0),
  people_missing  integer check (people_missing >= 0)
);

-- History is append-only for the application, like the audit log.
grant select, insert on incident_events to vnpm_app;
grant select, insert, update on fire_details, rescue_details to vnpm_app;
grant usage on all sequences in schema public to vnpm_app;

alter table incident_events enable row level security;
create policy incident_events_read on incident_events for select using (app_scope_covers(province_code, commune_code));
create policy incident_events_append on incident_events for insert with check (app_scope_covers(province_code, commune_code) and app_role_may('incidents:write'));

alter table fire_details enable row level security;
create policy fire_details_read on fire_details for select using (app_scope_covers(province_code, commune_code));
create policy fire_details_write on fire_details for all using (app_scope_covers(province_code, commune_code) and app_role_may('incidents:write'))
  with check (app_scope_covers(province_code, commune_code) and app_role_may('incidents:write'));

alter table rescue_details enable row level security;
create policy rescue_details_read on rescue_details for select using (app_scope_covers(province_code, commune_code));
create policy rescue_details_write on rescue_details for all using (app_scope_covers(province_code, commune_code) and app_role_may('incidents:write'))
  with check (app_scope_covers(province_code, commune_code) and app_role_may('incidents:write'));
