import type { Sql } from '../db/connection.ts'
import { geographyRepository } from '../communes/repository.ts'
import type { DemoCommune } from '../../data/demo/generate.ts'

/**
 * The communes of a province as the demo generators want them. A commune without a population
 * figure gets the province's average density.
 */
export async function readDemoCommunes (sql: Sql, provinceCode: string): Promise<DemoCommune[]> {
  const rows = await geographyRepository(sql).communeShapes(provinceCode)
  const known = rows.filter(r => r.population !== null)
  const density = known.reduce((s, r) => s + r.population!, 0) / Math.max(1, known.reduce((s, r) => s + r.area_km2, 0))
  return rows.map(r => ({
    code: r.code,
    province_code: r.province_code,
    name: r.name,
    population: r.population ?? Math.round(r.area_km2 * density),
    geometry: JSON.parse(r.geometry)
  }))
}
