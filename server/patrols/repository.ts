import type { Sql } from '../db/connection.ts'
import type { TravelMode } from '../domain/travel-modes.ts'
import type { Fix } from '../domain/fix.ts'
import type { CellDwell } from '../h3/track-dwell.ts'
import { h3ToBigintString } from '../h3/cells.ts'
import type { CleaningReport } from './clean-track.ts'

/** Where a patrol's rows live (every patrol table carries the area for row-level security). */
export interface PatrolPlace { id: string, province_code: string, commune_code: string }

/** The team a patrol belongs to, as far as its rows need it. */
export interface TeamPlace { id: string, province_code: string, commune_code: string }

/** A cleaned, ended patrol for a bulk insert. */
export interface EndedPatrol {
  team: TeamPlace
  mode: TravelMode | null
  fingerprint: string
  segments: Fix[][]
  report: CleaningReport
  distanceMeters: number
}

export interface PatrolRow {
  id: string
  team_id: string
  team_name: string
  commune_code: string
  province_code: string
  mode: TravelMode | null
  status: 'live' | 'ended'
  started_at: Date | null
  ended_at: Date | null
  fix_count: number
  distance_m: number
  is_generated: boolean
  cleaning: unknown
}

export interface PatrolFilter {
  area: { kind: 'province' | 'commune', code: string } | null
  team: string | null
  from: Date | null
  to: Date | null
  limit: number
}

/** EWKT of a measured multi-line: M is each fix's epoch seconds (kept for playback). */
function trackEwkt (segments: Fix[][]): string {
  const lines = segments.map(segment =>
    `(${segment.map(fix => `${fix.lon} ${fix.lat} ${fix.time / 1000}`).join(', ')})`)
  return `SRID=4326;MULTILINESTRING M (${lines.join(', ')})`
}

/** Fixes farther than this outside the team's commune are not binned into coverage (the rest of the track is). */
export const OUTSIDE_MARGIN_M = 200
/** A box this many degrees of latitude around a point holds every place within the margin (0.002° ≈ 221 m). */
const MARGIN_DEGREES_LAT = 0.002
export const PLACE_BEYOND = 0
export const PLACE_MARGIN = 1
export const PLACE_INSIDE = 2
const PLACE_BATCH = 20_000
/** Cells per insert statement (seven arrays of this length; well under PGlite's limits). */
const CELL_BATCH = 20_000

/**
 * Where each point lies against its commune: PLACE_INSIDE (point-in-polygon on the subdivided
 * parts), PLACE_MARGIN (outside, but within OUTSIDE_MARGIN_M: GPS noise at the boundary) or
 * PLACE_BEYOND. In statements of PLACE_BATCH points; the geography distance runs only for points
 * outside, and only against parts whose box is near.
 */
async function placeFixes (sql: Sql, points: { commune: string, lon: number, lat: number }[]): Promise<Uint8Array> {
  const places = new Uint8Array(points.length)
  for (let i = 0; i < points.length; i += PLACE_BATCH) {
    const batch = points.slice(i, i + PLACE_BATCH)
    const rows = await sql<{ place: number }[]>`
      select case
               when exists (select 1 from commune_parts cp where cp.commune_code = f.commune and st_intersects(cp.geom, f.pt)) then ${PLACE_INSIDE}::int
               when exists (select 1 from commune_parts cp
                            where cp.commune_code = f.commune
                              and cp.geom && st_expand(f.pt, ${MARGIN_DEGREES_LAT} / greatest(cos(radians(f.lat)), 0.01), ${MARGIN_DEGREES_LAT})
                              and st_dwithin(cp.geom::geography, f.pt::geography, ${OUTSIDE_MARGIN_M})) then ${PLACE_MARGIN}::int
               else ${PLACE_BEYOND}::int
             end as place
      from (select n, commune, lat, st_setsrid(st_makepoint(lon, lat), 4326) as pt
            from unnest(${batch.map(p => p.commune)}::text[], ${batch.map(p => p.lon)}::float8[], ${batch.map(p => p.lat)}::float8[])
              with ordinality as u(commune, lon, lat, n)) f
      order by f.n`
    rows.forEach((row, k) => { places[i + k] = row.place })
  }
  return places
}

/** Adds dwell cells of patrols, CELL_BATCH rows a statement: the one insert into patrol_cells. */
async function insertCells (sql: Sql, rows: { patrol: PatrolPlace, cell: CellDwell }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CELL_BATCH) {
    const part = rows.slice(i, i + CELL_BATCH)
    await sql`
      insert into patrol_cells (patrol_id, province_code, commune_code, h3, dwell_seconds, first_visit, last_visit)
      select patrol_id, province_code, commune_code, h3, dwell, to_timestamp(first_ms / 1000.0), to_timestamp(last_ms / 1000.0)
      from unnest(${part.map(r => r.patrol.id)}::bigint[], ${part.map(r => r.patrol.province_code)}::text[], ${part.map(r => r.patrol.commune_code)}::text[],
                  ${part.map(r => h3ToBigintString(r.cell.h3))}::bigint[], ${part.map(r => r.cell.dwellSeconds)}::float8[],
                  ${part.map(r => r.cell.firstVisit)}::float8[], ${part.map(r => r.cell.lastVisit)}::float8[])
        as u (patrol_id, province_code, commune_code, h3, dwell, first_ms, last_ms)`
  }
}

