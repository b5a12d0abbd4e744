import type { Sql } from '../db/connection.ts'

export interface ProvinceSummary {
  code: string, name: string, name_en: string, commune_count: number, population: number | null,
  bbox: [number, number, number, number] | null
}

/** Vertices per piece of a commune cut for fast point-in-polygon. */
const SUBDIVIDE_MAX_VERTICES = 64

/** All SQL on provinces, communes and their pieces. Public reference data: runs on the server's connection. */
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

    /** The province's communes with population, area (km²) and outline as GeoJSON text, by code. */
    async communeShapes (provinceCode: string) {
      return sql<{ code: string, province_code: string, name: string, population: number | null, area_km2: number, geometry: string }[]>`
        select code, province_code, name, population, area_km2, st_asgeojson(geom) as geometry
        from communes where province_code = ${provinceCode} order by code`
    },

    /**
     * The pieces of the province's communes within `bufferM` metres (on the spheroid) of the
     * lines, with their areas and their communes' (m²). Buffered and clipped in PostGIS: GEOS is
     * far faster than turf on full-detail commune boundaries.
     */
    async communePiecesNear (provinceCode: string, lines: unknown[][], bufferM: number) {
      if (lines.length === 0) return []
      return sql<{ code: string, geometry: string, area_m2: number, commune_area_m2: number }[]>`
        with band as (
          select st_buffer(st_setsrid(st_geomfromgeojson(${JSON.stringify({ type: 'MultiLineString', coordinates: lines })}), 4326)::geography, ${bufferM})::geometry as g
        ), piece as (
          select c.code, c.geom as commune, st_multi(st_collectionextract(st_intersection(c.geom, band.g), 3)) as g
          from communes c, band where c.province_code = ${provinceCode} and st_intersects(c.geom, band.g)
        )
        select code, st_asgeojson(g, 6) as geometry, st_area(g::geography) as area_m2, st_area(commune::geography) as commune_area_m2
        from piece where not st_isempty(g) order by code`
    },

    // ---- loading boundaries (server/communes/import.ts) ---------------------------------------

    async upsertProvince (province: { code: string, name: string, name_en: string }): Promise<void> {
      await sql`
        insert into provinces (code, name, name_en) values (${province.code}, ${province.name}, ${province.name_en})
        on conflict (code) do update set name = excluded.name, name_en = excluded.name_en`
    },

    /**
     * Inserts or updates a commune in place (its polygon made valid, as a MultiPolygon; its area
     * computed on the spheroid when not given) and cuts it into pieces of at most
     * SUBDIVIDE_MAX_VERTICES vertices for fast point-in-polygon. True when it was new.
     */
    async upsertCommune (commune: {
      code: string, province_code: string, name: string, name_en: string, population: number | null, area_km2: number | null, geometry: unknown
    }): Promise<boolean> {
      const [row] = await sql<{ inserted: boolean }[]>`
        insert into communes (code, province_code, name, name_en, population, area_km2, geom)
        select ${commune.code}, ${commune.province_code}, ${commune.name}, ${commune.name_en}, ${commune.population},
               coalesce(${commune.area_km2}::float8, st_area(g::geography) / 1e6), g
        from (select st_multi(st_collectionextract(st_makevalid(
                st_setsrid(st_geomfromgeojson(${JSON.stringify(commune.geometry)}), 4326)), 3)) as g) s
        on conflict (code) do update set
          province_code = excluded.province_code, name = excluded.name, name_en = excluded.name_en,
          population = excluded.population, area_km2 = excluded.area_km2, geom = excluded.geom
        returning (xmax = 0) as inserted`
      await sql`delete from commune_parts where commune_code = ${commune.code}`
      await sql`
        insert into commune_parts (commune_code, province_code, geom)
        select code, province_code, (st_dump(st_subdivide(geom, ${SUBDIVIDE_MAX_VERTICES}))).geom
        from communes where code = ${commune.code}`
      return row!.inserted
    },

    /** A province's outline: the union of its communes. */
    async refreshProvinceOutline (code: string): Promise<void> {
      await sql`
        update provinces set geom = (
          select st_multi(st_collectionextract(st_union(geom), 3)) from communes where province_code = ${code}
        ) where code = ${code}`
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
