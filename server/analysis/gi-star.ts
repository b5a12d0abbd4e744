import { getBaseCellNumber, getRes0Cells, gridDisk, isPentagon, isValidCell } from 'h3-js'
import { latticeDistance, latticeInBaseCell, latticePosition } from './h3-lattice.ts'
import { twoSidedPValue } from './normal.ts'

/**
 * Getis-Ord Gi* (local G-star) on an H3 study area, with binary weights over the k-ring.
 *
 * For each cell i of the study area (n cells, values x_j):
 *
 *   w_ij = 1 if j is in gridDisk(i, k) AND j is a cell of the study area, else 0
 *          (gridDisk includes i itself, as Gi* requires: w_ii = 1; neighbours outside the study
 *          area are not part of the analysis and get weight 0)
 *
 *   X̄ = Σ_j x_j / n          S = sqrt( Σ_j x_j² / n − X̄² )
 *
 *                Σ_j w_ij x_j − X̄ · Σ_j w_ij
 *   Gi*_i = ───────────────────────────────────────────────────────
 *            S · sqrt( ( n · Σ_j w_ij² − (Σ_j w_ij)² ) / (n − 1) )
 *
 * With binary weights Σ_j w_ij² = Σ_j w_ij = W_i (the number of study-area cells in the k-ring),
 * so the denominator is S · sqrt(W_i (n − W_i) / (n − 1)). Gi* is itself a z-score; the p-value is
 * two-sided: p = 2 (1 − Φ(|Gi*|)).
 *
 * S is computed as sqrt(Σ (x_j − X̄)² / n), which is the same quantity but does not lose precision
 * to cancellation. Degenerate cases give z = 0, p = 1 (no evidence of clustering):
 *   - all values equal (S = 0), including n = 1;
 *   - a cell whose k-ring covers the whole study area (W_i = n, the denominator is 0).
 */

/**
 * The k-ring neighbourhoods of a study area, restricted to it, in compressed sparse row form:
 * the neighbours (indices into `cells`, the cell itself included) of cell i are
 * `indices[offsets[i]] … indices[offsets[i + 1] − 1]`.
 */
export interface Neighbourhoods {
  readonly n: number
  readonly k: number
  readonly offsets: Int32Array
  readonly indices: Int32Array
}

export interface GiStarResult {
  /** Gi* z-score per cell, in the order of the input cells. */
  z: number[]
  /** Two-sided p-value per cell. */
  p: number[]
}

/** Base-cell numbers of the 12 pentagons (4, 14, 24, 38, 49, 58, 63, 72, 83, 97, 107, 117). */
let pentagonBaseCells: Set<number> | undefined
function isPentagonBaseCell (baseCell: number): boolean {
  pentagonBaseCells ??= new Set(getRes0Cells().filter(isPentagon).map(getBaseCellNumber))
  return pentagonBaseCells.has(baseCell)
}

/** Lattice coordinates are packed as (i + 2^24) · 2^25 + (j + 2^24); they stay below 2^23 in size. */
const COORD_LIMIT = 2 ** 23
const COORD_OFFSET = 2 ** 24
const COORD_SPAN = 2 ** 25
/** Beyond this k the lattice disk is not worth enumerating (and coordinates could leave their range). */
const MAX_SHORTCUT_K = 256

/**
 * Builds the k-ring neighbourhoods of the study area, restricted to it. Reuse the result when the
 * same area is analysed for several time steps. Throws on duplicate cells, invalid cells, cells of
 * different resolutions, or a k that is not a whole number ≥ 0.
 *
 * Speed: calling h3-js `gridDisk` for every cell and looking its answer up in a Map<string, index>
 * costs ~35 ms (k = 1) to ~55 ms (k = 2) for 5,000 cells, mostly in hashing the fresh strings
 * gridDisk returns. So every cell is first placed on its base cell's hexagonal lattice from the
 * digits of its index (`latticePosition`, plain JavaScript), and a cell's neighbours are looked up
 * by integer coordinates. That shortcut is taken only where it is exactly `gridDisk`: the cell's
 * base cell is a hexagon, and every one of the 3k(k+1)+1 lattice positions of its k-disk is a cell
 * of that same base cell (`latticeInBaseCell`) — inside one hexagon base cell H3's grid is a plain
 * lattice, so those positions are exactly the k-ring, and the study-area cells among them are the
 * neighbours. Cells whose k-disk reaches into another base cell, and cells of pentagon base cells,
 * get their neighbours from `gridDisk`. The order of a cell's neighbours is unspecified.
 *
 * @example
 * const nb = kRingNeighbourhoods(gridDisk('8841422b39fffff', 1), 1)
 * nb.offsets[1] - nb.offsets[0] // 7: the centre and its 6 neighbours, all in the area
 */
