import type { Database } from '../db/connection.ts'
import { cellToLatLng } from 'h3-js'
import { bigintToH3 } from '../h3/cells.ts'
import { generatePatrols, type PatrolCommuneInput } from '../../data/demo/patrols.ts'
import { addLocalDays } from '../domain/vn-time.ts'
import { bulkInsertPatrols } from '../patrols/bulk-insert.ts'
import { teamRepository } from '../teams/repository.ts'
import { demoPatrolRepository } from './patrol-repository.ts'

/** Each commune's teams favour its most incident-heavy res-9 cells (up to this many). */
const FAVOURED_PLACES_PER_COMMUNE = 8
/** The incidents of this many days before the end make those places. */
const FAVOURED_PLACES_DAYS = 90

export interface DemoPatrolOptions { provinceCode: string, seed: number, days: number, end: Date, maxSpeedKmh?: number }

/**
 * Generated patrol tracks for every generated team of a province (data/demo/patrols.ts), through
 * the same cleaning and dwell binning as uploads. Teams favour the places where the demo's
 * incidents cluster, so coverage follows incidents only partly and has real gaps.
 */
export async function loadDemoPatrols (db: Database, options: DemoPatrolOptions) {
  const sql = db.sql
  const demo = demoPatrolRepository(sql)
  const communeRows = await demo.communeGeometries(options.provinceCode)
  const hot = await demo.busiestCells(options.provinceCode, { from: addLocalDays(options.end, -FAVOURED_PLACES_DAYS), to: options.end }, FAVOURED_PLACES_PER_COMMUNE)
  const favoured = new Map<string, [number, number][]>()
  for (const row of hot) {
    const [lat, lon] = cellToLatLng(bigintToH3(row.h3))
    favoured.set(row.commune_code, [...(favoured.get(row.commune_code) ?? []), [lon, lat]])
  }
  const communes: PatrolCommuneInput[] = communeRows.map(r => ({ code: r.code, geometry: JSON.parse(r.geometry), favouredPlaces: favoured.get(r.code) }))
  const teams = await teamRepository(sql).generatedInProvince(options.provinceCode)
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
