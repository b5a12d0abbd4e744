import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Area } from '../http/params.ts'
import { assertAreaVisible } from '../auth/area-scope.ts'
import { teamRepository } from './repository.ts'

/** Rules for reading teams: the area must lie in the user's jurisdiction; rows come through row-level security. */
export function teamService (app: FastifyInstance) {
  return {
    async list (request: FastifyRequest, area: Area) {
      await assertAreaVisible(app, request.user!, area)
      return request.scoped(tx => teamRepository(tx).list(area.kind === 'province' || area.kind === 'commune' ? area : null))
    }
  }
}
