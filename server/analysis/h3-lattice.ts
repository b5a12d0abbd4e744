/**
 * The position of an H3 cell on the hexagonal lattice of its base cell, computed from the digits of
 * its index in plain JavaScript (no WebAssembly call, no string allocation).
 *
 * An H3 index holds a base cell (0–121) and one digit d_r ∈ 0…6 per resolution r = 1…res. Inside a
 * base cell the cell's IJK coordinates follow from the digits exactly as in the H3 core library
 * (`_h3ToFaceIjkWithInitializedFijk`):
 *
 *   ijk ← (0, 0, 0)
 *   for r = 1 … res:
 *     ijk ← r odd  (Class III): down-aperture-7 counter-clockwise:  i·(3,0,1) + j·(1,3,0) + k·(0,1,3)
 *           r even (Class II):  down-aperture-7 clockwise:          i·(3,1,0) + j·(0,3,1) + k·(1,0,3)
 *     ijk ← ijk + unitVector(d_r)     (1 → k, 2 → j, 3 → jk, 4 → i, 5 → ik, 6 → ij)
 *     normalise ijk (no negative component, smallest component 0)
 *
 * and the returned IJ pair is (i − k, j − k). Within one HEXAGON base cell these are coordinates
 * on a plain hexagonal lattice: two cells of that base cell are neighbours exactly when their IJ
 * difference is one of (±1, 0), (0, ±1), (1, 1), (−1, −1), and their grid distance is
 * max(|Δi|, |Δj|) when Δi and Δj have the same sign, |Δi| + |Δj| otherwise. Across base cells, or
 * in the 12 pentagon base cells, the lattices do not join up: callers must not compare positions
 * there (see `kRingNeighbourhoods`).
 *
 * The way back up (H3's `_faceIjkToH3`) tells whether a lattice position is a cell of the base cell
 * at all: going from resolution r to r − 1 maps IJ to
 *   r odd:  (round((3i − j)/7), round((i + 2j)/7))      (up-aperture-7 counter-clockwise)
 *   r even: (round((2i + j)/7), round((3j − i)/7))      (up-aperture-7 clockwise)
 * (normalising IJK does not change IJ, and the quotients are never halfway, so rounding is exact);
 * the position belongs to the base cell exactly when this ends at (0, 0) at resolution 0.
 */

/** Unit IJK vectors of the H3 digits 0 (centre) … 6. */
const UNIT_I = [0, 0, 0, 0, 1, 1, 1]
const UNIT_J = [0, 0, 1, 1, 0, 0, 1]
const UNIT_K = [0, 1, 0, 1, 0, 1, 0]

/** A canonical H3 cell string as h3-js writes it: 15 lower-case hex digits starting with 8. */
const CELL_STRING = /^8[0-9a-f]{14}$/

export interface LatticePosition {
  baseCell: number
  res: number
  i: number
  j: number
}

/**
 * Base cell, resolution and lattice IJ of a cell (see the module note). The string must be a cell
 * in h3-js's canonical form; validity beyond the form (e.g. digit 7 inside the resolution) is not
 * checked here — use h3-js `isValidCell` for that.
 *
 * @example
 * latticePosition('8841422b39fffff') // { baseCell: 32, res: 8, i: …, j: … }
 */
export function latticePosition (cell: string): LatticePosition {
  if (!CELL_STRING.test(cell)) throw new RangeError(`Not an H3 cell string: ${cell}`)
  const high = parseInt(cell.slice(0, 7), 16) // bits 32–59
  const low = parseInt(cell.slice(7), 16) // bits 0–31
  const res = (high >>> 20) & 0xf
  const baseCell = (high >>> 13) & 0x7f
  let i = 0
  let j = 0
  let k = 0
  for (let r = 1; r <= res; r++) {
    const shift = 3 * (15 - r)
    const digit = shift >= 32
      ? (high >>> (shift - 32)) & 7
      : shift === 30
        ? ((low >>> 30) & 3) | ((high & 1) << 2)
        : (low >>> shift) & 7
    let ni: number, nj: number, nk: number
    if (r % 2 === 1) {
      ni = 3 * i + j
      nj = 3 * j + k
      nk = i + 3 * k
    } else {
      ni = 3 * i + k
      nj = i + 3 * j
      nk = j + 3 * k
    }
    ni += UNIT_I[digit] ?? 0
    nj += UNIT_J[digit] ?? 0
    nk += UNIT_K[digit] ?? 0
    const min = Math.min(ni, nj, nk) // all components are ≥ 0 here, so normalising is subtracting the minimum
    i = ni - min
    j = nj - min
    k = nk - min
  }
  return { baseCell, res, i: i - k, j: j - k }
}

/**
 * Grid distance between two cells of the same hexagon base cell from their lattice IJ difference.
 *
 * @example
 * latticeDistance(1, 1)  // 1: (1, 1) is a neighbour
 * latticeDistance(1, -1) // 2
 */
export function latticeDistance (di: number, dj: number): number {
  return (di >= 0) === (dj >= 0) ? Math.max(Math.abs(di), Math.abs(dj)) : Math.abs(di) + Math.abs(dj)
}

/**
 * Whether the lattice position (i, j) at resolution `res` is a cell of the base cell whose lattice
 * it is on (see the module note). Meaningful for hexagon base cells.
 *
 * @example
 * const at = latticePosition('8841422b39fffff')
 * latticeInBaseCell(at.res, at.i, at.j) // true
 */
export function latticeInBaseCell (res: number, i: number, j: number): boolean {
  for (let r = res; r >= 1; r--) {
    const ni = r % 2 === 1 ? Math.round((3 * i - j) / 7) : Math.round((2 * i + j) / 7)
    const nj = r % 2 === 1 ? Math.round((i + 2 * j) / 7) : Math.round((3 * j - i) / 7)
    i = ni
    j = nj
  }
  return i === 0 && j === 0
}
