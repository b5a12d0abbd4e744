import type { Database } from '../db/connection.ts'
import { cellToLatLng } from 'h3-js'
import { bigintToH3 } from '../h3/cells.ts'
import { generatePatrols, type PatrolCommuneInput } from '../../data/demo/patrols.ts'
import { bulkInsertPatrols } from '../patrols/bulk-insert.ts'

/** Each commune's teams favour its most incident-heavy res-9 cells (up to this many). */
const FAVOURED_PLACES_PER_COMMUNE = 8

export interface DemoPatrolOptions { provinceCode: string, seed: number, days: number, end: Date, maxSpeedKmh?: number }

/**
 * Generated patrol tracks for every generated team of a province (data/demo/patrols.ts), through
 * the same cleaning and dwell binning as uploads. Teams favour the places where the demo's
 * incidents cluster, so coverage follows incidents only partly and has real gaps.
 */
export async function loadDemoPatrols (db: Database, options: DemoPatrolOptions) {
  const sql = db.sql
  const communeRows = await sql<{ code: string, geometry: string }[]>`
    select code, st_asgeojson(geom) as geometry from communes where province_code = ${options.provinceCode} order by code`
  const hot = await sql<{ commune_code: string, h3: bigint, n: number }[]>`
    select commune_code, h3, n from (
      select commune_code, h3_parent(h3, 9) as h3, count(*)::int as n,
             row_number() over (partition by commune_code order by count(*) desc, h3_parent(h3, 9)) as rank
      from incidents
      where province_code = ${options.provinceCode} and occurred_at >= ${new Date(options.end.getTime() - 90 * 86_400_000)} and occurred_at < ${options.end}
      group by 1, 2) ranked
    where rank <= ${FAVOURED_PLACES_PER_COMMUNE}`
  const favoured = new Map<string, [number, number][]>()
  for (const row of hot) {
    const [lat, lon] = cellToLatLng(bigintToH3(row.h3))
    favoured.set(row.commune_code, [...(favoured.get(row.commune_code) ?? []), [lon, lat]])
  }
  const communes: PatrolCommuneInput[] = communeRows.map(r => ({ code: r.code, geometry: JSON.parse(r.geometry), favouredPlaces: favoured.get(r.code) }))
  const teams = await sql<{ id: string, name: string, commune_code: string, province_code: string }[]>`
    select id::text as id, name, commune_code, province_code from teams where province_code = ${options.provinceCode} and is_generated order by id`
  // The generator keys each team's random streams by this id: commune and team name stay the same
  // when the demo is generated again (database ids do not), so the same seed gives the same tracks.
  const stableKey = (team: { commune_code: string, name: string }) => `${team.commune_code}/${team.name}`
  const idOfKey = new Map(teams.map(t => [stableKey(t), t.id]))
  const generated = generatePatrols(communes, teams.map(t => ({ ...t, id: stableKey(t) })), { seed: options.seed, end: options.end, days: options.days })
  const patrols = (function * () {
    for (const p of generated) {
      yield { team: { id: idOfKey.get(p.team_id)!, province_code: p.province_code, commune_code: p.commune_code }, mode: p.mode, segments: [p.fixes] }
    }
  })()
  return sql.begin(tx => bulkInsertPatrols(tx as never, patrols, { isGenerated: true, cleaning: { maxSpeedKmh: options.maxSpeedKmh ?? 130 } }))
}
