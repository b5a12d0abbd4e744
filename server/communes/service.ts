import type { FastifyInstance } from 'fastify'
import { assertAreaVisible } from '../auth/area-scope.ts'
import { scopeOf, type SessionUser } from '../domain/roles.ts'

/**
 * Rules for reading the geography: everyone sees the provinces their jurisdiction touches (a
 * commune user: their own province). Provinces and communes are public reference data, read on
 * the server's connection (app.geography), not through row-level security.
 */
export function geographyService (app: FastifyInstance) {
  /** The province a non-national user works in; null for national users. */
  async function ownProvince (user: SessionUser): Promise<string | null> {
    const scope = scopeOf(user)
    if (scope.kind === 'national') return null
    return scope.kind === 'province' ? scope.province : app.geography.provinceOfCommune(scope.commune)
  }

  return {
    async provinces (user: SessionUser) {
      const provinces = await app.geography.provinces()
      if (scopeOf(user).kind === 'national') return provinces
      const own = await ownProvince(user)
      return provinces.filter(p => p.code === own)
    },

    /** Communes as GeoJSON text: of the given province, else of the user's own (all, for national users). */
    async communesGeoJson (user: SessionUser, province: string | undefined, simplify: number): Promise<string> {
      if (province) await assertAreaVisible(app, user, { kind: 'province', code: province })
      return app.geography.communesGeoJson(province ?? await ownProvince(user), simplify)
    }
  }
}
