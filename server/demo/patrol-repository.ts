import type { Sql } from '../db/connection.ts'

/** What the demo patrol generator reads: the province's commune shapes and where its incidents cluster. */
export function demoPatrolRepository (sql: Sql) {
  return {
    async communeGeometries (provinceCode: string) {
      return sql<{ code: string, geometry: string }[]>`
        select code, st_asgeojson(geom) as geometry from communes where province_code = ${provinceCode} order by code`
    },

    /** Each commune's res-9 cells with the most incidents in the window (ties by cell), up to `perCommune`. */
    async busiestCells (provinceCode: string, window: { from: Date, to: Date }, perCommune: number) {
      return sql<{ commune_code: string, h3: bigint, n: number }[]>`
        select commune_code, h3, n from (
          select commune_code, h3_parent(h3, 9) as h3, count(*)::int as n,
                 row_number() over (partition by commune_code order by count(*) desc, h3_parent(h3, 9)) as rank
          from incidents
          where province_code = ${provinceCode} and occurred_at >= ${window.from} and occurred_at < ${window.to}
          group by 1, 2) ranked
        where rank <= ${perCommune}`
    }
  }
}
