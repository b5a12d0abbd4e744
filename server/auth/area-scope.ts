import type { FastifyInstance } from 'fastify'
import { errors } from '../errors.ts'
import type { Area } from '../http/params.ts'
import { scopeOf, type SessionUser } from '../domain/roles.ts'

/**
 * A province or commune named in a query must exist and overlap the user's jurisdiction;
 * otherwise 404, the same answer as for a place that does not exist (no existence leak).
 * Within an overlapping area, row-level security narrows the rows to the jurisdiction.
 */
export async function assertAreaVisible (app: FastifyInstance, user: SessionUser, area: Area): Promise<void> {
  const scope = scopeOf(user)
  if (area.kind === 'province') {
    const visible = await app.geography.provinceExists(area.code) && (
      scope.kind === 'national' ||
      (scope.kind === 'province' && scope.province === area.code) ||
      (scope.kind === 'commune' && (await app.geography.provinceOfCommune(scope.commune)) === area.code))
    if (!visible) throw errors.notFound(`province ${area.code}`)
  }
  if (area.kind === 'commune') {
    const province = await app.geography.provinceOfCommune(area.code)
    const visible = province !== null && (
      scope.kind === 'national' ||
      (scope.kind === 'province' && scope.province === province) ||
      (scope.kind === 'commune' && scope.commune === area.code))
    if (!visible) throw errors.notFound(`commune ${area.code}`)
  }
}

/** May this user write data located in this commune? */
export function scopeCoversPlace (user: SessionUser, place: { commune_code: string, province_code: string }): boolean {
  const scope = scopeOf(user)
  return scope.kind === 'national' ||
    (scope.kind === 'province' && scope.province === place.province_code) ||
    (scope.kind === 'commune' && scope.commune === place.commune_code)
}
