import { benjaminiHochberg, classifyCell, type HotspotClass } from './fdr.ts'
import { giStar } from './gi-star.ts'

export interface HotspotCell {
  h3: string
  /** Events in the cell (0 for study-area cells without events). */
  count: number
  /** Getis-Ord Gi* z-score. */
  z: number
  /** Two-sided p-value of z. */
  p: number
  /** Benjamini–Hochberg adjusted p-value over all cells of the study area. */
  p_adjusted: number
  class: HotspotClass
}

export interface HotspotInput {
  /** The study area (see `studyAreaCells`): each cell once, all at one resolution. */
  cells: readonly string[]
  /** Events per cell. Cells of the area missing here count as 0; cells outside the area are ignored. */
  counts: ReadonlyMap<string, number>
  /** k-ring radius of the Gi* neighbourhood (1 = the cell and its 6 neighbours). */
  k: number
}

/**
 * Statistically significant hot and cold spots of a study area ("optimised hot spot analysis" on
 * the H3 grid):
 *
 *   1. x_i = counts(cell_i), or 0 — every cell of the area takes part, with or without events;
 *      events in cells outside the area are not part of the analysis;
 *   2. z_i = Gi*_i with binary weights over the k-ring inside the area (`giStar`), p_i two-sided;
 *   3. p̃ = Benjamini–Hochberg(p) over the n cells of the area;
 *   4. class_i = hot/cold (sign of z_i) at 99/95/90 % when p̃_i ≤ 0.01/0.05/0.10, else not_significant.
 *
 * Returns one row per study-area cell, in the order of `cells`.
 *
 * @example
 * hotspotAnalysis({ cells: studyAreaCells([commune], 9, eventCells), counts: new Map([['8941422b3a3ffff', 14]]), k: 1 })
 * // [{ h3, count, z, p, p_adjusted, class: 'hot_95' | … }, …]
 */
export function hotspotAnalysis ({ cells, counts, k }: HotspotInput): HotspotCell[] {
  const values = cells.map(cell => counts.get(cell) ?? 0)
  const { z, p } = giStar(cells, values, k)
  const pAdjusted = benjaminiHochberg(p)
  return cells.map((h3, i) => ({
    h3,
    count: values[i],
    z: z[i],
    p: p[i],
    p_adjusted: pAdjusted[i],
    class: classifyCell(z[i], pAdjusted[i])
  }))
}
