import type { Sql } from '../../../server/db/connection.ts'

/**
 * Test-only communes in a test-only province '99', out at sea in the Gulf of Tonkin where no real
 * commune lies: squares of SIDE degrees whose numbers can be worked by hand. Province 99 keeps
 * them out of Hải Phòng's counts, which other test files check while these run.
 */
export const FIXTURE_PROVINCE = '99'
export const SIDE = 0.02

/** A lon/lat rectangle as a GeoJSON Polygon. */
export function rect (x0: number, y0: number, x1: number, y1: number) {
  return { type: 'Polygon' as const, coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] }
}

/**
 * Inserts square communes side by side from (x0, y0), each SIDE wide, with the given
 * populations; returns their rectangles. Each test file uses its own codes and x0.
 */
export async function fixtureCommunes (sql: Sql, x0: number, communes: { code: string, population: number | null }[], y0 = 19.5) {
  await sql`
    insert into provinces (code, name, name_en) values (${FIXTURE_PROVINCE}, 'Tỉnh thử nghiệm (test)', 'Test province')
    on conflict (code) do nothing`
  const squares: Record<string, ReturnType<typeof rect>> = {}
  for (const [i, c] of communes.entries()) {
    const square = rect(x0 + i * SIDE, y0, x0 + (i + 1) * SIDE, y0 + SIDE)
    squares[c.code] = square
    await sql`
      insert into communes (code, province_code, name, name_en, population, area_km2, geom)
      values (${c.code}, ${FIXTURE_PROVINCE}, ${`Xã thử nghiệm ${c.code}`}, ${`Test commune ${c.code}`}, ${c.population}, 4,
              st_multi(st_setsrid(st_geomfromgeojson(${JSON.stringify(square)}), 4326)))
      on conflict (code) do nothing`
  }
  return squares
}

/** Inserts a team in a commune; returns its id. */
export async function fixtureTeam (sql: Sql, communeCode: string, provinceCode: string, name: string): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    insert into teams (province_code, commune_code, name) values (${provinceCode}, ${communeCode}, ${name}) returning id::text as id`
  return row!.id
}
