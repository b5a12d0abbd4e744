-- Daily incident counts per H3 cell, category and commune: the hot read path for /api/hexes.
-- Kept at resolution 8 (the parent of each incident's stored res-10 cell), which answers every
-- coarser map (res 5–8) by summing parents. Finer maps are street-level views over small areas,
-- which the incidents table answers directly; a res-10 rollup would hold about one row per
-- incident and save nothing. Days are local Vietnam days (UTC+7, no DST).
-- Maintained by statement-level triggers, so single inserts, bulk inserts and COPY all keep it
-- exact, in the same transaction as the write.

create table incident_cell_daily (
  province_code text not null,
  res           smallint not null,
  day           date not null,
  category      text not null,
  commune_code  text not null,
  h3            bigint not null,
  count         integer not null,
  primary key (province_code, res, day, category, commune_code, h3)
);

create or replace function vn_local_day(ts timestamptz) returns date
language sql immutable parallel safe as $$
  select ((ts at time zone 'UTC') + interval '7 hours')::date
$$;

-- Resolutions kept in the rollup (each a parent of the stored res-10 cell).
create or replace function rollup_resolutions() returns setof integer
language sql immutable parallel safe as $$ values (8) $$;

-- Applies signed per-incident deltas (+1 added, −1 removed) to the rollup, given as parallel arrays.
create or replace function incident_rollup_apply(
  p_province text[], p_commune text[], p_category text[], p_day date[], p_h3 bigint[], p_delta integer[]
) returns void
language sql as $$
  insert into incident_cell_daily as t (province_code, res, day, category, commune_code, h3, count)
  select d.province_code, r.res, d.day, d.category, d.commune_code, h3_parent(d.h3, r.res), sum(d.delta)
  from unnest(p_province, p_commune, p_category, p_day, p_h3, p_delta)
         as d (province_code, commune_code, category, day, h3, delta)
  cross join rollup_resolutions() as r (res)
  group by 1, 2, 3, 4, 5, 6
  having sum(d.delta) <> 0
  on conflict (province_code, res, day, category, commune_code, h3)
  do update set count = t.count + excluded.count;

  -- Drop emptied rows, looking only at the keys these deltas touched.
  delete from incident_cell_daily t
  using (select distinct d.province_code, d.day, d.category, d.commune_code
         from unnest(p_province, p_commune, p_category, p_day, p_delta)
           as d (province_code, commune_code, category, day, delta)
         where d.delta < 0) k
  where t.province_code = k.province_code and t.day = k.day and t.category = k.category
    and t.commune_code = k.commune_code and t.count <= 0;
$$;

create or replace function incident_rollup_trigger() returns trigger
language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    perform incident_rollup_apply(array_agg(province_code), array_agg(commune_code), array_agg(category),
      array_agg(vn_local_day(occurred_at)), array_agg(h3), array_agg(1))
    from new_rows;
  elsif tg_op = 'DELETE' then
    perform incident_rollup_apply(array_agg(province_code), array_agg(commune_code), array_agg(category),
      array_agg(vn_local_day(occurred_at)), array_agg(h3), array_agg(-1))
    from old_rows;
  else
    -- Only rows whose rollup key changed move; a status change costs nothing here.
    perform incident_rollup_apply(array_agg(k.province_code), array_agg(k.commune_code), array_agg(k.category),
      array_agg(k.day), array_agg(k.h3), array_agg(k.delta))
    from old_rows o join new_rows n on n.id = o.id
    cross join lateral (values
      (o.province_code, o.commune_code, o.category, vn_local_day(o.occurred_at), o.h3, -1),
      (n.province_code, n.commune_code, n.category, vn_local_day(n.occurred_at), n.h3, 1)
    ) as k (province_code, commune_code, category, day, h3, delta)
    where (o.province_code, o.commune_code, o.category, vn_local_day(o.occurred_at), o.h3)
          is distinct from
          (n.province_code, n.commune_code, n.category, vn_local_day(n.occurred_at), n.h3);
  end if;
  return null;
end
$$;

create trigger incidents_rollup_insert after insert on incidents
  referencing new table as new_rows for each statement execute function incident_rollup_trigger();
create trigger incidents_rollup_delete after delete on incidents
  referencing old table as old_rows for each statement execute function incident_rollup_trigger();
create trigger incidents_rollup_update after update on incidents
  referencing old table as old_rows new table as new_rows
  for each statement execute function incident_rollup_trigger();
