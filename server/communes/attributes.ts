import { readFileSync } from 'node:fs'
import { parse } from 'csv-parse/sync'

export interface CommuneAttributes {
  ward_code: string
  province_code: string
  full_name: string
  province_name: string
  area_km2: number | null
  population: number | null
}

/** Reads vn_wards_2025_attributes.csv (quoted fields hold commas) into a map by commune code. */
export function readCommuneAttributes (file: string): Map<string, CommuneAttributes> {
  const records = parse(readFileSync(file, 'utf8'), { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[]
  const byCode = new Map<string, CommuneAttributes>()
  for (const r of records) {
    const number = (text: string | undefined) => (text === undefined || text.trim() === '' || Number.isNaN(Number(text)) ? null : Number(text))
    byCode.set(r.ward_code!, {
      ward_code: r.ward_code!,
      province_code: r.province_code!,
      full_name: r.full_name!,
      province_name: r.province_name!,
      area_km2: number(r.area_km2),
      population: number(r.population)
    })
  }
  return byCode
}
