-- Core schema: administrative units, teams, incidents.
-- Every large table carries province_code: the shard key a distributed PostgreSQL (Citus) would use.

create extension if not exists postgis;

create table provinces (
  code        text primary key,
  name        text not null,
  name_en     text not null,
  geom        geometry(MultiPolygon, 4326)
);

create table communes (
  code          text primary key,
  province_code text not null references provinces (code),
  name          text not null,          -- full Vietnamese name, e.g. "Phường Hải Dương"
  name_en       text not null,
  population    integer,
  area_km2      double precision not null,
  geom          geometry(MultiPolygon, 4326) not null
);
create index communes_geom_idx on communes using gist (geom);
create index communes_province_idx on communes (province_code);

-- Communes cut into small pieces: point-in-polygon against a few dozen vertices instead of thousands.
create table commune_parts (
  commune_code  text not null references communes (code) on delete cascade,
  province_code text not null,
  geom          geometry(Polygon, 4326) not null
);
create index commune_parts_geom_idx on commune_parts using gist (geom);
create index commune_parts_commune_idx on commune_parts (commune_code);

create table teams (
  id            bigserial primary key,
  province_code text not null,
  commune_code  text not null references communes (code),
  name          text not null,
  is_generated  boolean not null default false
);
create index teams_commune_idx on teams (commune_code);

create table team_members (
  id            bigserial primary key,
  team_id       bigint not null references teams (id) on delete cascade,
  province_code text not null,
  full_name     text not null,
  role          text not null check (role in ('head', 'deputy', 'member')),
  phone         text
);
create index team_members_team_idx on team_members (team_id);
-- A team has exactly one head and at most one deputy.
create unique index team_members_one_head on team_members (team_id) where role = 'head';
create unique index team_members_one_deputy on team_members (team_id) where role = 'deputy';

create table incidents (
  id            bigserial primary key,
  province_code text not null,
  commune_code  text not null references communes (code),
  category      text not null check (category in ('security', 'social_order', 'traffic', 'fire', 'rescue', 'flood', 'other')),
  severity      smallint not null check (severity between 1 and 5),
  status        text not null default 'reported'
                check (status in ('reported', 'dispatched', 'on_scene', 'resolved', 'closed', 'cancelled')),
  occurred_at   timestamptz not null,
  reported_at   timestamptz not null default now(),
  description   text not null default '',
  geom          geometry(Point, 4326) not null,
  h3            bigint not null,        -- H3 cell at resolution 10 (the finest stored)
  is_generated  boolean not null default false,
  created_at    timestamptz not null default now()
);
create index incidents_province_time_idx on incidents (province_code, occurred_at);
create index incidents_commune_time_idx on incidents (commune_code, occurred_at);
create index incidents_geom_idx on incidents using gist (geom);
