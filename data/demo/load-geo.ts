// Loads the real commune geometry, population and rivers (read-only shared geodata) into the
// shapes the demo generator takes. Nothing here is copied into the repository.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { area } from '@turf/turf'
import type { FeatureCollection, LineString, MultiLineString, MultiPolygon, Polygon } from 'geojson'
import type { DemoCommune } from './generate.ts'

export const ATTRIBUTES_FILE = 'vn_wards_2025_attributes.csv'
export const RIVERS_FILE = 'naturalearth/ne_10m_rivers_lake_centerlines_vn_region.geojson'

/** RFC 4180 CSV: quoted fields may contain commas, doubled quotes and line breaks. */
export function parseCsv (text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  for (; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++ } else quoted = false
      } else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') { row.push(field); field = '' }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      row.push(field); field = ''
      if (row.length > 1 || row[0] !== '') rows.push(row)
      row = []
    } else field += ch
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row) }
  return rows
}

interface WardAttributes { provinceCode: string; areaKm2: number; population: number | null }

function readAttributes (geoDir: string): Map<string, WardAttributes> {
  const rows = parseCsv(readFileSync(resolve(geoDir, ATTRIBUTES_FILE), 'utf8'))
  const header = rows[0]
  const col = (name: string): number => {
    const i = header.indexOf(name)
    if (i < 0) throw new Error(`${ATTRIBUTES_FILE}: column ${name} missing`)
    return i
  }
  const iCode = col('ward_code'); const iProv = col('province_code'); const iArea = col('area_km2'); const iPop = col('population')
  const out = new Map<string, WardAttributes>()
  for (const r of rows.slice(1)) {
    const pop = r[iPop]?.trim() ? Number(r[iPop]) : NaN
    out.set(r[iCode], {
      provinceCode: r[iProv],
      areaKm2: Number(r[iArea]),
      population: Number.isFinite(pop) && pop > 0 ? pop : null
    })
  }
  return out
}

/**
 * Communes of one full-detail ward file (e.g. 'haiphong_wards_2025.geojson'), with population
 * joined by code from the attributes CSV. A commune without population gets its area × the
 * average density of its province. `name` is the full name, e.g. "Phường Thành Đông".
 */
export function loadDemoCommunes (geoDir: string, wardsFile: string): DemoCommune[] {
  const fc = JSON.parse(readFileSync(resolve(geoDir, wardsFile), 'utf8')) as FeatureCollection<Polygon | MultiPolygon>
  const attrs = readAttributes(geoDir)

  const density = new Map<string, { pop: number; area: number }>()
  for (const a of attrs.values()) {
    if (a.population === null || !(a.areaKm2 > 0)) continue
    const d = density.get(a.provinceCode) ?? { pop: 0, area: 0 }
    d.pop += a.population; d.area += a.areaKm2
    density.set(a.provinceCode, d)
  }

  const communes: DemoCommune[] = []
  for (const f of fc.features) {
    if (!f.geometry || (f.geometry.type !== 'Polygon' && f.geometry.type !== 'MultiPolygon')) continue
    const p = (f.properties ?? {}) as Record<string, unknown>
    const code = String(p.code)
    const a = attrs.get(code)
    const provinceCode = String(p.provinceCode ?? a?.provinceCode ?? '')
    let population = a?.population ?? null
    if (population === null) {
      const areaKm2 = a?.areaKm2 && a.areaKm2 > 0 ? a.areaKm2
        : typeof p.areaKm2 === 'number' && p.areaKm2 > 0 ? p.areaKm2 : area(f) / 1e6
      const d = density.get(provinceCode)
      population = d && d.area > 0 ? Math.round(areaKm2 * d.pop / d.area) : 0
    }
    communes.push({
      code,
      province_code: provinceCode,
      name: String(p.fullName ?? p.name ?? code),
      population,
      geometry: f.geometry
    })
  }
  return communes
}

/** Natural Earth river and lake centrelines of the region (LineString / MultiLineString only). */
export function loadRivers (geoDir: string): FeatureCollection<LineString | MultiLineString> {
  const fc = JSON.parse(readFileSync(resolve(geoDir, RIVERS_FILE), 'utf8')) as FeatureCollection
  return {
    type: 'FeatureCollection',
    features: fc.features.filter((f): f is typeof f & { geometry: LineString | MultiLineString } =>
      f.geometry?.type === 'LineString' || f.geometry?.type === 'MultiLineString')
  } as FeatureCollection<LineString | MultiLineString>
}
