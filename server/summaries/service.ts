import type { FastifyInstance, FastifyRequest } from 'fastify'
import { errors } from '../errors.ts'
import { scopeOf } from '../domain/roles.ts'
import { DAY_MS, startOfLocalDay } from '../domain/vn-time.ts'
import { parseTimeWindow } from '../http/params.ts'
import { assertAreaVisible } from '../auth/area-scope.ts'
import { communeSummaries, type CommuneSummaryRow } from './repository.ts'

const DEFAULT_WINDOW_DAYS = 30

/** The window asked for (default: the 30 local days before today) and the one of the same length before it. */
function window (query: { from?: string, to?: string }) {
  const parsed = parseTimeWindow(query)
  const to = parsed.to ?? startOfLocalDay()
  const from = parsed.from ?? new Date(to.getTime() - DEFAULT_WINDOW_DAYS * DAY_MS)
  if (from >= to) throw errors.invalidField('from', 'must be earlier than to')
  return { from, to, previous_from: new Date(from.getTime() - (to.getTime() - from.getTime())) }
}

const isoWindow = (w: ReturnType<typeof window>) => ({ from: w.from.toISOString(), to: w.to.toISOString(), previous_from: w.previous_from.toISOString() })

/**
 * The derived figures of a summary row: resolved share = (resolved + closed) / (all − cancelled),
 * incidents per 1,000 residents, and the change against the previous window.
 */
export function summaryFigures (row: CommuneSummaryRow) {
  const settled = row.total - (row.by_status.cancelled ?? 0)
  const resolved = (row.by_status.resolved ?? 0) + (row.by_status.closed ?? 0)
  return {
    ...row,
    resolved_share: settled > 0 ? resolved / settled : null,
    per_1000_residents: row.population ? (row.total / row.population) * 1000 : null,
    change: row.total - row.previous_total,
    change_pct: row.previous_total > 0 ? ((row.total - row.previous_total) / row.previous_total) * 100 : null
  }
}

/** Figures per commune for a time window, against the window of the same length before it. */
export function summaryService (app: FastifyInstance) {
  return {
    async commune (request: FastifyRequest, code: string, query: { from?: string, to?: string }) {
      await assertAreaVisible(app, request.user!, { kind: 'commune', code })
      const w = window(query)
      const [row] = await request.scoped(tx => communeSummaries(tx, { commune: code }, w.from, w.to))
      return { ...isoWindow(w), commune: summaryFigures(row!) }
    },

    async province (request: FastifyRequest, code: string, query: { from?: string, to?: string }) {
      await assertAreaVisible(app, request.user!, { kind: 'province', code })
      // A commune account would see one commune's figures beside zeros for the rest: not a province view.
      if (scopeOf(request.user!).kind === 'commune') throw errors.notFound(`province ${code}`)
      const w = window(query)
      const rows = await request.scoped(tx => communeSummaries(tx, { province: code }, w.from, w.to))
      return { ...isoWindow(w), communes: rows.map(summaryFigures) }
    }
  }
}
