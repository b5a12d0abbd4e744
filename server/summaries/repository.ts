import type { Sql } from '../db/connection.ts'
import { CATEGORIES, STATUSES } from '../domain/incident-status.ts'

export interface CommuneSummaryRow {
  code: string
  name: string
  name_en: string
  population: number | null
  total: number
  previous_total: number
  by_category: Record<string, number>
  by_status: Record<string, number>
  median_response_seconds: number | null
  median_handling_seconds: number | null
}

type Area = { province: string } | { commune: string }

/**
 * Per-commune figures for a window and the count of the window of the same length just before it.
 * Runs in the scoped transaction: the caller asks only for areas the user may see whole.
 */
export async function communeSummaries (sql: Sql, area: Area, from: Date, to: Date): Promise<CommuneSummaryRow[]> {
  const previousFrom = new Date(from.getTime() - (to.getTime() - from.getTime()))
  const communeFilter = 'commune' in area ? sql`c.code = ${area.commune}` : sql`c.province_code = ${area.province}`
  const totals = await sql<Omit<CommuneSummaryRow, 'by_category' | 'by_status'>[]>`
    select c.code, c.name, c.name_en, c.population,
           count(i.id) filter (where i.occurred_at >= ${from})::int as total,
           count(i.id) filter (where i.occurred_at < ${from})::int as previous_total,
           percentile_cont(0.5) within group (order by extract(epoch from i.dispatched_at - i.reported_at))
             filter (where i.occurred_at >= ${from} and i.dispatched_at is not null) as median_response_seconds,
           percentile_cont(0.5) within group (order by extract(epoch from i.resolved_at - i.reported_at))
             filter (where i.occurred_at >= ${from} and i.resolved_at is not null) as median_handling_seconds
    from communes c
    left join incidents i on i.commune_code = c.code and i.occurred_at >= ${previousFrom} and i.occurred_at < ${to}
    where ${communeFilter}
    group by c.code, c.name, c.name_en, c.population
    order by c.code`
  const breakdown = await sql<{ code: string, category: string, status: string, n: number }[]>`
    select i.commune_code as code, i.category, i.status, count(*)::int as n
    from incidents i join communes c on c.code = i.commune_code
    where ${communeFilter} and i.occurred_at >= ${from} and i.occurred_at < ${to}
    group by 1, 2, 3`
  const zero = (keys: readonly string[]) => Object.fromEntries(keys.map(k => [k, 0])) as Record<string, number>
  const byCommune = new Map(totals.map(row => [row.code, { ...row, by_category: zero(CATEGORIES), by_status: zero(STATUSES) }]))
  for (const { code, category, status, n } of breakdown) {
    const row = byCommune.get(code)!
    row.by_category[category]! += n
    row.by_status[status]! += n
  }
  return [...byCommune.values()].map(row => ({
    ...row,
    median_response_seconds: row.median_response_seconds === null ? null : Number(row.median_response_seconds),
    median_handling_seconds: row.median_handling_seconds === null ? null : Number(row.median_handling_seconds)
  }))
}
