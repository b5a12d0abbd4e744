import { readFileSync, existsSync } from 'node:fs'
import type { Sql } from '../db/connection.ts'
import { readCommuneAttributes, type CommuneAttributes } from './attributes.ts'
import { geographyRepository } from './repository.ts'

interface CommuneFeature {
  type: 'Feature'
  geometry: { type: 'Polygon' | 'MultiPolygon', coordinates: unknown }
  properties: {
    code: string, name?: string, nameEn?: string, fullName?: string, fullNameEn?: string,
    areaKm2?: number, provinceCode: string, population?: number
  }
}

interface ProvinceFeature {
  properties: { code: string, name: string, nameEn: string, fullName?: string, fullNameEn?: string }
}

export interface ImportResult { provinces: string[], communes: number, inserted: number, updated: number }

function readJson<T> (file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T
}

/**
 * Loads (or updates in place) the communes of a GeoJSON file shaped like the 2025 ward files:
 * properties code, fullName, fullNameEn, areaKm2, provinceCode. Population comes from the
 * attributes CSV when given. Everything happens in one transaction.
 */
export async function importCommunes (sql: Sql, geojsonFile: string, options: { attributesFile?: string, provincesFile?: string } = {}): Promise<ImportResult> {
  const collection = readJson<{ features: CommuneFeature[] }>(geojsonFile)
  const features = collection.features.filter(f => f.geometry && (f.geometry.type === 'Polygon' || f.geometry.type === 'MultiPolygon'))
  if (features.length === 0) throw new Error(`${geojsonFile}: no Polygon or MultiPolygon features`)
  for (const f of features) {
    if (!f.properties?.code || !f.properties.provinceCode) throw new Error(`${geojsonFile}: a feature lacks properties.code or properties.provinceCode`)
  }
  const attributes: Map<string, CommuneAttributes> = options.attributesFile ? readCommuneAttributes(options.attributesFile) : new Map()
  const provinceNames = new Map<string, ProvinceFeature['properties']>()
  if (options.provincesFile && existsSync(options.provincesFile)) {
    for (const p of readJson<{ features: ProvinceFeature[] }>(options.provincesFile).features) provinceNames.set(p.properties.code, p.properties)
  }

  const provinceCodes = [...new Set(features.map(f => f.properties.provinceCode))]
  return sql.begin(async tx => {
    const geography = geographyRepository(tx as unknown as Sql)
    for (const code of provinceCodes) {
      const known = provinceNames.get(code)
      const fromCsv = [...attributes.values()].find(a => a.province_code === code)?.province_name
      const name = known?.fullName ?? fromCsv ?? `Tỉnh ${code}`
      await geography.upsertProvince({ code, name, name_en: known?.fullNameEn ?? known?.nameEn ?? name })
    }

    let inserted = 0
    for (const f of features) {
      const p = f.properties
      const attr = attributes.get(p.code)
      const name = p.fullName ?? attr?.full_name ?? p.name ?? p.code
      const isNew = await geography.upsertCommune({
        code: p.code, province_code: p.provinceCode, name, name_en: p.fullNameEn ?? p.nameEn ?? name,
        population: attr?.population ?? p.population ?? null, area_km2: p.areaKm2 ?? attr?.area_km2 ?? null, geometry: f.geometry
      })
      if (isNew) inserted++
    }

    for (const code of provinceCodes) await geography.refreshProvinceOutline(code)
    return { provinces: provinceCodes, communes: features.length, inserted, updated: features.length - inserted }
  })
}
