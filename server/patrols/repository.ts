import type { Sql } from '../db/connection.ts'
import type { Fix } from './track-formats.ts'
import type { CellDwell } from '../h3/track-dwell.ts'
import { h3ToBigintString } from '../h3/cells.ts'

export type TravelModeName = 'foot' | 'motorbike'

export interface TeamRow { id: string, name: string, commune_code: string, province_code: string, commune_name: string }

export interface PatrolRow {
  id: string
  team_id: string
  team_name: string
  commune_code: string
  province_code: string
  mode: TravelModeName | null
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
export function trackEwkt (segments: Fix[][]): string {
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

/**
 * Transaction-scoped advisory locks on the coverage rollup, always in one order so two writers
 * never deadlock: a team's lock first (shared by writers of some of its days, exclusive for a
 * rebuild of the whole team), then its team-days, sorted by key. Keys are 64-bit hashes of the
 * names; a collision only makes two writers wait for each other.
 */
export async function lockCoverageDays (sql: Sql, teamId: string, days: string[]): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(hashtextextended('patrol_coverage_daily team ' || ${teamId}::bigint::text, 0))`
  await sql`
    select pg_advisory_xact_lock(k)
    from (select distinct hashtextextended('patrol_coverage_daily day ' || ${teamId}::bigint::text || ' ' || to_char(d::date, 'YYYY-MM-DD'), 0) as k
          from unnest(${days}::text[]) d order by k) keys`
}

/** Exclusive locks on whole teams' coverage (see lockCoverageDays), sorted by key. */
export async function lockCoverageTeams (sql: Sql, teamIds: string[]): Promise<void> {
  await sql`
    select pg_advisory_xact_lock(k)
    from (select distinct hashtextextended('patrol_coverage_daily team ' || t::bigint::text, 0) as k
          from unnest(${teamIds}::text[]) t order by k) keys`
}

/**
 * Where each point lies against its commune: PLACE_INSIDE (point-in-polygon on the subdivided
 * parts), PLACE_MARGIN (outside, but within OUTSIDE_MARGIN_M: GPS noise at the boundary) or
 * PLACE_BEYOND. In statements of PLACE_BATCH points; the geography distance runs only for points
 * outside, and only against parts whose box is near.
 */
export async function placeFixes (sql: Sql, points: { commune: string, lon: number, lat: number }[]): Promise<Uint8Array> {
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

export function patrolRepository (sql: Sql) {
  return {
    async team (id: string): Promise<TeamRow | null> {
      const [row] = await sql<TeamRow[]>`
        select t.id::text as id, t.name, t.commune_code, t.province_code, c.name as commune_name
        from teams t join communes c on c.code = t.commune_code
        where t.id = ${id}`
      return row ?? null
    },

    async teams (area: { kind: 'province' | 'commune', code: string } | null) {
      return sql<{ id: string, name: string, commune_code: string, province_code: string, members: number, is_generated: boolean }[]>`
        select t.id::text as id, t.name, t.commune_code, t.province_code, t.is_generated,
               (select count(*)::int from team_members m where m.team_id = t.id) as members
        from teams t
        where true
          ${area?.kind === 'province' ? sql`and t.province_code = ${area.code}` : sql``}
          ${area?.kind === 'commune' ? sql`and t.commune_code = ${area.code}` : sql``}
        order by t.commune_code, t.id`
    },

    async byFingerprint (teamId: string, fingerprint: string): Promise<string | null> {
      const [row] = await sql<{ id: string }[]>`
        select id::text as id from patrols where team_id = ${teamId} and fingerprint = ${fingerprint}`
      return row?.id ?? null
    },

    /**
     * A new patrol's id, or null when one with the same fingerprint exists: a concurrent upload of
     * the same track waits here for the first to commit and then gets null, never a key error.
     */
    async create (patrol: { team: TeamRow, mode: TravelModeName | null, status: 'live' | 'ended', fingerprint: string | null, createdBy: string | null, isGenerated?: boolean }): Promise<string | null> {
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

    async addUpload (patrol: { id: string, province_code: string, commune_code: string }, format: string, content: string): Promise<void> {
      await sql`
        insert into patrol_uploads (patrol_id, province_code, commune_code, format, content)
        values (${patrol.id}, ${patrol.province_code}, ${patrol.commune_code}, ${format}, ${content})`
    },

    async uploads (patrolId: string) {
      return sql<{ format: string, content: string }[]>`
        select format, content from patrol_uploads where patrol_id = ${patrolId} order by id`
    },

    /** Sets the cleaned track and its figures (an empty track clears it). */
    async setTrack (patrolId: string, track: { segments: Fix[][], cleaning: unknown, distanceMeters: number, mode: TravelModeName | null }): Promise<void> {
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
        select distinct to_char((first_visit at time zone 'Asia/Ho_Chi_Minh')::date, 'YYYY-MM-DD') as day
        from patrol_cells where patrol_id = ${patrolId}`
      return rows.map(r => r.day)
    },

    /** Replaces a patrol's cells, in batches (one statement per 5,000 cells). */
    async replaceCells (patrol: { id: string, province_code: string, commune_code: string }, cells: CellDwell[]): Promise<void> {
      await sql`delete from patrol_cells where patrol_id = ${patrol.id}`
      const BATCH = 5_000
      for (let i = 0; i < cells.length; i += BATCH) {
        const batch = cells.slice(i, i + BATCH)
        await sql`
          insert into patrol_cells (patrol_id, province_code, commune_code, h3, dwell_seconds, first_visit, last_visit)
          select ${patrol.id}, ${patrol.province_code}, ${patrol.commune_code}, h3, dwell, to_timestamp(first_ms / 1000.0), to_timestamp(last_ms / 1000.0)
          from unnest(${batch.map(c => h3ToBigintString(c.h3))}::bigint[], ${batch.map(c => c.dwellSeconds)}::float8[],
                      ${batch.map(c => c.firstVisit)}::float8[], ${batch.map(c => c.lastVisit)}::float8[]) as t(h3, dwell, first_ms, last_ms)`
      }
    },

    /**
     * Recomputes the daily coverage rollup of one team for the given local days from its patrols'
     * cells. Two patrols of a team may do this at once for the same day: each first takes that
     * team-day's lock (lockCoverageDays), held to commit, so the later one waits and then, in a
     * new statement snapshot, sees the earlier one's cells and rows. Without it both deleted the
     * same rows and inserted the same keys (a unique violation, the batch lost).
     */
    async refreshCoverage (teamId: string, days: string[]): Promise<void> {
      if (days.length === 0) return
      await lockCoverageDays(sql, teamId, days)
      await sql`delete from patrol_coverage_daily where team_id = ${teamId} and day = any(${days}::date[])`
      await sql`
        insert into patrol_coverage_daily (province_code, commune_code, team_id, day, h3, dwell_seconds, patrols, last_visit)
        select p.province_code, p.commune_code, p.team_id, (c.first_visit at time zone 'Asia/Ho_Chi_Minh')::date as day, c.h3,
               sum(c.dwell_seconds), count(distinct c.patrol_id)::int, max(c.last_visit)
        from patrol_cells c join patrols p on p.id = c.patrol_id
        where p.team_id = ${teamId} and (c.first_visit at time zone 'Asia/Ho_Chi_Minh')::date = any(${days}::date[])
        group by 1, 2, 3, 4, 5`
    },

    /** Where each point lies against one commune (see placeFixes). */
    async placeInCommune (communeCode: string, points: { lon: number, lat: number }[]): Promise<Uint8Array> {
      return placeFixes(sql, points.map(p => ({ commune: communeCode, lon: p.lon, lat: p.lat })))
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
