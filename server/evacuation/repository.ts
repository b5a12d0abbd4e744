import type { Sql } from '../db/connection.ts'
import type { ZoneStatus } from '../domain/zone-status.ts'
import type { RescueUrgency } from '../domain/rescue-urgency.ts'

/** Incident statuses after which a rescue request is no longer open. */
export const CLOSED_INCIDENT_STATUSES = ['resolved', 'closed', 'cancelled'] as const
/** Zone statuses while an evacuation order stands (its clock runs; its people count as at risk). */
export const ORDER_STANDING_STATUSES: readonly ZoneStatus[] = ['evacuate_now', 'evacuating', 'evacuated']

export interface ZoneRow {
  id: string
  name: string
  commune_code: string
  commune_name: string
  province_code: string
  risk_level: number
  status: ZoneStatus
  status_changed_at: Date
  evacuate_ordered_at: Date | null
  round: number
  households: number
  population: number
  elderly: number
  disabled: number
  children: number
  estimated_fields: string[]
  is_generated: boolean
  moved_households: number
  moved_people: number
  moved_elderly: number
  moved_disabled: number
  moved_children: number
  team_ids: string[]
  open_rescue_requests: number
  /** st_asgeojson of a MultiPolygon. */
  geometry: { type: 'MultiPolygon', coordinates: number[][][][] }
}

export interface ShelterRow {
  id: string
  name: string
  province_code: string
  commune_code: string
  capacity: number
  occupancy: number
  is_open: boolean
  over_capacity_reason: string | null
  is_generated: boolean
  lon: number
  lat: number
}

/** The area a list covers: a province, a commune, or everything (row-level security narrows it further). */
export type AreaFilter = { kind: 'province' | 'commune', code: string } | { kind: 'bbox' | 'all' }

/** Where a zone is: what rows of its children repeat for row-level security. */
export interface ZonePlace { id: string, province_code: string, commune_code: string }

export interface ProgressInput {
  zone: ZoneRow
  team_id: string | null
  shelter_id: string | null
  households: number
  people: number
  elderly: number
  disabled: number
  children: number
  reported_at: Date
  over_capacity: boolean
  force_reason: string | null
  user: { id: string, username: string }
}

export interface ProgressRow {
  id: string, zone_id: string, team_id: string | null, shelter_id: string | null, households: number, people: number,
  elderly: number, disabled: number, children: number, reported_at: Date, username: string | null, over_capacity: boolean, force_reason: string | null
}

function areaCondition (sql: Sql, alias: string, area: AreaFilter) {
  const column = (name: string) => sql(`${alias}.${name}`)
  return sql`
    ${area.kind === 'province' ? sql`and ${column('province_code')} = ${area.code}` : sql``}
    ${area.kind === 'commune' ? sql`and ${column('commune_code')} = ${area.code}` : sql``}`
}

