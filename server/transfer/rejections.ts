/** Rejected rows listed in an import's answer; the rest are only counted, by reason. */
export const REJECTION_LIST_CAP = 1_000
/** Longest message kept for one rejection (csv-parse's messages may quote a whole field). */
const MESSAGE_MAX_CHARS = 300

export interface RejectedRow { line?: number, feature?: number, field: string, reason: string, message: string }

/** What an import answers about its rejected rows. */
export interface RejectionSummary {
  /** The first REJECTION_LIST_CAP rejections, by line (CSV) or feature index (GeoJSON). */
  rejected: RejectedRow[]
  rejected_count: number
  rejections_truncated: boolean
  rejected_by_reason: Record<string, number>
}

const keyOf = (r: RejectedRow) => r.line ?? r.feature ?? 0
const byKey = (a: RejectedRow, b: RejectedRow) => keyOf(a) - keyOf(b)

/**
 * The rejections of one import in bounded memory: every one is counted by reason, and the list
 * keeps only the first REJECTION_LIST_CAP by position. Rejections arrive almost in file order (the
 * commune check of a batch comes after the rows that follow it), so the list is cut back to the
 * cap, after sorting, whenever it reaches twice the cap: what is cut has at least CAP rows before it.
 */
export class Rejections {
  private kept: RejectedRow[] = []
  private counts = new Map<string, number>()
  count = 0

  add (row: RejectedRow) {
    this.count++
    this.counts.set(row.reason, (this.counts.get(row.reason) ?? 0) + 1)
    const message = row.message.length > MESSAGE_MAX_CHARS ? `${row.message.slice(0, MESSAGE_MAX_CHARS)}…` : row.message
    this.kept.push({ ...row, message })
    if (this.kept.length >= 2 * REJECTION_LIST_CAP) this.trim()
  }

  private trim () {
    this.kept.sort(byKey)
    if (this.kept.length > REJECTION_LIST_CAP) this.kept.length = REJECTION_LIST_CAP
  }

  summary (): RejectionSummary {
    this.trim()
    return {
      rejected: [...this.kept],
      rejected_count: this.count,
      rejections_truncated: this.count > this.kept.length,
      rejected_by_reason: Object.fromEntries([...this.counts].sort(([a], [b]) => a < b ? -1 : 1))
    }
  }
}
