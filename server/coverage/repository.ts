import type { Sql } from '../db/connection.ts'

export interface CoverageFilter {
  area: { kind: 'province' | 'commune', code: string }
  team: string | null
  /** Local days, from inclusive, to exclusive (YYYY-MM-DD). */
  fromDay: string
  toDay: string
}

export interface CoverageCellRow { h3: bigint, commune_code: string, team_id: string, visits: number, dwell_seconds: number, last_visit: Date }

/** Which rows of the rollup to recompute: some local days of one team, or whole teams. */
export type CoverageScope = { teamId: string, days: string[] } | { teamIds: string[] }

/**
 * Transaction-scoped advisory locks on the coverage rollup, always in one order so two writers
 * never deadlock: a team's lock first (shared by writers of some of its days, exclusive for a
 * rebuild of the whole team), then its team-days, sorted by key. Keys are 64-bit hashes of the
 * names; a collision only makes two writers wait for each other.
 */
async function lockScope (sql: Sql, scope: CoverageScope): Promise<void> {
  if ('teamIds' in scope) {
    await sql`
      select pg_advisory_xact_lock(k)
      from (select distinct hashtextextended('patrol_coverage_daily team ' || t::bigint::text, 0) as k
            from unnest(${scope.teamIds}::text[]) t order by k) keys`
    return
  }
  await sql`select pg_advisory_xact_lock_shared(hashtextextended('patrol_coverage_daily team ' || ${scope.teamId}::bigint::text, 0))`
  await sql`
    select pg_advisory_xact_lock(k)
    from (select distinct hashtextextended('patrol_coverage_daily day ' || ${scope.teamId}::bigint::text || ' ' || to_char(d::date, 'YYYY-MM-DD'), 0) as k
          from unnest(${scope.days}::text[]) d order by k) keys`
}

/**
 * The daily coverage rollup (patrol_coverage_daily): its one writer (`refresh`, from the patrols'
 * cells) and its reads, the hot path of coverage maps and KPIs.
 */
export function coverageRepository (sql: Sql) {
  return {
    /**
     * Recomputes the rollup for the scope from the patrols' cells, under the scope's locks (see
     * lockScope), held to commit. Two patrols of a team may refresh the same day at once: the
     * later one waits for that team-day's lock and then, in a new statement snapshot, sees the
     * earlier one's cells and rows (without it both deleted the same rows and inserted the same
     * keys: a unique violation, the batch lost). A rebuild of whole teams (bulk loads) takes the
     * teams' exclusive locks, so a live patrol refreshing one of their days waits, and is waited for.
     * Call it inside a transaction.
     */
    async refresh (scope: CoverageScope): Promise<void> {
      const teamIds = 'teamIds' in scope ? scope.teamIds : [scope.teamId]
      const days = 'days' in scope ? scope.days : null
      if (teamIds.length === 0 || days?.length === 0) return
      await lockScope(sql, scope)
      await sql`
        delete from patrol_coverage_daily
        where team_id = any(${teamIds}::bigint[]) ${days ? sql`and day = any(${days}::date[])` : sql``}`
      await sql`
        insert into patrol_coverage_daily (province_code, commune_code, team_id, day, h3, dwell_seconds, patrols, last_visit)
        select p.province_code, p.commune_code, p.team_id, vn_local_day(c.first_visit) as day, c.h3,
               sum(c.dwell_seconds), count(distinct c.patrol_id)::int, max(c.last_visit)
        from patrol_cells c join patrols p on p.id = c.patrol_id
        where p.team_id = any(${teamIds}::bigint[]) ${days ? sql`and vn_local_day(c.first_visit) = any(${days}::date[])` : sql``}
        group by 1, 2, 3, 4, 5`
    },

    /**
     * Dwell per team and cell at `res` over whole local days. Visits: patrols entering the cell,
     * counted per team and day; at a coarser resolution than 10 the most visited child cell of
     * that team-day stands for the parent (exact when a team patrols a cell once a day).
     */
    async cellsByTeam (f: CoverageFilter, res: number): Promise<CoverageCellRow[]> {
      return sql<CoverageCellRow[]>`
        with daily as (
          select d.team_id, d.commune_code, d.day, h3_parent(d.h3, ${res}) as h3,
                 sum(d.dwell_seconds) as dwell, max(d.patrols) as visits, max(d.last_visit) as last_visit
          from patrol_coverage_daily d
          where d.day >= ${f.fromDay}::date and d.day < ${f.toDay}::date
            ${f.area.kind === 'province' ? sql`and d.province_code = ${f.area.code}` : sql`and d.commune_code = ${f.area.code}`}
            ${f.team ? sql`and d.team_id = ${f.team}` : sql``}
          group by 1, 2, 3, 4
        )
        select h3, commune_code, team_id::text as team_id, sum(visits)::int as visits, sum(dwell)::float8 as dwell_seconds, max(last_visit) as last_visit
        from daily
        group by h3, commune_code, team_id`
    },

    /** The communes of a province, by code (a province's coverage has KPIs per commune). */
    async communeCodes (provinceCode: string): Promise<string[]> {
      const rows = await sql<{ code: string }[]>`select code from communes where province_code = ${provinceCode} order by code`
      return rows.map(r => r.code)
    },

    /** Patrols and patrol minutes per team in the window (from the patrols themselves). */
    async teamTotals (f: CoverageFilter) {
      return sql<{ team_id: string, team_name: string, commune_code: string, patrols: number, patrol_minutes: number }[]>`
        select t.id::text as team_id, t.name as team_name, t.commune_code,
               count(p.id)::int as patrols,
               coalesce(sum(extract(epoch from (p.ended_at - p.started_at)) / 60), 0)::float8 as patrol_minutes
        from teams t
        left join patrols p on p.team_id = t.id
          and vn_local_day(p.started_at) >= ${f.fromDay}::date
          and vn_local_day(p.started_at) < ${f.toDay}::date
        where ${f.area.kind === 'province' ? sql`t.province_code = ${f.area.code}` : sql`t.commune_code = ${f.area.code}`}
          ${f.team ? sql`and t.id = ${f.team}` : sql``}
        group by t.id, t.name, t.commune_code
        order by t.commune_code, t.id`
    }
  }
}
