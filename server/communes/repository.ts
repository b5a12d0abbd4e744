import type { Sql } from '../db/connection.ts'

export interface ProvinceSummary {
  code: string, name: string, name_en: string, commune_count: number, population: number | null,
  bbox: [number, number, number, number] | null
}

export function geographyRepository (sql: Sql) {
  return {
    async provinces (): Promise<ProvinceSummary[]> {
      const rows = await sql<(Omit<ProvinceSummary, 'bbox'> & { xmin: number | null, ymin: number, xmax: number, ymax: number })[]>`
        select p.code, p.name, p.name_en, count(c.code)::int as commune_count,
               sum(c.population)::int as population,
               st_xmin(st_extent(c.geom)) as xmin, st_ymin(st_extent(c.geom)) as ymin,
               st_xmax(st_extent(c.geom)) as xmax, st_ymax(st_extent(c.geom)) as ymax
        from provinces p join communes c on c.province_code = p.code
        group by p.code, p.name, p.name_en
        order by p.code`
      return rows.map(({ xmin, ymin, xmax, ymax, ...rest }) => ({
        ...rest, bbox: xmin === null ? null : [xmin, ymin, xmax, ymax]
      }))
    },

    async provinceExists (code: string): Promise<boolean> {
      const [row] = await sql`select 1 from provinces where code = ${code}`
      return row !== undefined
    },

    async communeExists (code: string): Promise<boolean> {
      const [row] = await sql`select 1 from communes where code = ${code}`
      return row !== undefined
    },

    /** The province a commune belongs to, or null when there is no such commune. */
    async provinceOfCommune (code: string): Promise<string | null> {
      const [row] = await sql<{ province_code: string }[]>`select province_code from communes where code = ${code}`
      return row?.province_code ?? null
    },

    /** The commune holding a point (point-in-polygon on the commune pieces), or null. */
    async locate (lon: number, lat: number): Promise<{ commune_code: string, province_code: string } | null> {
      const [row] = await sql<{ commune_code: string, province_code: string }[]>`
        select p.commune_code, p.province_code from commune_parts p
        where st_intersects(p.geom, st_setsrid(st_makepoint(${lon}, ${lat}), 4326))
        limit 1`
      return row ?? null
    },

    async communeCount (): Promise<number> {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from communes`
      return row!.n
    },

    /** Communes as a GeoJSON FeatureCollection built in the database (one text value). */
    async communesGeoJson (provinceCode: string | null, simplifyTolerance: number): Promise<string> {
      const [row] = await sql<{ collection: string }[]>`
        select json_build_object(
          'type', 'FeatureCollection',
          'features', coalesce(json_agg(json_build_object(
            'type', 'Feature',
            'id', c.code,
            'geometry', st_asgeojson(
              ${simplifyTolerance > 0 ? sql`st_multi(st_simplifypreservetopology(c.geom, ${simplifyTolerance}))` : sql`c.geom`}, 6)::json,
            'properties', json_build_object(
              'code', c.code, 'name', c.name, 'name_en', c.name_en, 'province_code', c.province_code,
              'population', c.population, 'area_km2', round(c.area_km2::numeric, 2))
          ) order by c.code), '[]'::json)
        )::text as collection
        from communes c
        ${provinceCode ? sql`where c.province_code = ${provinceCode}` : sql``}`
      return row!.collection
    }
  }
}

export type GeographyRepository = ReturnType<typeof geographyRepository>