/** Evacuation zones, shelters, progress, teams and rescue requests; every method one query. */
export function evacuationRepository (sql: Sql) {
  const zoneSelect = (where: ReturnType<Sql>, lock = false) => sql<ZoneRow[]>`
    select z.id::text as id, z.name, z.commune_code, c.name as commune_name, z.province_code, z.risk_level, z.status,
           z.status_changed_at, z.evacuate_ordered_at, z.round,
           coalesce(z.households, 0) as households, coalesce(z.population, 0) as population,
           coalesce(z.elderly, 0) as elderly, coalesce(z.disabled, 0) as disabled, coalesce(z.children, 0) as children,
           z.estimated_fields, z.is_generated,
           coalesce(m.households, 0)::int as moved_households, coalesce(m.people, 0)::int as moved_people,
           coalesce(m.elderly, 0)::int as moved_elderly, coalesce(m.disabled, 0)::int as moved_disabled,
           coalesce(m.children, 0)::int as moved_children,
           coalesce(t.team_ids, '{}') as team_ids, coalesce(r.n, 0)::int as open_rescue_requests,
           st_asgeojson(z.geom, 6)::json as geometry
    from evacuation_zones z
    join communes c on c.code = z.commune_code
    left join lateral (
      select sum(p.households) as households, sum(p.people) as people, sum(p.elderly) as elderly,
             sum(p.disabled) as disabled, sum(p.children) as children
      from evacuation_progress p where p.zone_id = z.id and p.round = z.round) m on true
    left join lateral (
      select array_agg(zt.team_id::text order by zt.team_id) as team_ids
      from evacuation_zone_teams zt where zt.zone_id = z.id) t on true
    left join lateral (
      select count(*) as n from rescue_requests rr join incidents i on i.id = rr.incident_id
      where rr.zone_id = z.id and i.status not in ${sql(CLOSED_INCIDENT_STATUSES)}) r on true
    where ${where}
    order by z.commune_code, z.id
    ${lock ? sql`for update of z` : sql``}`

  const shelterColumns = sql`
    s.id::text as id, s.name, s.province_code, s.commune_code, s.capacity, s.occupancy, s.is_open,
    s.over_capacity_reason, s.is_generated, st_x(s.geom) as lon, st_y(s.geom) as lat`

  return {
    async zones (area: AreaFilter): Promise<ZoneRow[]> {
      return zoneSelect(sql`true ${areaCondition(sql, 'z', area)}`)
    },

    async zone (id: string): Promise<ZoneRow | null> {
      const [row] = await zoneSelect(sql`z.id = ${id}`)
      return row ?? null
    },

    /** The zone, its row locked for a change in this transaction; null when invisible. */
    async lockZone (id: string): Promise<ZoneRow | null> {
      const [row] = await zoneSelect(sql`z.id = ${id}`, true)
      return row ?? null
    },

    /**
     * Where an imported polygon goes: its commune (the given one, else the commune holding most of
     * it), the polygon clipped to that commune, and the areas (m², on the spheroid) the estimate
     * and the clipping report need. Null when no loaded commune overlaps it.
     */
    async clipToCommune (geometry: unknown, communeCode: string | null) {
      const [row] = await sql<{
        commune_code: string, province_code: string, commune_population: number | null, commune_area_m2: number,
        province_density: number | null, input_area_m2: number, clipped_area_m2: number, clipped: string | null
      }[]>`
        with g as (select st_multi(st_collectionextract(st_makevalid(st_setsrid(st_geomfromgeojson(${JSON.stringify(geometry)}), 4326)), 3)) as geom),
        c as (
          select c.code, c.province_code, c.population, c.geom from communes c, g
          where ${communeCode ? sql`c.code = ${communeCode}` : sql`st_intersects(c.geom, g.geom)`}
          order by st_area(st_intersection(c.geom, g.geom)::geography) desc, c.code
          limit 1
        ),
        clipped as (select st_multi(st_collectionextract(st_intersection(g.geom, c.geom), 3)) as geom from g, c)
        select c.code as commune_code, c.province_code, c.population as commune_population,
               st_area(c.geom::geography) as commune_area_m2,
               (select sum(o.population)::float8 / nullif(sum(st_area(o.geom::geography)), 0)
                  from communes o where o.province_code = c.province_code and o.population is not null) as province_density,
               st_area(g.geom::geography) as input_area_m2,
               coalesce(st_area(clipped.geom::geography), 0) as clipped_area_m2,
               case when st_isempty(clipped.geom) then null else st_asgeojson(clipped.geom) end as clipped
        from c, g, clipped`
      return row ?? null
    },

    async insertZone (zone: {
      province_code: string, commune_code: string, name: string, risk_level: number, clipped: string,
      households: number, population: number, elderly: number, disabled: number, children: number,
      estimated_fields: string[], is_generated?: boolean
    }): Promise<string> {
      const [row] = await sql<{ id: string }[]>`
        insert into evacuation_zones (province_code, commune_code, name, risk_level, status, households, population,
                                      elderly, disabled, children, estimated_fields, geom, is_generated)
        values (${zone.province_code}, ${zone.commune_code}, ${zone.name}, ${zone.risk_level}, 'normal', ${zone.households},
                ${zone.population}, ${zone.elderly}, ${zone.disabled}, ${zone.children}, ${zone.estimated_fields}::text[],
                st_multi(st_setsrid(st_geomfromgeojson(${zone.clipped}), 4326)), ${zone.is_generated ?? false})
        returning id::text as id`
      return row!.id
    },

    /**
     * Moves a zone to a status: stamps the change, and a move to evacuate_now also stamps the
     * order and starts a new round of progress. Appends the history row.
     */
    async changeZoneStatus (zone: ZoneRow, to: ZoneStatus, note: string | null, user: { id: string, username: string }): Promise<void> {
      await sql`
        update evacuation_zones set status = ${to}, status_changed_at = now()
          ${to === 'evacuate_now' ? sql`, evacuate_ordered_at = now(), round = round + 1` : sql``}
        where id = ${zone.id}`
      await this.appendZoneEvent(zone, zone.status, to, note, user)
    },

    async appendZoneEvent (zone: ZonePlace, from: ZoneStatus | null, to: ZoneStatus, note: string | null, user: { id: string, username: string }) {
      await sql`
        insert into evacuation_zone_events (zone_id, province_code, commune_code, at, user_id, username, from_status, to_status, note)
        values (${zone.id}, ${zone.province_code}, ${zone.commune_code}, now(), ${user.id}, ${user.username}, ${from}, ${to}, ${note})`
    },

    async zoneHistory (id: string) {
      return sql<{ at: Date, username: string | null, from_status: string | null, to_status: string, note: string | null }[]>`
        select at, username, from_status, to_status, note from evacuation_zone_events where zone_id = ${id} order by at, id`
    },

    async insertProgress (p: ProgressInput): Promise<ProgressRow> {
      const [row] = await sql<ProgressRow[]>`
        insert into evacuation_progress (zone_id, province_code, commune_code, round, team_id, shelter_id, households, people,
                                         elderly, disabled, children, reported_at, user_id, username, over_capacity, force_reason)
        values (${p.zone.id}, ${p.zone.province_code}, ${p.zone.commune_code}, ${p.zone.round}, ${p.team_id}, ${p.shelter_id},
                ${p.households}, ${p.people}, ${p.elderly}, ${p.disabled}, ${p.children}, ${p.reported_at},
                ${p.user.id}, ${p.user.username}, ${p.over_capacity}, ${p.force_reason})
        returning id::text as id, zone_id::text as zone_id, team_id::text as team_id, shelter_id::text as shelter_id,
                  households, people, elderly, disabled, children, reported_at, username, over_capacity, force_reason`
      return row!
    },

    /** The given team ids that are not teams of the commune (unknown ones included). */
    async teamsOutsideCommune (teamIds: string[], communeCode: string): Promise<string[]> {
      if (teamIds.length === 0) return []
      const rows = await sql<{ id: string }[]>`
        select u.id from unnest(${teamIds}::text[]) as u (id)
        where not exists (select 1 from teams t where t.id::text = u.id and t.commune_code = ${communeCode})`
      return rows.map(r => r.id)
    },

    async setZoneTeams (zone: ZoneRow, teamIds: string[]): Promise<void> {
      await sql`delete from evacuation_zone_teams where zone_id = ${zone.id} and not (team_id::text = any(${teamIds}::text[]))`
      if (teamIds.length === 0) return
      await sql`
        insert into evacuation_zone_teams (zone_id, team_id, province_code, commune_code)
        select ${zone.id}, u.id::bigint, ${zone.province_code}, ${zone.commune_code} from unnest(${teamIds}::text[]) as u (id)
        on conflict (zone_id, team_id) do nothing`
    },

    async shelters (area: AreaFilter): Promise<ShelterRow[]> {
      return sql<ShelterRow[]>`
        select ${shelterColumns} from shelters s where true ${areaCondition(sql, 's', area)} order by s.commune_code, s.id`
    },

    async lockShelter (id: string): Promise<ShelterRow | null> {
      const [row] = await sql<ShelterRow[]>`select ${shelterColumns} from shelters s where s.id = ${id} for update`
      return row ?? null
    },

    /** The commune (if any) whose polygon holds the point. */
    async communeAt (lon: number, lat: number): Promise<{ commune_code: string, province_code: string } | null> {
      const [row] = await sql<{ commune_code: string, province_code: string }[]>`
        select c.code as commune_code, c.province_code from communes c
        where st_intersects(c.geom, st_setsrid(st_makepoint(${lon}, ${lat}), 4326))
        order by c.code limit 1`
      return row ?? null
    },

    async pointInCommune (lon: number, lat: number, communeCode: string): Promise<boolean> {
      const [row] = await sql`
        select 1 from communes c where c.code = ${communeCode} and st_intersects(c.geom, st_setsrid(st_makepoint(${lon}, ${lat}), 4326))`
      return row !== undefined
    },

    async insertShelter (s: { province_code: string, commune_code: string, name: string, lon: number, lat: number, capacity: number, occupancy: number, is_open: boolean, over_capacity_reason: string | null, is_generated?: boolean }): Promise<ShelterRow> {
      const [row] = await sql<ShelterRow[]>`
        insert into shelters as s (province_code, commune_code, name, capacity, occupancy, is_open, over_capacity_reason, geom, is_generated)
        values (${s.province_code}, ${s.commune_code}, ${s.name}, ${s.capacity}, ${s.occupancy}, ${s.is_open}, ${s.over_capacity_reason},
                st_setsrid(st_makepoint(${s.lon}, ${s.lat}), 4326), ${s.is_generated ?? false})
        returning ${shelterColumns}`
      return row!
    },

    async updateShelter (id: string, change: { capacity: number, occupancy: number, is_open: boolean, over_capacity_reason: string | null }): Promise<ShelterRow> {
      const [row] = await sql<ShelterRow[]>`
        update shelters s set capacity = ${change.capacity}, occupancy = ${change.occupancy}, is_open = ${change.is_open},
          over_capacity_reason = ${change.over_capacity_reason}, updated_at = now()
        where s.id = ${id}
        returning ${shelterColumns}`
      return row!
    },

    /** Open shelters with free places, nearest the zone's polygon first (geography distance, metres). */
    async nearestShelters (zoneId: string, limit: number): Promise<(ShelterRow & { distance_m: number })[]> {
      return sql<(ShelterRow & { distance_m: number })[]>`
        select ${shelterColumns}, st_distance(s.geom::geography, z.geom::geography) as distance_m
        from evacuation_zones z, shelters s
        where z.id = ${zoneId} and s.is_open and s.occupancy < s.capacity
        order by st_distance(s.geom::geography, z.geom::geography), s.id
        limit ${limit}`
    },

    async insertRescueRequest (r: { incident_id: string, zone: ZonePlace, people: number, urgency: string, created_at?: Date }): Promise<void> {
      await sql`
        insert into rescue_requests (incident_id, zone_id, province_code, commune_code, people, urgency, created_at)
        values (${r.incident_id}, ${r.zone.id}, ${r.zone.province_code}, ${r.zone.commune_code}, ${r.people}, ${r.urgency},
                ${r.created_at ?? sql`now()`})`
    },

    /** Open rescue requests (their incident neither resolved, closed nor cancelled) of an area. */
    async openRescueRequests (area: AreaFilter) {
      return sql<{ incident_id: string, zone_id: string, lon: number, lat: number, people: number, urgency: RescueUrgency, status: string, reported_at: Date, description: string }[]>`
        select r.incident_id::text as incident_id, r.zone_id::text as zone_id, st_x(i.geom) as lon, st_y(i.geom) as lat,
               r.people, r.urgency, i.status, i.reported_at, i.description
        from rescue_requests r join incidents i on i.id = r.incident_id
        where i.status not in ${sql(CLOSED_INCIDENT_STATUSES)} ${areaCondition(sql, 'r', area)}
        order by case r.urgency when 'critical' then 0 when 'high' then 1 else 2 end, i.reported_at, r.incident_id`
    },

    async commune (code: string) {
      const [row] = await sql<{ code: string, name: string, population: number | null }[]>`
        select code, name, population from communes where code = ${code}`
      return row ?? null
    },

    /** The commune's teams with their zones and what they reported in the zones' current rounds. */
    async communeTeams (code: string) {
      return sql<{ id: string, name: string, zone_ids: string[], reports: number, people_moved: number }[]>`
        select t.id::text as id, t.name,
               coalesce((select array_agg(zt.zone_id::text order by zt.zone_id) from evacuation_zone_teams zt where zt.team_id = t.id), '{}') as zone_ids,
               (select count(*) from evacuation_progress p join evacuation_zones z on z.id = p.zone_id and p.round = z.round where p.team_id = t.id)::int as reports,
               coalesce((select sum(p.people) from evacuation_progress p join evacuation_zones z on z.id = p.zone_id and p.round = z.round where p.team_id = t.id), 0)::int as people_moved
        from teams t where t.commune_code = ${code}
        order by t.id`
    },

    // ---- the generated flood (server/demo/load-flood.ts): bulk variants -----------------------

    /** The province's teams (the flood demo assigns them to zones). */
    async teamsOfProvince (provinceCode: string): Promise<{ id: string, commune_code: string }[]> {
      return sql<{ id: string, commune_code: string }[]>`
        select id::text as id, commune_code from teams where province_code = ${provinceCode} order by id`
    },

    /**
     * Deletes the province's generated evacuation data: the incidents of its generated zones'
     * rescue requests, then the zones (their events, teams, progress and requests cascade) and
     * the generated shelters.
     */
    async deleteGenerated (provinceCode: string): Promise<void> {
      await sql`
        delete from incidents where id in (
          select r.incident_id from rescue_requests r join evacuation_zones z on z.id = r.zone_id
          where z.province_code = ${provinceCode} and z.is_generated)`
      await sql`delete from evacuation_zones where province_code = ${provinceCode} and is_generated`
      await sql`delete from shelters where province_code = ${provinceCode} and is_generated`
    },

    /**
     * A generated zone with its past already written: status, times and round as given; the
     * polygon clipped to its commune here.
     */
    async insertGeneratedZone (zone: {
      province_code: string, commune_code: string, name: string, risk_level: number, status: ZoneStatus,
      households: number, population: number, elderly: number, disabled: number, children: number, estimated_fields: string[],
      status_changed_at: Date, evacuate_ordered_at: Date | null, round: number, created_at: Date, geometry: unknown
    }): Promise<string> {
      const [row] = await sql<{ id: string }[]>`
        insert into evacuation_zones (province_code, commune_code, name, risk_level, status, households, population, elderly, disabled, children,
                                      estimated_fields, status_changed_at, evacuate_ordered_at, round, created_at, geom, is_generated)
        values (${zone.province_code}, ${zone.commune_code}, ${zone.name}, ${zone.risk_level}, ${zone.status}, ${zone.households}, ${zone.population},
                ${zone.elderly}, ${zone.disabled}, ${zone.children}, ${zone.estimated_fields}::text[], ${zone.status_changed_at},
                ${zone.evacuate_ordered_at}, ${zone.round}, ${zone.created_at},
                (select st_multi(st_collectionextract(st_intersection(st_makevalid(st_setsrid(st_geomfromgeojson(${JSON.stringify(zone.geometry)}), 4326)), c.geom), 3))
                   from communes c where c.code = ${zone.commune_code}), true)
        returning id::text as id`
      return row!.id
    },

    /** A zone's past status changes, as one insert (no user: written by `username`). */
    async insertZoneHistory (zone: ZonePlace, username: string, history: { at: Date, from: ZoneStatus | null, to: ZoneStatus, note: string | null }[]): Promise<void> {
      if (history.length === 0) return
      await sql`
        insert into evacuation_zone_events ${sql(history.map(h => ({
          zone_id: zone.id, province_code: zone.province_code, commune_code: zone.commune_code,
          at: h.at, username, from_status: h.from, to_status: h.to, note: h.note
        })))}`
    },

    /** Teams assigned to a zone since a given time, as one insert. */
    async insertZoneTeams (zone: ZonePlace, teamIds: string[], assignedAt: Date): Promise<void> {
      if (teamIds.length === 0) return
      await sql`
        insert into evacuation_zone_teams ${sql(teamIds.map(teamId => ({
          zone_id: zone.id, team_id: teamId, province_code: zone.province_code, commune_code: zone.commune_code, assigned_at: assignedAt
        })))}`
    },

    /** Generated progress reports of the zones' first round, as one insert. */
    async insertGeneratedProgress (reports: {
      zone: ZonePlace, team_id: string | null, shelter_id: string | null, households: number, people: number,
      elderly: number, disabled: number, children: number, reported_at: Date, username: string
    }[]): Promise<void> {
      if (reports.length === 0) return
      await sql`
        insert into evacuation_progress ${sql(reports.map(r => ({
          zone_id: r.zone.id, province_code: r.zone.province_code, commune_code: r.zone.commune_code, round: 1,
          team_id: r.team_id, shelter_id: r.shelter_id, households: r.households, people: r.people,
          elderly: r.elderly, disabled: r.disabled, children: r.children, reported_at: r.reported_at, username: r.username, is_generated: true
        })))}`
    },

    /**
     * Cumulative moved figures at each instant, and the population of the zones under an order
     * (last status change before the instant is evacuate_now, evacuating or evacuated).
     */
    async timeline (area: AreaFilter, instants: Date[]) {
      return sql<{ at: Date, people_moved: number, households_moved: number, vulnerable_moved: number, people_at_risk: number }[]>`
        select s.at,
               coalesce(m.people, 0)::int as people_moved, coalesce(m.households, 0)::int as households_moved,
               coalesce(m.vulnerable, 0)::int as vulnerable_moved, coalesce(r.people, 0)::int as people_at_risk
        from unnest(${instants.map(d => d.toISOString())}::timestamptz[]) as s (at)
        left join lateral (
          select sum(p.people) as people, sum(p.households) as households, sum(p.elderly + p.disabled + p.children) as vulnerable
          from evacuation_progress p where p.reported_at < s.at ${areaCondition(sql, 'p', area)}) m on true
        left join lateral (
          select sum(z.population) as people from evacuation_zones z
          where true ${areaCondition(sql, 'z', area)}
            and (select e.to_status from evacuation_zone_events e where e.zone_id = z.id and e.at < s.at order by e.at desc, e.id desc limit 1)
                in ${sql(ORDER_STANDING_STATUSES)}) r on true
        order by s.at`
    }
  }
}

export type EvacuationRepository = ReturnType<typeof evacuationRepository>
