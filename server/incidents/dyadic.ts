import { DAY_MS } from '../domain/vn-time.ts'

/** Spans (in days) of the rollup's buckets; must match rollup_spans() in migration 0006. */
export const ROLLUP_SPANS = [128, 64, 32, 16, 8, 4, 2, 1] as const

export interface Bucket { span: number, bucket: number }

/** Local day number (days since 1970-01-01) of a YYYY-MM-DD day. */
export function dayNumber (day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS)
}

/**
 * The fewest aligned buckets covering the days [from, to) exactly: from the start, take the
 * largest span that starts here (from is a multiple of it) and still fits, and repeat. Uses at
 * most two buckets per span, so any window of up to a year costs at most 16 buckets.
 *
 * @example
 * dyadicBuckets(20000, 20010) // 20000 = 32·625: [{ span: 8, bucket: 20000 }, { span: 2, bucket: 20008 }]
 */
export function dyadicBuckets (from: number, to: number): Bucket[] {
  const buckets: Bucket[] = []
  let day = from
  while (day < to) {
    const span = ROLLUP_SPANS.find(s => day % s === 0 && day + s <= to)!
    buckets.push({ span, bucket: day })
    day += span
  }
  return buckets
}
