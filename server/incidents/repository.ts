import type { Sql } from '../db/connection.ts'
import { isLocalMidnight, localDay } from '../domain/vn-time.ts'
import type { IncidentFilter } from '../domain/area.ts'
import { STATUS_TIME_COLUMN, type Category, type IncidentStatus } from '../domain/incident-status.ts'
import { bigintToH3, storedCellOf } from '../h3/cells.ts'
import { dayNumber, dyadicBuckets } from './dyadic.ts'

export type { IncidentFilter } from '../domain/area.ts'

/** Resolution of the rollup table (see migration 0006). */
export const ROLLUP_RESOLUTION = 8

/** An incident to store. Its commune is given (`province_code`, `commune_code`) or found from its point (see createIncidents). */
export interface NewIncident {
  lon: number
  lat: number
  category: Category
  severity: number
  occurred_at: Date
  description: string
  /** Default 'reported'. */
  status?: IncidentStatus
  /** Default now(). */
  reported_at?: Date
  is_generated?: boolean
  province_code?: string
  commune_code?: string
}

/** Who reported a batch of incidents: each gets its 'reported' history row with this user and note. */
export interface Reporter { userId: string, username: string, note: string | null }

export interface IncidentRow {
  id: bigint
  province_code: string
  commune_code: string
  category: Category
  severity: number
  status: IncidentStatus
  occurred_at: Date
  reported_at: Date
  description: string
  lon: number
  lat: number
  h3: bigint
  is_generated: boolean
}

export interface FireDetails { cause?: string | null, area_m2?: number | null, people_injured?: number | null }
export interface RescueDetails { people_rescued?: number | null, people_missing?: number | null }
/** Details as stored: every column, null when not recorded. */
export type StoredDetails<T> = { [K in keyof T]-?: Exclude<T[K], undefined> }
export interface IncidentTiming { team_id: string | null, dispatched_at: Date | null, on_scene_at: Date | null, resolved_at: Date | null, closed_at: Date | null, cancelled_at: Date | null }
export interface HistoryRow { at: Date, username: string | null, from_status: string | null, to_status: string, team_id: string | null, note: string | null }
export interface StatusChange { to: IncidentStatus, teamId: string | null, note: string | null, userId: string, username: string }

export interface ListCursor { occurredAt: Date, id: string }

/** The columns of an export row (the import's columns, then EXPORT_EXTRA_COLUMNS). */
export interface ExportRow {
  id: bigint, lon: number, lat: number, category: string, severity: number, occurred_at: Date, description: string,
  status: string, commune_code: string, province_code: string, h3: bigint
}

const incidentColumns = (sql: Sql) => sql`
  i.id, i.province_code, i.commune_code, i.category, i.severity, i.status, i.occurred_at,
  i.reported_at, i.description, st_x(i.geom) as lon, st_y(i.geom) as lat, i.h3, i.is_generated`

const exportColumns = (sql: Sql) => sql`
  i.id, st_x(i.geom) as lon, st_y(i.geom) as lat, i.category, i.severity, i.occurred_at, i.description,
  i.status, i.commune_code, i.province_code, i.h3`

/** The where-clause shared by lists, exports and raw hex counts. */
function incidentConditions (sql: Sql, f: IncidentFilter) {
  const area = f.area
  return sql`
    true
    ${area.kind === 'province' ? sql`and i.province_code = ${area.code}` : sql``}
    ${area.kind === 'commune' ? sql`and i.commune_code = ${area.code}` : sql``}
    ${area.kind === 'bbox' ? sql`and i.geom && st_makeenvelope(${area.bbox[0]}, ${area.bbox[1]}, ${area.bbox[2]}, ${area.bbox[3]}, 4326)` : sql``}
    ${f.from ? sql`and i.occurred_at >= ${f.from}` : sql``}
    ${f.to ? sql`and i.occurred_at < ${f.to}` : sql``}
    ${f.categories ? sql`and i.category in ${sql(f.categories)}` : sql``}`
}