/** All SQL on patrols, their uploads and their cells. Runs on a scoped transaction. */
export function patrolRepository (sql: Sql) {
  return {
    async byFingerprint (teamId: string, fingerprint: string): Promise<string | null> {
      const [row] = await sql<{ id: string }[]>`
        select id::text as id from patrols where team_id = ${teamId} and fingerprint = ${fingerprint}`
      return row?.id ?? null
    },

    /**
     * A new patrol's id, or null when one with the same fingerprint exists: a concurrent upload of
     * the same track waits here for the first to commit and then gets null, never a key error.
     */
    async create (patrol: { team: TeamPlace, mode: TravelMode | null, status: 'live' | 'ended', fingerprint: string | null, createdBy: string | null, isGenerated?: boolean }): Promise<string | null> {
      const [row] = await sql<{ id: string }[]>`
        insert into patrols (province_code, commune_code, team_id, mode, status, fingerprint, created_by, is_generated)
        values (${patrol.team.province_code}, ${patrol.team.commune_code}, ${patrol.team.id}, ${patrol.mode}, ${patrol.status},
                ${patrol.fingerprint}, ${patrol.createdBy}, ${patrol.isGenerated ?? false})
        on conflict (team_id, fingerprint) where fingerprint is not null do nothing
        returning id::text as id`
      return row?.id ?? null
    },

    /**
     * Locks a patrol's row until the transaction ends and returns its status (null if none):
     * batches of one live patrol, sent at once by a retrying phone, then append one after another,
     * each seeing the batches committed before it.
     */
    async lockPatrol (id: string): Promise<'live' | 'ended' | null> {
      const [row] = await sql<{ status: 'live' | 'ended' }[]>`select status from patrols where id = ${id} for update`
      return row?.status ?? null
    },

    async addUpload (patrol: PatrolPlace, format: string, content: string): Promise<void> {
      await sql`
        insert into patrol_uploads (patrol_id, province_code, commune_code, format, content)
        values (${patrol.id}, ${patrol.province_code}, ${patrol.commune_code}, ${format}, ${content})`
    },

    async uploads (patrolId: string) {
      return sql<{ format: string, content: string }[]>`
        select format, content from patrol_uploads where patrol_id = ${patrolId} order by id`
    },

    /** Sets the cleaned track and its figures (an empty track clears it). */
    async setTrack (patrolId: string, track: { segments: Fix[][], cleaning: unknown, distanceMeters: number, mode: TravelMode | null }): Promise<void> {
      const fixes = track.segments.reduce((n, s) => n + s.length, 0)
      const first = track.segments[0]?.[0]
      const lastSegment = track.segments[track.segments.length - 1]
      const last = lastSegment?.[lastSegment.length - 1]
      await sql`
        update patrols set
          track = ${fixes > 0 ? sql`st_geomfromewkt(${trackEwkt(track.segments)})` : sql`null`},
          fix_count = ${fixes},
          distance_m = ${track.distanceMeters},
          started_at = ${first ? new Date(first.time) : null},
          ended_at = case when status = 'ended' then ${last ? new Date(last.time) : null}::timestamptz else null end,
          cleaning = ${sql.json(track.cleaning as never)},
          mode = coalesce(mode, ${track.mode})
        where id = ${patrolId}`
    },

    async end (patrolId: string): Promise<void> {
      await sql`
        update patrols set status = 'ended',
          ended_at = coalesce(to_timestamp(st_m(st_endpoint(st_geometryn(track, st_numgeometries(track))))), now())
        where id = ${patrolId}`
    },

    /** The local days a patrol's cells were first visited on (their coverage rows change with it). */
    async cellDays (patrolId: string): Promise<string[]> {
      const rows = await sql<{ day: string }[]>`
        select distinct to_char(vn_local_day(first_visit), 'YYYY-MM-DD') as day
        from patrol_cells where patrol_id = ${patrolId}`
      return rows.map(r => r.day)
    },

    /** Replaces a patrol's cells (see insertCells). */
    async replaceCells (patrol: PatrolPlace, cells: CellDwell[]): Promise<void> {
      await sql`delete from patrol_cells where patrol_id = ${patrol.id}`
      await insertCells(sql, cells.map(cell => ({ patrol, cell })))
    },

    /** Adds dwell cells of patrols (see insertCells). */
    async insertCells (rows: { patrol: PatrolPlace, cell: CellDwell }[]): Promise<void> {
      await insertCells(sql, rows)
    },

    /** A patrol's res-10 cells (H3 as bigint). */
    async cells (patrolId: string): Promise<bigint[]> {
      const rows = await sql<{ h3: bigint }[]>`select h3 from patrol_cells where patrol_id = ${patrolId}`
      return rows.map(r => r.h3)
    },

    /**
     * Stores ended patrols with their cleaned tracks in one statement (bulk loads); a fingerprint
     * the team already has is skipped. Returns the ids of those stored, by fingerprint.
     */
    async insertEnded (patrols: EndedPatrol[], isGenerated: boolean): Promise<Map<string, string>> {
      const ends = patrols.map(p => { const last = p.segments[p.segments.length - 1]!; return last[last.length - 1]! })
      const rows = await sql<{ id: string, fingerprint: string }[]>`
        insert into patrols (province_code, commune_code, team_id, mode, status, fingerprint, track, fix_count, distance_m,
                             started_at, ended_at, cleaning, is_generated)
        select province_code, commune_code, team_id, mode, 'ended', fingerprint, st_geomfromewkt(track), fix_count, distance_m,
               started_at, ended_at, cleaning::jsonb, ${isGenerated}
        from unnest(${patrols.map(p => p.team.province_code)}::text[], ${patrols.map(p => p.team.commune_code)}::text[],
                    ${patrols.map(p => p.team.id)}::bigint[], ${patrols.map(p => p.mode)}::text[],
                    ${patrols.map(p => p.fingerprint)}::text[], ${patrols.map(p => trackEwkt(p.segments))}::text[],
                    ${patrols.map(p => p.report.kept)}::int[], ${patrols.map(p => p.distanceMeters)}::float8[],
                    ${patrols.map(p => new Date(p.segments[0]![0]!.time).toISOString())}::timestamptz[],
                    ${ends.map(fix => new Date(fix.time).toISOString())}::timestamptz[],
                    ${patrols.map(p => JSON.stringify(p.report))}::text[])
          as u (province_code, commune_code, team_id, mode, fingerprint, track, fix_count, distance_m, started_at, ended_at, cleaning)
        on conflict (team_id, fingerprint) where fingerprint is not null do nothing
        returning id::text as id, fingerprint`
      return new Map(rows.map(r => [r.fingerprint, r.id]))
    },

    /** Where each point lies against its commune (see placeFixes). */
    async place (points: { commune: string, lon: number, lat: number }[]): Promise<Uint8Array> {
      return placeFixes(sql, points)
    },

    /** How many of the points lie in the commune (point-in-polygon on its subdivided parts). */
    async countInside (communeCode: string, points: { lon: number, lat: number }[]): Promise<number> {
      if (points.length === 0) return 0
      const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n
        from unnest(${points.map(p => p.lon)}::float8[], ${points.map(p => p.lat)}::float8[]) as f(lon, lat)
        where exists (select 1 from commune_parts cp
                      where cp.commune_code = ${communeCode}
                        and st_intersects(cp.geom, st_setsrid(st_makepoint(f.lon, f.lat), 4326)))`
      return row!.n
    },

    async list (filter: PatrolFilter): Promise<PatrolRow[]> {
      return sql<PatrolRow[]>`
        select p.id::text as id, p.team_id::text as team_id, t.name as team_name, p.commune_code, p.province_code, p.mode, p.status,
               p.started_at, p.ended_at, p.fix_count, p.distance_m, p.is_generated, p.cleaning
        from patrols p join teams t on t.id = p.team_id
        where true
          ${filter.area?.kind === 'province' ? sql`and p.province_code = ${filter.area.code}` : sql``}
          ${filter.area?.kind === 'commune' ? sql`and p.commune_code = ${filter.area.code}` : sql``}
          ${filter.team ? sql`and p.team_id = ${filter.team}` : sql``}
          ${filter.from ? sql`and p.started_at >= ${filter.from}` : sql``}
          ${filter.to ? sql`and p.started_at < ${filter.to}` : sql``}
        order by p.started_at desc nulls first, p.id desc
        limit ${filter.limit}`
    },

    async get (id: string): Promise<PatrolRow | null> {
      const [row] = await sql<PatrolRow[]>`
        select p.id::text as id, p.team_id::text as team_id, t.name as team_name, p.commune_code, p.province_code, p.mode, p.status,
               p.started_at, p.ended_at, p.fix_count, p.distance_m, p.is_generated, p.cleaning
        from patrols p join teams t on t.id = p.team_id
        where p.id = ${id}`
      return row ?? null
    },

    /** The cleaned track as segments of [lon, lat] and, in parallel, epoch seconds (from M). */
    async trackPoints (id: string): Promise<{ coordinates: [number, number][][], times: number[][] }> {
      const rows = await sql<{ part: number, lon: number, lat: number, t: number }[]>`
        select (d.path)[1] as part, st_x(d.geom) as lon, st_y(d.geom) as lat, st_m(d.geom) as t
        from patrols p, st_dumppoints(p.track) d
        where p.id = ${id} and p.track is not null
        order by (d.path)[1], (d.path)[2]`
      const coordinates: [number, number][][] = []
      const times: number[][] = []
      for (const row of rows) {
        const i = row.part - 1
        coordinates[i] ??= []
        times[i] ??= []
        coordinates[i]!.push([row.lon, row.lat])
        times[i]!.push(row.t)
      }
      return { coordinates: coordinates.filter(Boolean), times: times.filter(Boolean) }
    }
  }
}

export type PatrolRepository = ReturnType<typeof patrolRepository>
