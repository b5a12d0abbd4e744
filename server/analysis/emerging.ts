import { benjaminiHochberg } from './fdr.ts'
import { giStarOn, kRingNeighbourhoods } from './gi-star.ts'
import { mannKendall } from './mann-kendall.ts'

/**
 * Emerging hot-spot analysis: how each cell's hot- or cold-spot status changes over T time steps,
 * after the pattern definitions of ArcGIS Pro's "Emerging Hot Spot Analysis" tool.
 *
 * Per time step t, Gi* (binary k-ring weights inside the study area, `giStarOn`) gives each cell a
 * z-score z_t and p-value; the p-values of the step are Benjamini–Hochberg adjusted over the
 * cells (p̃_t). A step is a significant HOT step when p̃_t ≤ α and z_t > 0, a significant COLD step
 * when p̃_t ≤ α and z_t < 0 (α = 0.10 by default). The intensity trend is the Mann–Kendall test on
 * the cell's z series z_1 … z_T (`mannKendall`); it is significant when its p ≤ trendAlpha (default:
 * α) — increasing when S > 0, decreasing when S < 0.
 *
 * Unlike ArcGIS, each step is analysed on its own (a spatial Gi* per time slice, no neighbouring
 * time steps in the neighbourhood) and the mean and variance are those of the step, not of the
 * whole cube.
 *
 * Patterns, for hot spots (cold spots: swap hot ↔ cold, and "increasing" ↔ "decreasing", since a
 * cold spot intensifies when its z falls). h = number of hot steps; "≥ 90 %" means h ≥ 0.9·T
 * (tested as 10h ≥ 9T). Checked in this order, the first that holds wins:
 *
 *   intensifying  final step hot, h ≥ 90 % of T, significant increasing trend
 *   diminishing   final step hot, h ≥ 90 % of T, significant decreasing trend
 *   persistent    final step hot, h ≥ 90 % of T, no significant trend
 *   new           final step hot, and no earlier step hot (h = 1)
 *   consecutive   final step hot, the hot steps are one uninterrupted run of ≥ 2 steps ending at
 *                 the final step (never hot before the run), h < 90 % of T
 *   oscillating   final step hot, h < 90 % of T, some earlier step was a significant cold spot
 *   sporadic      final step hot, h < 90 % of T, on-and-off hot history (hot earlier, but not as
 *                 one run into the final step), never a significant cold spot
 *   historical    final step NOT hot, hot in ≥ 90 % of the T − 1 earlier steps (ArcGIS's text
 *                 says "90 % of the time-step intervals"; counting the earlier steps only, as
 *                 here, does not let the one non-hot final step count against the history)
 *   no_pattern    none of the above for hot nor for cold; direction null
 *
 * The final step decides the direction (it is hot, cold or neither); only `historical` can apply
 * when it is neither, and hot and cold cannot both be historical. `new` and `consecutive` are
 * checked before `oscillating`: a cell whose only hot steps are a run into the present is new or
 * consecutive even if it was a cold spot before. At least 2 time steps are required; with fewer
 * than 10 steps "≥ 90 %" means "every step" (ArcGIS asks for 10 or more steps for this analysis).
 */

export const EMERGING_PATTERNS = [
  'new', 'consecutive', 'intensifying', 'persistent', 'diminishing', 'sporadic', 'oscillating', 'historical', 'no_pattern'
] as const
export type EmergingPattern = typeof EMERGING_PATTERNS[number]
export type EmergingDirection = 'hot' | 'cold' | null

export interface EmergingTrend {
  /** Kendall's tau-b of the z series against time. */
  tau: number
  /** Two-sided Mann–Kendall p-value. */
  p: number
  /** Mann–Kendall S. */
  s: number
  /** Mann–Kendall z (continuity-corrected). */
  z: number
}

export interface EmergingOptions {
  /** Per-step significance: BH-adjusted p ≤ alpha. Default 0.10. */
  alpha?: number
  /** Trend significance: Mann–Kendall p ≤ trendAlpha. Default: alpha. */
  trendAlpha?: number
}

export interface EmergingClassification {
  pattern: EmergingPattern
  direction: EmergingDirection
  trend: EmergingTrend
}

function checkLevel (name: string, value: number): number {
  if (!(value > 0 && value < 1)) throw new RangeError(`${name} must be between 0 and 1, got ${value}`)
  return value
}

