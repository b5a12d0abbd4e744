-- Replaces the daily rollup with one that answers any day window from a handful of buckets.
--
-- incident_rollup holds incident counts per res-8 cell (the parent of each incident's stored
-- res-10 cell), commune and time bucket, one column per category. Buckets are dyadic: a bucket of
-- span s days (s = 1, 2, 4, …, 128) starts on a local day number (days since 1970-01-01, Vietnam
-- time) that is a multiple of s. Any window [from, to) of whole days is a union of at most two
-- buckets per span, so a 90-day province map reads about ten buckets instead of ninety days —
-- and at national volumes the rows per bucket stop growing once every cell has events.
-- Maintained in the writing transaction by statement-level triggers, like its predecessor.

create table incident_rollup (
  province_code  text not null,
  commune_code   text not null,
  span           smallint not null,
  bucket         integer not null,          -- local day number of the bucket's first day
  h3             bigint not null,           -- resolution 8
  c_security     integer not null default 0,
  c_social_order integer not null default 0,
  c_traffic      integer not null default 0,
  c_fire         integer not null default 0,
  c_rescue       integer not null default 0,
  c_flood        integer not null default 0,
  c_other        integer not null default 0,
  total          integer not null default 0,
  primary key (province_code, span, bucket, h3, commune_code)
);
create index incident_rollup_span_bucket_idx on incident_rollup (span, bucket);
create index incident_rollup_commune_idx on incident_rollup (commune_code, span, bucket);

-- Local day number (days since 1970-01-01 in Vietnam time) of an instant.
create or replace function vn_local_day_number(ts timestamptz) returns integer
language sql immutable parallel safe as $$
  select (vn_local_day(ts) - date '1970-01-01')
$$;

create or replace function rollup_spans() returns setof smallint
language sql immutable parallel safe as $$ values (1::smallint), (2), (4), (8), (16), (32), (64), (128) $$;

-- Applies signed per-incident deltas to every span of the rollup.
create or replace function incident_rollup_apply_deltas(
  p_province text[], p_commune text[], p_category text[], p_day integer[], p_h3 bigint[], p_delta integer[]
) returns void
language sql as $$
  insert into incident_rollup as t (province_code, commune_code, span, bucket, h3,
    c_security, c_social_order, c_traffic, c_fire, c_rescue, c_flood, c_other, total)
  select d.province_code, d.commune_code, s.span, d.day - (d.day % s.span), h3_parent(d.h3, 8),
         coalesce(sum(d.delta) filter (where d.category = 'security'), 0),
         coalesce(sum(d.delta) filter (where d.category = 'social_order'), 0),
         coalesce(sum(d.delta) filter (where d.category = 'traffic'), 0),
         coalesce(sum(d.delta) filter (where d.category = 'fire'), 0),
         coalesce(sum(d.delta) filter (where d.category = 'rescue'), 0),
         coalesce(sum(d.delta) filter (where d.category = 'flood'), 0),
         coalesce(sum(d.delta) filter (where d.category = 'other'), 0),
         sum(d.delta)
  from unnest(p_province, p_commune, p_category, p_day, p_h3, p_delta)
         as d (province_code, commune_code, category, day, h3, delta)
  cross join rollup_spans() as s (span)
  group by 1, 2, 3, 4, 5
  on conflict (province_code, span, bucket, h3, commune_code) do update set
    c_security = t.c_security + excluded.c_security, c_social_order = t.c_social_order + excluded.c_social_order,
    c_traffic = t.c_traffic + excluded.c_traffic, c_fire = t.c_fire + excluded.c_fire,
    c_rescue = t.c_rescue + excluded.c_rescue, c_flood = t.c_flood + excluded.c_flood,
    c_other = t.c_other + excluded.c_other, total = t.total + excluded.total;

  -- Drop emptied rows, looking only at the keys these deltas touched.
  delete from incident_rollup t
  using (select distinct d.province_code, d.commune_code, s.span, d.day - (d.day % s.span) as bucket
         from unnest(p_province, p_commune, p_day, p_delta) as d (province_code, commune_code, day, delta)
         cross join rollup_spans() as s (span)
         where d.delta < 0) k
  where t.province_code = k.province_code and t.commune_code = k.commune_code and t.span = k.span
    and t.bucket = k.bucket and t.total <= 0;
