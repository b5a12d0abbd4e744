import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { IncidentFilter } from '../domain/area.ts'
import { bigintToH3 } from '../h3/cells.ts'
import { assertAreaVisible } from '../auth/area-scope.ts'
import { incidentRepository } from '../incidents/repository.ts'

/** Incident counts per H3 cell within the user's jurisdiction; coarser cells are parents of each incident's stored res-10 cell. */
export function hexService (app: FastifyInstance) {
  return {
    async counts (request: FastifyRequest, filter: IncidentFilter, res: number) {
      await assertAreaVisible(app, request.user!, filter.area)
      const { source, rows } = await request.scoped(tx => incidentRepository(tx).hexCounts(filter, res))
      let total = 0
      const cells = rows.map(row => {
        total += row.count
        return { h3: bigintToH3(row.h3), count: row.count }
      })
      return { res, source, total, cells }
    }
  }
}
