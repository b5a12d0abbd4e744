/** Pure helpers that tie the H3 grid resolution to the map zoom. */

export const MIN_RES = 5
export const MAX_RES = 10
export const RESOLUTIONS = [5, 6, 7, 8, 9, 10] as const

/**
 * Zoom thresholds for automatic resolution: below 9 a res-7 cell (~5 km²) is a few pixels wide,
 * from 12 on res 10 (~0.015 km², ~65 m across) is the finest the API serves.
 */
const ZOOM_STEPS: ReadonlyArray<[minZoom: number, res: number]> = [
  [12, 10],
  [10.5, 9],
  [9, 8]
]
const COARSE_RES = 7

/** Resolution that the zoom calls for: zoom <9 → 7, 9–10.5 → 8, 10.5–12 → 9, ≥12 → 10. */
export function resForZoom (zoom: number): number {
  for (const [minZoom, res] of ZOOM_STEPS) if (zoom >= minZoom) return res
  return COARSE_RES
}

export function isResolution (n: number): boolean {
  return Number.isInteger(n) && n >= MIN_RES && n <= MAX_RES
}
