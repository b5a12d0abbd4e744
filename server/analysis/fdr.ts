/**
 * False discovery rate control (Benjamini–Hochberg) and the hot/cold-spot classes built on it.
 */

/**
 * Benjamini–Hochberg adjusted p-values (the "BH"/"fdr" method of R's `p.adjust`).
 *
 * With m p-values sorted ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎, the adjusted value of the i-th smallest is
 *
 *   p̃₍ᵢ₎ = min( 1, min_{j ≥ i} m · p₍ⱼ₎ / j )
 *
 * (step-up: the running minimum from the largest p downwards makes the result monotone in p).
 * Rejecting every hypothesis with p̃ ≤ α controls the false discovery rate at α for independent or
 * positively dependent tests. Returned in the input order; ties get equal adjusted values.
 * Throws on a p-value that is NaN or outside [0, 1].
 *
 * @example
 * benjaminiHochberg([0.01, 0.04, 0.03, 0.005]) // [0.02, 0.04, 0.04, 0.02]
 */
export function benjaminiHochberg (p: readonly number[]): number[] {
  const m = p.length
  for (let i = 0; i < m; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) throw new RangeError(`p-value ${i} is not in [0, 1]: ${p[i]}`)
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => p[a] - p[b])
  const adjusted = new Array<number>(m)
  let running = 1
  for (let rank = m; rank >= 1; rank--) {
    const index = order[rank - 1]
    const candidate = (m * p[index]) / rank
    if (candidate < running) running = candidate
    adjusted[index] = running
  }
  return adjusted
}

export const HOTSPOT_CLASSES = [
  'hot_99', 'hot_95', 'hot_90', 'cold_99', 'cold_95', 'cold_90', 'not_significant'
] as const
export type HotspotClass = typeof HOTSPOT_CLASSES[number]

/**
 * Class of one cell from its Gi* z-score and its (already adjusted) p-value: hot when z > 0, cold
 * when z < 0, at the strictest level α ∈ {0.01, 0.05, 0.10} with p ≤ α (→ 99, 95, 90 % confidence);
 * `not_significant` when p > 0.10 or z = 0.
 *
 * @example
 * classifyCell(3.1, 0.004) // 'hot_99'
 * classifyCell(-2.0, 0.07) // 'cold_90'
 */
export function classifyCell (z: number, pAdjusted: number): HotspotClass {
  if (!(z !== 0) || !(pAdjusted <= 0.1)) return 'not_significant'
  const side = z > 0 ? 'hot' : 'cold'
  const level = pAdjusted <= 0.01 ? '99' : pAdjusted <= 0.05 ? '95' : '90'
  return `${side}_${level}` as HotspotClass
}

export interface ClassifyOptions {
  /**
   * true (default): `p` holds raw p-values, and the classes use their Benjamini–Hochberg
   * adjustment. false: `p` is used as given (already adjusted, or deliberately uncorrected).
   */
  fdr?: boolean
}

/**
 * Hot/cold-spot class per cell (see `classifyCell`): significant at level α when the
 * Benjamini–Hochberg adjusted p ≤ α, for α = 0.01, 0.05, 0.10; hot when z > 0, cold when z < 0.
 *
 * @example
 * classifyHotspots([3.2, -2.1, 0.4], [0.0014, 0.036, 0.69])
 * // adjusted p = [0.0042, 0.054, 0.69] → ['hot_99', 'cold_90', 'not_significant']
 */
export function classifyHotspots (
  z: readonly number[], p: readonly number[], options: ClassifyOptions = {}
): HotspotClass[] {
  if (z.length !== p.length) throw new RangeError(`z and p differ in length: ${z.length} vs ${p.length}`)
  const pAdjusted = options.fdr === false ? p : benjaminiHochberg(p)
  return z.map((zi, i) => classifyCell(zi, pAdjusted[i]))
}
