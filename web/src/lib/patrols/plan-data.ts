/** Pure helpers of the route planner: what the route layers draw and the figures shown. */
import type { PatrolPlan, PlanWaypoint } from '../api/patrols.ts'

export interface WaypointMark {
  position: [number, number]
  /** "1", "2", … in visiting order. */
  label: string
  order: number
  waypoint: PlanWaypoint
}

/** The numbered marks of a plan's waypoints, in visiting order. */
export function waypointMarks (plan: PatrolPlan | undefined): WaypointMark[] {
  if (!plan) return []
  return [...plan.properties.waypoints]
    .sort((a, b) => a.order - b.order)
    .map(w => ({ position: [w.lon, w.lat] as [number, number], label: String(w.order), order: w.order, waypoint: w }))
}

/** The route's line (start → waypoints → start), as PathLayer rows. */
export function routePaths (plan: PatrolPlan | undefined): { path: [number, number][] }[] {
  if (!plan || plan.geometry.coordinates.length < 2) return []
  return [{ path: plan.geometry.coordinates.map(([lon, lat]) => [lon, lat] as [number, number]) }]
}

/**
 * How much more priority the planned route collects than the nearest-neighbour baseline, as a
 * share (0.25 = 25 % more); undefined when the baseline collected nothing.
 */
export function gainOverBaseline (collected: number, baseline: number): number | undefined {
  if (!(baseline > 0)) return undefined
  return (collected - baseline) / baseline
}

/** Budget limits of the planner (minutes), as the API accepts them. */
export const MIN_BUDGET = 30
export const MAX_BUDGET = 240

export function clampBudget (minutes: number): number {
  if (!Number.isFinite(minutes)) return 60
  return Math.min(MAX_BUDGET, Math.max(MIN_BUDGET, Math.round(minutes)))
}

/**
 * The commune opened first for a province account: the one with most incidents, else the first
 * by name (`codes` in display order).
 */
export function defaultCommune (codes: readonly string[], totals?: ReadonlyMap<string, number>): string | undefined {
  if (codes.length === 0) return undefined
  if (!totals || totals.size === 0) return codes[0]
  let best = codes[0]
  let bestTotal = totals.get(best) ?? 0
  for (const code of codes) {
    const total = totals.get(code) ?? 0
    if (total > bestTotal) {
      best = code
      bestTotal = total
    }
  }
  return best
}

/** ISO bounds of the last `days` days ending now (to the minute, so repeated loads share a key). */
export function windowRange (days: number, now = Date.now()): { from: string, to: string } {
  const to = Math.ceil(now / 60_000) * 60_000
  return { from: new Date(to - days * 86_400_000).toISOString(), to: new Date(to).toISOString() }
}

/** [minLon, minLat, maxLon, maxLat] of a (multi)polygon's coordinates; undefined when empty. */
export function polygonBBox (coordinates: readonly (readonly (readonly number[])[])[][]): [number, number, number, number] | undefined {
  let w = Infinity
  let s = Infinity
  let e = -Infinity
  let n = -Infinity
  for (const polygon of coordinates) {
    for (const ring of polygon) {
      for (const [lon, lat] of ring) {
        if (lon < w) w = lon
        if (lon > e) e = lon
        if (lat < s) s = lat
        if (lat > n) n = lat
      }
    }
  }
  return Number.isFinite(w) ? [w, s, e, n] : undefined
}