export function incidentRepository (sql: Sql) {
  return {
    /**
     * The one writer of incidents (POST, import, rescue requests, demo and bench loads): one
     * statement for the whole batch. Each row's commune is the one given, or with `locate` the
     * commune_parts polygon holding its point (rows in no loaded commune are then skipped). With
     * `reportedBy`, each stored incident gets its 'reported' history row (a second statement).
     * Returns the stored rows (in no particular order).
     */
    async createIncidents (incidents: readonly NewIncident[], options: { reportedBy: Reporter | null, locate?: boolean }): Promise<IncidentRow[]> {
      if (incidents.length === 0) return []
      const place = options.locate
        ? sql`cross join lateral (select p.province_code, p.commune_code from commune_parts p where st_intersects(p.geom, u.geom) limit 1) c`
        : sql`cross join lateral (select u.province_code, u.commune_code) c`
      const by = options.reportedBy
      const rows = await sql<IncidentRow[]>`
          insert into incidents as i (province_code, commune_code, category, severity, status, occurred_at,
                                      reported_at, description, geom, h3, is_generated)
          select c.province_code, c.commune_code, u.category, u.severity, coalesce(u.status, 'reported'), u.occurred_at,
                 coalesce(u.reported_at, now()), u.description, u.geom, u.h3, coalesce(u.is_generated, false)
          from (
            select st_setsrid(st_makepoint(lon, lat), 4326) as geom, category, severity, status, occurred_at, reported_at,
                   description, h3, is_generated, province_code, commune_code
            from unnest(
              ${incidents.map(r => r.lon)}::float8[], ${incidents.map(r => r.lat)}::float8[],
              ${incidents.map(r => r.category)}::text[], ${incidents.map(r => r.severity)}::int2[],
              ${incidents.map(r => r.status ?? null)}::text[], ${incidents.map(r => r.occurred_at.toISOString())}::timestamptz[],
              ${incidents.map(r => r.reported_at?.toISOString() ?? null)}::timestamptz[], ${incidents.map(r => r.description)}::text[],
              ${incidents.map(r => storedCellOf(r.lon, r.lat))}::bigint[], ${incidents.map(r => r.is_generated === undefined ? null : String(r.is_generated))}::text[]::bool[],
              ${incidents.map(r => r.province_code ?? null)}::text[], ${incidents.map(r => r.commune_code ?? null)}::text[]
            ) as u (lon, lat, category, severity, status, occurred_at, reported_at, description, h3, is_generated, province_code, commune_code)
          ) u
          ${place}
          returning ${incidentColumns(sql)}`
      // The history rows are a second statement: the rescue policy on incident_events (migration
      // 0009) looks the incident up, and a row inserted by the same statement is not visible to it.
      if (by && rows.length > 0) {
        await sql`
          insert into incident_events (incident_id, province_code, commune_code, user_id, username, from_status, to_status, team_id, note)
          select t.id, t.province_code, t.commune_code, ${by.userId}, ${by.username}, null, t.status, null, ${by.note}
          from unnest(${rows.map(r => String(r.id))}::bigint[], ${rows.map(r => r.province_code)}::text[],
                      ${rows.map(r => r.commune_code)}::text[], ${rows.map(r => r.status)}::text[]) as t(id, province_code, commune_code, status)`
      }
      return rows
    },

    /** One incident in a given commune, without a history row (generated data); see createIncidents. */
    async insert (incident: NewIncident, place: { commune_code: string, province_code: string }): Promise<IncidentRow> {
      const [row] = await this.createIncidents([{ ...incident, province_code: place.province_code, commune_code: place.commune_code }], { reportedBy: null })
      return row!
    },

    /**
     * The commune holding each point (point-in-polygon, like geography.locate for one point), by
     * index into `points`; points in no loaded commune are missing from the map.
     */
    async placesOf (points: readonly { lon: number, lat: number }[]): Promise<Map<number, { commune_code: string, province_code: string }>> {
      if (points.length === 0) return new Map()
      const rows = await sql<{ n: number, commune_code: string, province_code: string }[]>`
        select u.n, c.commune_code, c.province_code
        from unnest(${points.map(p => p.lon)}::float8[], ${points.map(p => p.lat)}::float8[]) with ordinality as u (lon, lat, n)
        cross join lateral (
          select p.commune_code, p.province_code from commune_parts p
          where st_intersects(p.geom, st_setsrid(st_makepoint(u.lon, u.lat), 4326))
          limit 1
        ) c`
      return new Map(rows.map(r => [Number(r.n) - 1, { commune_code: r.commune_code, province_code: r.province_code }]))
    },

    /** Locks the incident's row for a status change in this transaction; null when invisible. */
    async lockForChange (id: string): Promise<IncidentRow | null> {
      const [row] = await sql<IncidentRow[]>`
        select ${incidentColumns(sql)} from incidents i where i.id = ${id} for update`
      return row ?? null
    },

    /** Moves an incident to a status, stamping the time of that step, and appends the history row. */
    async changeStatus (current: IncidentRow, change: StatusChange): Promise<IncidentRow> {
      const column = STATUS_TIME_COLUMN[change.to]
      const [row] = await sql<IncidentRow[]>`
        update incidents i set status = ${change.to},
          team_id = coalesce(${change.teamId}::bigint, i.team_id)
          ${column ? sql`, ${sql(column)} = now()` : sql``}
        where i.id = ${String(current.id)}
        returning ${incidentColumns(sql)}`
      await this.appendEvent(row!, current.status, change)
      return row!
    },

    async appendEvent (row: IncidentRow, from: IncidentStatus | null, change: StatusChange): Promise<void> {
      await sql`
        insert into incident_events (incident_id, province_code, commune_code, user_id, username, from_status, to_status, team_id, note)
        values (${String(row.id)}, ${row.province_code}, ${row.commune_code}, ${change.userId}, ${change.username},
                ${from}, ${change.to}, ${change.teamId}, ${change.note})`
    },

    async history (id: string): Promise<HistoryRow[]> {
      return sql<HistoryRow[]>`
        select at, username, from_status, to_status, team_id::text as team_id, note
        from incident_events where incident_id = ${id} order by id`
    },

    async setFireDetails (row: IncidentRow, fire: FireDetails): Promise<void> {
      await sql`
        insert into fire_details (incident_id, province_code, commune_code, cause, area_m2, people_injured)
        values (${String(row.id)}, ${row.province_code}, ${row.commune_code}, ${fire.cause ?? null}, ${fire.area_m2 ?? null}, ${fire.people_injured ?? null})
        on conflict (incident_id) do update set
          cause = coalesce(excluded.cause, fire_details.cause), area_m2 = coalesce(excluded.area_m2, fire_details.area_m2),
          people_injured = coalesce(excluded.people_injured, fire_details.people_injured)`
    },

    async setRescueDetails (row: IncidentRow, rescue: RescueDetails): Promise<void> {
      await sql`
        insert into rescue_details (incident_id, province_code, commune_code, people_rescued, people_missing)
        values (${String(row.id)}, ${row.province_code}, ${row.commune_code}, ${rescue.people_rescued ?? null}, ${rescue.people_missing ?? null})
        on conflict (incident_id) do update set
          people_rescued = coalesce(excluded.people_rescued, rescue_details.people_rescued),
          people_missing = coalesce(excluded.people_missing, rescue_details.people_missing)`
    },

    async details (id: string): Promise<{ fire: StoredDetails<FireDetails> | null, rescue: StoredDetails<RescueDetails> | null, timing: IncidentTiming }> {
      const [fire] = await sql<StoredDetails<FireDetails>[]>`select cause, area_m2, people_injured from fire_details where incident_id = ${id}`
      const [rescue] = await sql<StoredDetails<RescueDetails>[]>`select people_rescued, people_missing from rescue_details where incident_id = ${id}`
      const [timing] = await sql<IncidentTiming[]>`
        select team_id::text as team_id, dispatched_at, on_scene_at, resolved_at, closed_at, cancelled_at from incidents where id = ${id}`
      return { fire: fire ?? null, rescue: rescue ?? null, timing: timing! }
    },

    /** Whether a team works in a commune (the team sent must be the incident commune's). */
    async teamInCommune (teamId: string, communeCode: string): Promise<boolean> {
      const [row] = await sql`select 1 from teams where id = ${teamId} and commune_code = ${communeCode}`
      return row !== undefined
    },

    async findById (id: string): Promise<IncidentRow | null> {
      const [row] = await sql<IncidentRow[]>`
        select ${incidentColumns(sql)} from incidents i where i.id = ${id}`
      return row ?? null
    },

    async count (): Promise<number> {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from incidents`
      return row!.n
    },

    /** Newest first, keyset-paginated on (occurred_at, id). */
    async list (f: IncidentFilter, limit: number, after: ListCursor | null): Promise<IncidentRow[]> {
      return sql<IncidentRow[]>`
        select ${incidentColumns(sql)}
        from incidents i
        where ${incidentConditions(sql, f)}
          ${after ? sql`and (i.occurred_at, i.id) < (${after.occurredAt}, ${after.id})` : sql``}
        order by i.occurred_at desc, i.id desc
        limit ${limit}`
    },

    /**
     * The export's rows, oldest first, through one cursor of `pageRows` rows at a time (a consistent
     * snapshot; PostgreSQL server). A cursor is one statement from its first fetch to its last, so a
     * statement_timeout would cut a long export that is still moving: it is lifted for this
     * transaction (a stalled reader is cut by the caller's idle time instead).
     */
    async exportRows (f: IncidentFilter, pageRows: number, onRows: (rows: ExportRow[]) => Promise<void>): Promise<void> {
      await sql`set local statement_timeout = 0`
      // postgres.js awaits the callback of every full page but not that of the last one (it
      // resolves the query as soon as the statement completes): awaited here, so the caller never
      // finishes while the last rows are still being written.
      let last: Promise<void> = Promise.resolve()
      await sql<ExportRow[]>`
        select ${exportColumns(sql)} from incidents i
        where ${incidentConditions(sql, f)}
        order by i.occurred_at, i.id`.cursor(pageRows, rows => (last = onRows(rows)))
      await last
    },

    /** The ids of the export's rows, in export order, `fetchRows` at a time (embedded database). */
    async exportIds (f: IncidentFilter, fetchRows: number, onIds: (ids: number[]) => void): Promise<void> {
      await sql<{ id: bigint }[]>`
        select i.id from incidents i
        where ${incidentConditions(sql, f)}
        order by i.occurred_at, i.id`.cursor(fetchRows, rows => { onIds(rows.map(r => Number(r.id))) })
    },

    /** Export rows of these ids, in the order given; ids no longer visible are left out. */
    async exportPage (ids: readonly number[]): Promise<ExportRow[]> {
      return sql<ExportRow[]>`
        select ${exportColumns(sql)}
        from unnest(${ids as number[]}::int8[]) with ordinality as u (id, n)
        join incidents i on i.id = u.id
        order by u.n`
    },

    /** Counts per H3 cell, from the rollup when it can answer exactly, else from the incidents table. */
    async hexCounts (f: IncidentFilter, res: number): Promise<{ source: 'rollup' | 'raw', rows: { h3: bigint, count: number }[] }> {
      if (!rollupCanAnswer(f, res)) return { source: 'raw', rows: await this.hexCountsRaw(f, res) }
      const rows = await this.hexCountsFromRollup({
        ...f, fromDay: f.from ? localDay(f.from) : null, toDay: f.to ? localDay(f.to) : null
      }, res)
      return { source: 'rollup', rows }
    },

    /** Counts per H3 cell straight from the incidents table (any window, any area). */
    async hexCountsRaw (f: IncidentFilter, res: number): Promise<{ h3: bigint, count: number }[]> {
      return sql<{ h3: bigint, count: number }[]>`
        select h3_parent(i.h3, ${res}) as h3, count(*)::int as count
        from incidents i
        where ${incidentConditions(sql, f)}
        group by 1`
    },

    /**
     * Counts per H3 cell and local day, for time series (emerging hotspots). From the rollup's
     * one-day buckets when it can answer (res ≤ ROLLUP_RESOLUTION, administrative area), else raw.
     */
    async hexDailyCounts (f: IncidentFilter, res: number, fromDay: string, toDay: string): Promise<{ h3: bigint, day: string, count: number }[]> {
      const area = f.area
      if (res <= ROLLUP_RESOLUTION && area.kind !== 'bbox') {
        return sql<{ h3: bigint, day: string, count: number }[]>`
          select ${res === ROLLUP_RESOLUTION ? sql`d.h3` : sql`h3_parent(d.h3, ${res})`} as h3,
                 (date '1970-01-01' + d.bucket)::text as day, sum(${categorySum(sql, f.categories)})::int as count
          from incident_rollup d
          where d.span = 1 and d.bucket >= ${dayNumber(fromDay)} and d.bucket < ${dayNumber(toDay)}
            ${area.kind === 'province' ? sql`and d.province_code = ${area.code}` : sql``}
            ${area.kind === 'commune' ? sql`and d.commune_code = ${area.code}` : sql``}
          group by 1, 2
          having sum(${categorySum(sql, f.categories)}) > 0`
      }
      return sql<{ h3: bigint, day: string, count: number }[]>`
        select h3_parent(i.h3, ${res}) as h3, vn_local_day(i.occurred_at)::text as day, count(*)::int as count
        from incidents i
        where ${incidentConditions(sql, f)}
        group by 1, 2`
    },

    /**
     * Counts per H3 cell (res ≤ ROLLUP_RESOLUTION) from the rollup: the window's days are split into
     * dyadic buckets (see dyadic.ts), each read by its primary key. Exact only for windows on
     * local-day bounds and areas that are provinces, communes or everything; the caller decides.
     */
    async hexCountsFromRollup (
      f: IncidentFilter & { fromDay: string | null, toDay: string | null }, res: number
    ): Promise<{ h3: bigint, count: number }[]> {
      const area = f.area
      const areaCondition = sql`
        ${area.kind === 'province' ? sql`and d.province_code = ${area.code}` : sql``}
        ${area.kind === 'commune' ? sql`and d.commune_code = ${area.code}` : sql``}`
      let from = f.fromDay ? dayNumber(f.fromDay) : null
      let to = f.toDay ? dayNumber(f.toDay) : null
      if (from === null || to === null) {
        // An open window ends at the first or last day with data.
        const [extent] = await sql<{ first: number | null, last: number | null }[]>`
          select min(d.bucket) as first, max(d.bucket) as last from incident_rollup d where d.span = 1 ${areaCondition}`
        if (extent?.first == null) return []
        from ??= extent.first
        to ??= extent.last! + 1
      }
      if (from >= to) return []
      const buckets = dyadicBuckets(from, to)
      return sql<{ h3: bigint, count: number }[]>`
        select ${res === ROLLUP_RESOLUTION ? sql`d.h3` : sql`h3_parent(d.h3, ${res})`} as h3,
               sum(${categorySum(sql, f.categories)})::int as count
        from unnest(${buckets.map(b => b.span)}::int2[], ${buckets.map(b => b.bucket)}::int4[]) as b (span, bucket)
        join incident_rollup d on d.span = b.span and d.bucket = b.bucket ${areaCondition}
        group by 1
        having sum(${categorySum(sql, f.categories)}) > 0`
    }
  }
}

/**
 * The rollup answers exactly when the resolution is at most its own, the window falls on
 * local-day bounds and the area is administrative.
 */
export function rollupCanAnswer (filter: IncidentFilter, res: number): boolean {
  return res <= ROLLUP_RESOLUTION && filter.area.kind !== 'bbox' &&
    (filter.from === null || isLocalMidnight(filter.from)) &&
    (filter.to === null || isLocalMidnight(filter.to))
}

/** Sum of the rollup's category columns for a category filter (all: the total column). */
function categorySum (sql: Sql, categories: Category[] | null) {
  if (!categories) return sql`d.total`
  return categories.map(c => sql`d.${sql(`c_${c}`)}`).reduce((sum, column) => sql`${sum} + ${column}`)
}

export type IncidentRepository = ReturnType<typeof incidentRepository>

/** The live feed's view of an incident. */
export function toSnapshot (row: IncidentRow) {
  return {
    id: Number(row.id), category: row.category, severity: row.severity, status: row.status,
    occurred_at: row.occurred_at.toISOString(), lon: row.lon, lat: row.lat,
    commune_code: row.commune_code, province_code: row.province_code
  }
}

export function toFeature (row: IncidentRow) {
  return {
    type: 'Feature' as const,
    geometry: { type: 'Point' as const, coordinates: [row.lon, row.lat] },
    properties: {
      id: Number(row.id),
      category: row.category,
      severity: row.severity,
      status: row.status,
      occurred_at: row.occurred_at.toISOString(),
      reported_at: row.reported_at.toISOString(),
      commune_code: row.commune_code,
      province_code: row.province_code,
      h3: bigintToH3(row.h3),
      description: row.description,
      is_generated: row.is_generated
    }
  }
}