export function kRingNeighbourhoods (cells: readonly string[], k: number): Neighbourhoods {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be a whole number ≥ 0, got ${k}`)
  const n = cells.length
  const indexOf = new Map<string, number>()
  const baseCell = new Int16Array(n)
  const ci = new Int32Array(n)
  const cj = new Int32Array(n)
  let resolution = -1
  for (let i = 0; i < n; i++) {
    const cell = cells[i]
    if (indexOf.has(cell)) throw new RangeError(`Cell ${cell} appears more than once in the study area`)
    indexOf.set(cell, i)
    if (!isValidCell(cell) || !/^8[0-9a-f]{14}$/.test(cell)) throw new RangeError(`Not an H3 cell in canonical form: ${cell}`)
    const at = latticePosition(cell)
    if (resolution === -1) resolution = at.res
    else if (at.res !== resolution) {
      throw new RangeError(`Study-area cells must share one resolution: ${cell} is at ${at.res}, not ${resolution}`)
    }
    baseCell[i] = at.baseCell
    ci[i] = at.i
    cj[i] = at.j
  }

  // Lattice position → cell index, one map per hexagon base cell.
  const lattice = new Map<number, Map<number, number>>()
  const onLattice = new Uint8Array(n)
  const shortcutK = k <= MAX_SHORTCUT_K
  for (let i = 0; i < n && shortcutK; i++) {
    if (isPentagonBaseCell(baseCell[i]) || Math.abs(ci[i]) >= COORD_LIMIT || Math.abs(cj[i]) >= COORD_LIMIT) continue
    let positions = lattice.get(baseCell[i])
    if (positions === undefined) lattice.set(baseCell[i], positions = new Map())
    positions.set((ci[i] + COORD_OFFSET) * COORD_SPAN + cj[i] + COORD_OFFSET, i)
    onLattice[i] = 1
  }
  const diskI: number[] = []
  const diskJ: number[] = []
  const ringSize = 3 * k * (k + 1) + 1
  if (shortcutK) {
    for (let di = -k; di <= k; di++) {
      for (let dj = -k; dj <= k; dj++) {
        if (latticeDistance(di, dj) <= k) { diskI.push(di); diskJ.push(dj) }
      }
    }
  }

  const offsets = new Int32Array(n + 1)
  const perCell = Math.min(ringSize, n)
  let indices = new Int32Array(Math.max(1, Math.min(n * perCell, 1 << 20)))
  let used = 0
  for (let i = 0; i < n; i++) {
    offsets[i] = used
    if (used + perCell > indices.length) {
      const grown = new Int32Array(Math.max(indices.length * 2, used + perCell))
      grown.set(indices)
      indices = grown
    }
    let shortcut = onLattice[i] === 1 && diskI.length === ringSize
    if (shortcut) {
      const positions = lattice.get(baseCell[i])!
      const key = (ci[i] + COORD_OFFSET) * COORD_SPAN + cj[i] + COORD_OFFSET
      for (let d = 0; d < ringSize; d++) {
        const j = positions.get(key + diskI[d] * COORD_SPAN + diskJ[d])
        if (j !== undefined) indices[used++] = j
        // An empty position is fine if it is a cell of this base cell (just not in the study area);
        // if it lies in another base cell, ask gridDisk.
        else if (!latticeInBaseCell(resolution, ci[i] + diskI[d], cj[i] + diskJ[d])) { shortcut = false; break }
      }
    }
    if (shortcut) continue
    used = offsets[i]
    const disk = gridDisk(cells[i], k)
    for (let d = 0; d < disk.length; d++) {
      const j = indexOf.get(disk[d])
      if (j !== undefined) indices[used++] = j
    }
  }
  offsets[n] = used
  return { n, k, offsets, indices: indices.slice(0, used) }
}

/**
 * Gi* z-scores and two-sided p-values for values on prebuilt neighbourhoods (see the module
 * note for the formula). `values[i]` belongs to the i-th cell the neighbourhoods were built from.
 *
 * @example
 * const nb = kRingNeighbourhoods(cells, 1)
 * const steps = countsPerStep.map(counts => giStarOn(nb, counts))
 */
export function giStarOn (neighbourhoods: Neighbourhoods, values: readonly number[]): GiStarResult {
  const { n, offsets, indices } = neighbourhoods
  if (values.length !== n) {
    throw new RangeError(`Expected ${n} values (one per study-area cell), got ${values.length}`)
  }
  let sum = 0
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < n; i++) {
    const x = values[i]
    if (!Number.isFinite(x)) throw new RangeError(`Value ${i} is not a finite number: ${x}`)
    sum += x
    if (x < min) min = x
    if (x > max) max = x
  }
  const z = new Array<number>(n).fill(0)
  const p = new Array<number>(n).fill(1)
  // All values equal (S = 0) or n ≤ 1: nothing stands out.
  if (n <= 1 || min === max) return { z, p }
  const mean = sum / n
  let squares = 0
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean
    squares += d * d
  }
  const s = Math.sqrt(squares / n)
  for (let i = 0; i < n; i++) {
    const start = offsets[i]
    const end = offsets[i + 1]
    const w = end - start
    if (w >= n) continue // the k-ring covers the whole area: denominator 0
    let local = 0
    for (let e = start; e < end; e++) local += values[indices[e]]
    const gi = (local - mean * w) / (s * Math.sqrt((n * w - w * w) / (n - 1)))
    z[i] = gi
    p[i] = twoSidedPValue(gi)
  }
  return { z, p }
}

/**
 * Getis-Ord Gi* for each cell of an H3 study area with binary k-ring weights (see the module
 * note). `cells` lists the study area, each cell once, all at one resolution; `counts[i]` is the
 * value of `cells[i]` (use 0 for cells without events). Returns z and two-sided p in the same order.
 *
 * @example
 * const cells = gridDisk('8841422b39fffff', 2)            // 19 cells in Hải Phòng, centre first
 * const counts = cells.map((_, i) => (i === 0 ? 12 : 1))  // a busy centre
 * const { z, p } = giStar(cells, counts, 1)
 * // z[0] ≈ 1.309, p[0] ≈ 0.190: one busy cell alone is not a significant cluster
 */
export function giStar (cells: readonly string[], counts: readonly number[], k: number): GiStarResult {
  if (counts.length !== cells.length) {
    throw new RangeError(`Expected ${cells.length} counts (one per cell), got ${counts.length}`)
  }
  return giStarOn(kRingNeighbourhoods(cells, k), counts)
}