$$;

create or replace function incident_rollup_trigger() returns trigger
language plpgsql security definer set search_path = public as $$
begin
  if tg_op = 'INSERT' then
    perform incident_rollup_apply_deltas(array_agg(province_code), array_agg(commune_code), array_agg(category),
      array_agg(vn_local_day_number(occurred_at)), array_agg(h3), array_agg(1))
    from new_rows;
  elsif tg_op = 'DELETE' then
    perform incident_rollup_apply_deltas(array_agg(province_code), array_agg(commune_code), array_agg(category),
      array_agg(vn_local_day_number(occurred_at)), array_agg(h3), array_agg(-1))
    from old_rows;
  else
    -- Only rows whose rollup key changed move; a status change costs nothing here.
    perform incident_rollup_apply_deltas(array_agg(k.province_code), array_agg(k.commune_code), array_agg(k.category),
      array_agg(k.day), array_agg(k.h3), array_agg(k.delta))
    from old_rows o join new_rows n on n.id = o.id
    cross join lateral (values
      (o.province_code, o.commune_code, o.category, vn_local_day_number(o.occurred_at), o.h3, -1),
      (n.province_code, n.commune_code, n.category, vn_local_day_number(n.occurred_at), n.h3, 1)
    ) as k (province_code, commune_code, category, day, h3, delta)
    where (o.province_code, o.commune_code, o.category, vn_local_day_number(o.occurred_at), h3_parent(o.h3, 8))
          is distinct from
          (n.province_code, n.commune_code, n.category, vn_local_day_number(n.occurred_at), h3_parent(n.h3, 8));
  end if;
  return null;
end
$$;

-- Recomputes a province's rollup from its incidents (after a bulk load with triggers off, or to
-- check the rollup): one pass over the incidents for one-day buckets, then each span from the
-- one below it, which is far smaller.
create or replace function rebuild_incident_rollup(p_province text) returns void
language plpgsql as $$
declare
  s smallint;
  previous smallint := 1;
begin
  delete from incident_rollup where province_code = p_province;
  insert into incident_rollup (province_code, commune_code, span, bucket, h3,
    c_security, c_social_order, c_traffic, c_fire, c_rescue, c_flood, c_other, total)
  select province_code, commune_code, 1, vn_local_day_number(occurred_at), h3_parent(h3, 8),
         count(*) filter (where category = 'security'), count(*) filter (where category = 'social_order'),
         count(*) filter (where category = 'traffic'), count(*) filter (where category = 'fire'),
         count(*) filter (where category = 'rescue'), count(*) filter (where category = 'flood'),
         count(*) filter (where category = 'other'), count(*)
  from incidents where province_code = p_province
  group by 1, 2, 3, 4, 5;
  for s in select span from rollup_spans() as r (span) where span > 1 order by span loop
    insert into incident_rollup (province_code, commune_code, span, bucket, h3,
      c_security, c_social_order, c_traffic, c_fire, c_rescue, c_flood, c_other, total)
    select province_code, commune_code, s, bucket - bucket % s, h3,
           sum(c_security), sum(c_social_order), sum(c_traffic), sum(c_fire), sum(c_rescue), sum(c_flood), sum(c_other), sum(total)
    from incident_rollup where province_code = p_province and span = previous
    group by 1, 2, 3, 4, 5;
    previous := s;
  end loop;
end
$$;

drop trigger incidents_rollup_insert on incidents;
drop trigger incidents_rollup_delete on incidents;
drop trigger incidents_rollup_update on incidents;
drop function incident_rollup_apply(text[], text[], text[], date[], bigint[], integer[]);
drop table incident_cell_daily;
drop function rollup_resolutions();

create trigger incidents_rollup_insert after insert on incidents
  referencing new table as new_rows for each statement execute function incident_rollup_trigger();
create trigger incidents_rollup_delete after delete on incidents
  referencing old table as old_rows for each statement execute function incident_rollup_trigger();
create trigger incidents_rollup_update after update on incidents
  referencing old table as old_rows new table as new_rows
  for each statement execute function incident_rollup_trigger();

select rebuild_incident_rollup(code) from provinces;

grant select on incident_rollup to vnpm_app;
alter table incident_rollup enable row level security;
create policy incident_rollup_read on incident_rollup for select using (app_scope_covers(province_code, commune_code));
