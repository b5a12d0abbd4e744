import type { Sql } from '../db/connection.ts'
import type { TravelMode } from '../domain/travel-modes.ts'

export interface Waypoint { order: number, h3: string, lon: number, lat: number, priority: number, arrival_minute: number }
export interface Figures {
  budget_minutes: number, duration_minutes: number, distance_m: number, collected_priority: number, baseline_priority: number,
  baseline_distance_m: number, expected_coverage_gain: { cells: number, priority_share: number }, candidates: number
}
export interface PlanRow {
  id: string, team_id: string, commune_code: string, province_code: string, mode: TravelMode, budget_minutes: number,
  /** GeoJSON texts of the start point and the route line. */
  start: string, route: string,
  waypoints: Waypoint[], figures: Figures, window_from: Date, window_to: Date, created_at: Date
}

export interface NewPlan {
  team: { id: string, province_code: string, commune_code: string }
  mode: TravelMode
  budgetMinutes: number
  start: [number, number]
  /** The drawn route, [lon, lat] positions (at least two). */
  route: number[][]
  waypoints: Waypoint[]
  figures: Figures
  windowFrom: Date
  windowTo: Date
  createdBy: string
}

/** All SQL on patrol_plans. Runs on a scoped transaction. */
export function planRepository (sql: Sql) {
  return {
    async insert (plan: NewPlan): Promise<string> {
      const routeEwkt = `SRID=4326;LINESTRING(${plan.route.map(c => `${c[0]} ${c[1]}`).join(', ')})`
      const [row] = await sql<{ id: string }[]>`
        insert into patrol_plans (province_code, commune_code, team_id, mode, budget_minutes, start, route, waypoints, figures, window_from, window_to, created_by)
        values (${plan.team.province_code}, ${plan.team.commune_code}, ${plan.team.id}, ${plan.mode}, ${plan.budgetMinutes},
                st_setsrid(st_makepoint(${plan.start[0]}, ${plan.start[1]}), 4326), st_geomfromewkt(${routeEwkt}),
                ${sql.json(plan.waypoints as never)}, ${sql.json(plan.figures as never)},
                ${plan.windowFrom}, ${plan.windowTo}, ${plan.createdBy})
        returning id::text as id`
      return row!.id
    },

    async findById (id: string): Promise<PlanRow | null> {
      const [row] = await sql<PlanRow[]>`
        select id::text as id, team_id::text as team_id, commune_code, province_code, mode, budget_minutes,
               st_asgeojson(start) as start, st_asgeojson(route) as route, waypoints, figures, window_from, window_to, created_at
        from patrol_plans where id = ${id}`
      return row ?? null
    }
  }
}