/**
 * Pattern of one cell from its per-step Gi* z-scores and BH-adjusted p-values (oldest step first),
 * by the definitions in the module note.
 *
 * @example
 * classifyEmerging([0.3, -0.2, 0.5, 2.9], [0.8, 0.9, 0.7, 0.01])
 * // { pattern: 'new', direction: 'hot', trend: { … } }
 */
export function classifyEmerging (
  z: readonly number[], pAdjusted: readonly number[], options: EmergingOptions = {}
): EmergingClassification {
  const alpha = checkLevel('alpha', options.alpha ?? 0.1)
  const trendAlpha = checkLevel('trendAlpha', options.trendAlpha ?? alpha)
  const steps = z.length
  if (pAdjusted.length !== steps) throw new RangeError(`z and p differ in length: ${steps} vs ${pAdjusted.length}`)
  if (steps < 2) throw new RangeError(`Emerging hot-spot analysis needs at least 2 time steps, got ${steps}`)
  const mk = mannKendall(z)
  const trend: EmergingTrend = { tau: mk.tau, p: mk.p, s: mk.s, z: mk.z }
  const hot = z.map((zt, t) => pAdjusted[t] <= alpha && zt > 0)
  const cold = z.map((zt, t) => pAdjusted[t] <= alpha && zt < 0)
  const last = steps - 1
  const trendSignificant = mk.p <= trendAlpha && mk.s !== 0

  for (const direction of ['hot', 'cold'] as const) {
    const same = direction === 'hot' ? hot : cold
    const opposite = direction === 'hot' ? cold : hot
    const count = same.filter(Boolean).length
    if (same[last]) {
      if (10 * count >= 9 * steps) {
        const intensifying = direction === 'hot' ? mk.s > 0 : mk.s < 0
        const pattern = !trendSignificant ? 'persistent' : intensifying ? 'intensifying' : 'diminishing'
        return { pattern, direction, trend }
      }
      if (count === 1) return { pattern: 'new', direction, trend }
      let runStart = last
      while (runStart > 0 && same[runStart - 1]) runStart--
      if (last - runStart + 1 === count) return { pattern: 'consecutive', direction, trend }
      if (opposite.slice(0, last).some(Boolean)) return { pattern: 'oscillating', direction, trend }
      return { pattern: 'sporadic', direction, trend }
    }
  }
  for (const direction of ['hot', 'cold'] as const) {
    const same = direction === 'hot' ? hot : cold
    const earlier = same.slice(0, last).filter(Boolean).length
    if (10 * earlier >= 9 * last) return { pattern: 'historical', direction, trend }
  }
  return { pattern: 'no_pattern', direction: null, trend }
}

export interface EmergingInput extends EmergingOptions {
  /** The study area: each cell once, one resolution. */
  cells: readonly string[]
  /** countsPerStep[t][i]: events in cells[i] during time step t, oldest step first (0 when none). */
  countsPerStep: readonly (readonly number[])[]
  /** k-ring radius of the Gi* neighbourhood. */
  k: number
}

export interface EmergingCell extends EmergingClassification {
  h3: string
  /** Gi* z-score per time step. */
  z: number[]
  /** BH-adjusted p-value per time step (adjusted over the cells of that step). */
  p_adjusted: number[]
}

/**
 * Emerging hot-spot analysis of a study area over time steps (see the module note): Gi* per step
 * with BH adjustment per step, Mann–Kendall on each cell's z series, and one pattern per cell.
 * Returns one row per cell, in the order of `cells`.
 *
 * @example
 * emergingHotspots({ cells, countsPerStep: months.map(m => cells.map(c => counts[m].get(c) ?? 0)), k: 1 })
 * // [{ h3, z: [...], p_adjusted: [...], trend: { tau, p, s, z }, pattern: 'intensifying', direction: 'hot' }, …]
 */
export function emergingHotspots (input: EmergingInput): EmergingCell[] {
  const { cells, countsPerStep, k } = input
  const neighbourhoods = kRingNeighbourhoods(cells, k)
  const perStep = countsPerStep.map((counts, t) => {
    if (counts.length !== cells.length) {
      throw new RangeError(`Step ${t} has ${counts.length} counts for ${cells.length} cells`)
    }
    const { z, p } = giStarOn(neighbourhoods, counts)
    return { z, pAdjusted: benjaminiHochberg(p) }
  })
  return cells.map((h3, i) => {
    const z = perStep.map(step => step.z[i])
    const pAdjusted = perStep.map(step => step.pAdjusted[i])
    return { h3, z, p_adjusted: pAdjusted, ...classifyEmerging(z, pAdjusted, input) }
  })
}
