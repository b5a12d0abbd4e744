/**
 * Colours of the coverage map: a sequential palette of patrol dwell minutes per cell, with fixed
 * breaks (readable in a legend and stable across time windows), and the red outline of gap cells.
 */
import type { RGB, RGBA } from '../map/colors.ts'

/**
 * ColorBrewer YlGnBu without its palest step (it vanishes on the pale land). Blue-green, not the
 * incident map's yellow-red, so "patrolled a lot" never reads as "many incidents".
 */
export const DWELL_PALETTE: readonly RGB[] = [
  [199, 233, 180],
  [127, 205, 187],
  [65, 182, 196],
  [29, 145, 192],
  [34, 94, 168],
  [12, 44, 132]
]

/** Upper bounds (exclusive) of the dwell classes in minutes; the last class is open-ended. */
export const DWELL_BREAKS_MINUTES: readonly number[] = [5, 15, 30, 60, 120]

/** Fill opacity of coverage cells: commune outlines and labels show through. */
export const COVERAGE_ALPHA = 190

/** Gap cells: high priority, little patrol time. Red outline, a faint red wash inside. */
export const GAP_LINE: RGBA = [215, 25, 28, 255]
export const GAP_FILL: RGBA = [215, 25, 28, 40]
/** Wide enough to read over a dark coverage cell at commune zoom. */
export const GAP_LINE_PX = 2.5

/**
 * Class index (0 … DWELL_PALETTE.length − 1) of a dwell time.
 *
 * @example
 * dwellClass(4 * 60) // → 0  (under 5 min)
 * dwellClass(45 * 60) // → 3 (30–60 min)
 */
export function dwellClass (dwellSeconds: number): number {
  const minutes = Math.max(0, dwellSeconds) / 60
  const index = DWELL_BREAKS_MINUTES.findIndex(limit => minutes < limit)
  return index === -1 ? DWELL_PALETTE.length - 1 : index
}

export function dwellColor (dwellSeconds: number, alpha = COVERAGE_ALPHA): RGBA {
  const [r, g, b] = DWELL_PALETTE[dwellClass(dwellSeconds)]
  return [r, g, b, alpha]
}

export interface DwellLegendRow {
  color: RGB
  /** Minutes, inclusive. */
  from: number
  /** Minutes, exclusive; null for the open top class. */
  to: number | null
  /** Cells of the data in the class. */
  count: number
}

/** One legend row per class, with how many of the given cells fall in it. */
export function dwellLegend (dwellSeconds: readonly number[]): DwellLegendRow[] {
  const counts = DWELL_PALETTE.map(() => 0)
  for (const s of dwellSeconds) counts[dwellClass(s)]++
  return DWELL_PALETTE.map((color, i) => ({
    color,
    from: i === 0 ? 0 : DWELL_BREAKS_MINUTES[i - 1],
    to: i < DWELL_BREAKS_MINUTES.length ? DWELL_BREAKS_MINUTES[i] : null,
    count: counts[i]
  }))
}
