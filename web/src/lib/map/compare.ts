/**
 * Pure helpers of the compare mode: per-cell difference of two windows' hex counts, their
 * totals, and the relative change.
 */
import type { HexCell } from '../api/client.ts'

export interface DifferenceCell {
  h3: string
  /** Incidents in window A (the current window). */
  a: number
  /** Incidents in window B (the comparison window). */
  b: number
  /** a − b. */
  diff: number
}

/**
 * Every cell with incidents in either window, with both counts and a − b, sorted by cell.
 *
 * @example
 * differenceCells([{ h3: 'x', count: 5 }], [{ h3: 'x', count: 2 }, { h3: 'y', count: 1 }])
 * // [{ h3: 'x', a: 5, b: 2, diff: 3 }, { h3: 'y', a: 0, b: 1, diff: -1 }]
 */
export function differenceCells (a: readonly HexCell[], b: readonly HexCell[]): DifferenceCell[] {
  const byCell = new Map<string, DifferenceCell>()
  for (const cell of a) {
    const row = byCell.get(cell.h3) ?? { h3: cell.h3, a: 0, b: 0, diff: 0 }
    row.a += cell.count
    byCell.set(cell.h3, row)
  }
  for (const cell of b) {
    const row = byCell.get(cell.h3) ?? { h3: cell.h3, a: 0, b: 0, diff: 0 }
    row.b += cell.count
    byCell.set(cell.h3, row)
  }
  const rows = [...byCell.values()]
  for (const row of rows) row.diff = row.a - row.b
  return rows.sort((x, y) => (x.h3 < y.h3 ? -1 : x.h3 > y.h3 ? 1 : 0))
}

/** The cells that changed (diff ≠ 0): the ones the difference map draws. */
export function changedCells (cells: readonly DifferenceCell[]): DifferenceCell[] {
  return cells.filter(c => c.diff !== 0)
}

export function totalOf (cells: readonly HexCell[]): number {
  let sum = 0
  for (const c of cells) sum += c.count
  return sum
}

/**
 * Relative change from B to A in percent ((A − B) / B · 100); undefined when B is 0 (no base to
 * compare with).
 *
 * @example
 * changePercent(120, 100) // 20
 * changePercent(5, 0)     // undefined
 */
export function changePercent (a: number, b: number): number | undefined {
  if (!(b > 0) || !Number.isFinite(a)) return undefined
  return ((a - b) / b) * 100
}
