import type { Sql } from '../db/connection.ts'

export interface CoverageFilter {
  area: { kind: 'province' | 'commune', code: string }
  team: string | null
  /** Local days, from inclusive, to exclusive (YYYY-MM-DD). */
  fromDay: string
  toDay: string
}

export interface CoverageCellRow { h3: bigint, commune_code: string, team_id: string, visits: number, dwell_seconds: number, last_visit: Date }

/** Reads of the daily coverage rollup (patrol_coverage_daily): the hot path of coverage maps and KPIs. */
export function coverageRepository (sql: Sql) {
  return {
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

    /** Patrols and patrol minutes per team in the window (from the patrols themselves). */
    async teamTotals (f: CoverageFilter) {
      return sql<{ team_id: string, team_name: string, commune_code: string, patrols: number, patrol_minutes: number }[]>`
        select t.id::text as team_id, t.name as team_name, t.commune_code,
               count(p.id)::int as patrols,
               coalesce(sum(extract(epoch from (p.ended_at - p.started_at)) / 60), 0)::float8 as patrol_minutes
        from teams t
        left join patrols p on p.team_id = t.id
          and (p.started_at at time zone 'Asia/Ho_Chi_Minh')::date >= ${f.fromDay}::date
          and (p.started_at at time zone 'Asia/Ho_Chi_Minh')::date < ${f.toDay}::date
        where ${f.area.kind === 'province' ? sql`t.province_code = ${f.area.code}` : sql`t.commune_code = ${f.area.code}`}
          ${f.team ? sql`and t.id = ${f.team}` : sql``}
        group by t.id, t.name, t.commune_code
        order by t.commune_code, t.id`
    }
  }
}
