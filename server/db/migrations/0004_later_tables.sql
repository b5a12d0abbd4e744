-- Tables that later features fill: patrol tracks and their H3 coverage, evacuation zones, shelters.

create table patrols (
  id            bigserial primary key,
  province_code text not null,
  commune_code  text not null references communes (code),
  team_id       bigint not null references teams (id),
  started_at    timestamptz,
  ended_at      timestamptz,
  track         geometry(MultiLineString, 4326),
  is_generated  boolean not null default false,
  created_at    timestamptz not null default now()
);
create index patrols_team_idx on patrols (team_id, started_at);

create table patrol_cells (
  patrol_id     bigint not null references patrols (id) on delete cascade,
  province_code text not null,
  h3            bigint not null,          -- resolution 10
  dwell_seconds double precision not null,
  first_visit   timestamptz not null,
  last_visit    timestamptz not null,
  primary key (patrol_id, h3)
);

create table evacuation_zones (
  id            bigserial primary key,
  province_code text not null,
  commune_code  text not null references communes (code),
  name          text not null,
  risk_level    smallint not null check (risk_level between 1 and 3),
  status        text not null default 'normal',
  households    integer,
  population    integer,
  geom          geometry(MultiPolygon, 4326) not null,
  is_generated  boolean not null default false
);
create index evacuation_zones_geom_idx on evacuation_zones using gist (geom);

create table shelters (
  id            bigserial primary key,
  province_code text not null,
  commune_code  text not null references communes (code),
  name          text not null,
  capacity      integer not null check (capacity >= 0),
  occupancy     integer not null default 0 check (occupancy >= 0),
  is_open       boolean not null default false,
  geom          geometry(Point, 4326) not null,
  is_generated  boolean not null default false
);
