-- Patrol tracks as uploaded and as cleaned, their H3 dwell time, a daily coverage rollup, and
-- planned routes. Every table carries province_code (the future shard key) and commune_code
-- (row-level security), like the incident tables.

-- The cleaned track keeps each fix's time as its M value (epoch seconds), so playback needs no
-- second store of fixes; the raw upload is kept separately and untouched.
alter table patrols alter column track type geometry(MultiLineStringM, 4326) using st_force3dm(track);
alter table patrols
  add column mode         text check (mode in ('foot', 'motorbike')),
  add column status       text not null default 'ended' check (status in ('live', 'ended')),
  -- sha-256 of the team and the parsed fixes: the same upload twice is one patrol.
  add column fingerprint  text,
  add column fix_count    integer not null default 0,
  add column distance_m   double precision not null default 0,
  add column cleaning     jsonb,
  add column created_by   bigint;
create unique index patrols_team_fingerprint_idx on patrols (team_id, fingerprint) where fingerprint is not null;
create index patrols_commune_started_idx on patrols (commune_code, started_at);

-- What was sent, byte for byte (text formats), one row per upload or live batch, in arrival order.
create table patrol_uploads (
  id            bigserial primary key,
  patrol_id     bigint not null references patrols (id) on delete cascade,
  province_code text not null,
  commune_code  text not null,
  format        text not null check (format in ('gpx', 'geojson', 'csv', 'positions')),
  content       text not null,
  received_at   timestamptz not null default now()
);
create index patrol_uploads_patrol_idx on patrol_uploads (patrol_id, id);

create index patrol_cells_commune_visit_idx on patrol_cells (commune_code, first_visit);

-- Daily coverage per team and res-10 cell (local day of the first visit): the hot read for
-- coverage KPIs over weeks and whole provinces. Rewritten for the affected team-days whenever a
-- patrol's cells change (ingest, live batches, deletion).
create table patrol_coverage_daily (
  province_code text not null,
  commune_code  text not null,
  team_id       bigint not null,
  day           date not null,
  h3            bigint not null,
  dwell_seconds double precision not null,
  patrols       integer not null,
  last_visit    timestamptz not null,
  primary key (team_id, day, h3)
);
create index patrol_coverage_daily_commune_idx on patrol_coverage_daily (commune_code, day);

create table patrol_plans (
  id               bigserial primary key,
  province_code    text not null,
  commune_code     text not null references communes (code),
  team_id          bigint not null references teams (id),
  mode             text not null check (mode in ('foot', 'motorbike')),
  budget_minutes   integer not null,
  start            geometry(Point, 4326) not null,
  route            geometry(LineString, 4326) not null,
  waypoints        jsonb not null,
  figures          jsonb not null,
  window_from      timestamptz not null,
  window_to        timestamptz not null,
  created_by       bigint,
  created_at       timestamptz not null default now()
);
create index patrol_plans_team_idx on patrol_plans (team_id, created_at);

grant select, insert, update, delete on patrol_uploads, patrol_coverage_daily, patrol_plans to vnpm_app;
grant usage on all sequences in schema public to vnpm_app;

alter table patrol_uploads enable row level security;
create policy patrol_uploads_read on patrol_uploads for select using (app_scope_covers(province_code, commune_code));
create policy patrol_uploads_write on patrol_uploads for all using (app_scope_covers(province_code, commune_code) and app_role_may('patrols:write'))
  with check (app_scope_covers(province_code, commune_code) and app_role_may('patrols:write'));

alter table patrol_coverage_daily enable row level security;
create policy patrol_coverage_daily_read on patrol_coverage_daily for select using (app_scope_covers(province_code, commune_code));
create policy patrol_coverage_daily_write on patrol_coverage_daily for all using (app_scope_covers(province_code, commune_code) and app_role_may('patrols:write'))
  with check (app_scope_covers(province_code, commune_code) and app_role_may('patrols:write'));

alter table patrol_plans enable row level security;
create policy patrol_plans_read on patrol_plans for select using (app_scope_covers(province_code, commune_code));
create policy patrol_plans_write on patrol_plans for all using (app_scope_covers(province_code, commune_code) and app_role_may('patrols:write'))
  with check (app_scope_covers(province_code, commune_code) and app_role_may('patrols:write'));
