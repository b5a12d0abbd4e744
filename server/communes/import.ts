import { readFileSync, existsSync } from 'node:fs'
import type { Sql } from '../db/connection.ts'
import { readCommuneAttributes, type CommuneAttributes } from './attributes.ts'

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

/** Vertices per piece of a commune cut for fast point-in-polygon. */
const SUBDIVIDE_MAX_VERTICES = 64

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
    for (const code of provinceCodes) {
      const known = provinceNames.get(code)
      const fromCsv = [...attributes.values()].find(a => a.province_code === code)?.province_name
      const name = known?.fullName ?? fromCsv ?? `Tỉnh ${code}`
      const nameEn = known?.fullNameEn ?? known?.nameEn ?? name
      await tx`
        insert into provinces (code, name, name_en) values (${code}, ${name}, ${nameEn})
        on conflict (code) do update set name = excluded.name, name_en = excluded.name_en`
    }

    let inserted = 0
    let updated = 0
    for (const f of features) {
      const p = f.properties
      const attr = attributes.get(p.code)
      const name = p.fullName ?? attr?.full_name ?? p.name ?? p.code
      const nameEn = p.fullNameEn ?? p.nameEn ?? name
      const population = attr?.population ?? p.population ?? null
      const area = p.areaKm2 ?? attr?.area_km2 ?? null
      const [row] = await tx<{ inserted: boolean }[]>`
        insert into communes (code, province_code, name, name_en, population, area_km2, geom)
        select ${p.code}, ${p.provinceCode}, ${name}, ${nameEn}, ${population},
               coalesce(${area}::float8, st_area(g::geography) / 1e6), g
        from (select st_multi(st_collectionextract(st_makevalid(
                st_setsrid(st_geomfromgeojson(${JSON.stringify(f.geometry)}), 4326)), 3)) as g) s
        on conflict (code) do update set
          province_code = excluded.province_code, name = excluded.name, name_en = excluded.name_en,
          population = excluded.population, area_km2 = excluded.area_km2, geom = excluded.geom
        returning (xmax = 0) as inserted`
      if (row!.inserted) inserted++
      else updated++
      await tx`delete from commune_parts where commune_code = ${p.code}`
      await tx`
        insert into commune_parts (commune_code, province_code, geom)
        select code, province_code, (st_dump(st_subdivide(geom, ${SUBDIVIDE_MAX_VERTICES}))).geom
        from communes where code = ${p.code}`
    }

    for (const code of provinceCodes) {
      await tx`
        update provinces set geom = (
          select st_multi(st_collectionextract(st_union(geom), 3)) from communes where province_code = ${code}
        ) where code = ${code}`
    }
    return { provinces: provinceCodes, communes: features.length, inserted, updated }
  })
}
