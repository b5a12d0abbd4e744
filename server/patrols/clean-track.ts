import { errors } from '../errors.ts'
import type { Fix } from '../domain/fix.ts'
import { greatCircleMeters } from '../geo/distance.ts'

export interface CleaningOptions {
  /** A fix implying a faster move from the previous kept fix is dropped. Default 130 km/h. */
  maxSpeedKmh: number
  /** A longer pause between kept fixes splits the segment. Default 300 s. */
  maxGapSeconds: number
  /** A lone fix farther than this from both neighbours, which are close to each other, is a spike. Default 200 m. */
  maxJumpMeters: number
}

export const DEFAULT_CLEANING: CleaningOptions = { maxSpeedKmh: 130, maxGapSeconds: 300, maxJumpMeters: 200 }

export interface CleaningReport {
  input: number
  kept: number
  duplicate: number
  out_of_order: number
  too_fast: number
  jump: number
  /** Fixes left alone in a segment of one after cleaning (a segment needs 2 fixes to say anything). */
  short_segment: number
  segments: number
  /**
   * Kept fixes farther than the margin outside the team's commune: they stay in the track but are
   * not binned into coverage (set by the ingest, against the commune; 0 from cleanTrack).
   */
  outside_commune: number
}

/**
 * How many consecutive too-fast fixes, consistent among themselves, show that the track really
 * moved (the device re-acquired after a tunnel, or the previous kept fix was the bad one): they
 * start a new segment instead of being dropped, so one bad anchor cannot eat the rest of a track.
 */
const REANCHOR_RUN = 3

/** Great-circle distance in metres between two fixes. */
export function distanceMeters (a: Fix, b: Fix): number {
  return greatCircleMeters(a.lon, a.lat, b.lon, b.lat)
}

/**
 * Cleans recorded GPS segments, one fix at a time in file order (nothing is sorted: an order the
 * device did not record is not ours to invent). Within each segment, against the previous *kept* fix:
 *
 * 1. **duplicate** — same time as the previous kept fix (whatever its position): dropped.
 * 2. **out_of_order** — earlier than the previous kept fix: dropped.
 * 3. **gap** — more than `maxGapSeconds` after it: the segment is split there (nothing is dropped;
 *    no dwell is shared across a long pause).
 * 4. **jump** — a GPS spike: a single fix more than `maxJumpMeters` from both the previous kept fix
 *    and the next fix, while those two are at most `maxJumpMeters` apart and less than half as far
 *    from each other as from the spike. Caught whatever its speed, so slow sampling (a 300 m spike
 *    in 15 s is "only" 72 km/h) does not let it through.
 * 5. **too_fast** — implies more than `maxSpeedKmh` from the previous kept fix: dropped. But when
 *    3 such fixes in a row agree with each other (each reachable from the one before within the
 *    speed limit), the track really moved: they start a new segment and are kept.
 *
 * Segments left with fewer than 2 fixes are dropped (counted in `short_segment`), so
 * `input = kept + duplicate + out_of_order + too_fast + jump + short_segment`.
 *
 * Options come in by name (a bad value throws errors.invalidField naming it, e.g. `maxSpeedKmh`).
 * Known limit: 3 or more agreeing bad fixes in a row (a long multipath excursion) are kept as a
 * short segment of their own rather than dropped.
 *
 * @example
 * const { segments, report } = cleanTrack(parsed.segments, { maxSpeedKmh: 80 })
 */
export function cleanTrack (segments: Fix[][], options: Partial<CleaningOptions> = {}): { segments: Fix[][], report: CleaningReport } {
  const opts = { ...DEFAULT_CLEANING, ...options }
  for (const key of Object.keys(DEFAULT_CLEANING) as Array<keyof CleaningOptions>) {
    const value = opts[key]
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw errors.invalidField(key, `must be a positive number, got ${JSON.stringify(value)}`)
    }
  }
  const maxSpeed = opts.maxSpeedKmh / 3.6 // m/s
  const maxGapMs = opts.maxGapSeconds * 1000
  const jumpM = opts.maxJumpMeters
  const report: CleaningReport = { input: 0, kept: 0, duplicate: 0, out_of_order: 0, too_fast: 0, jump: 0, short_segment: 0, segments: 0, outside_commune: 0 }
  const out: Fix[][] = []

  const reachable = (a: Fix, b: Fix) => b.time > a.time && distanceMeters(a, b) <= maxSpeed * (b.time - a.time) / 1000

  for (const segment of segments) {
    report.input += segment.length
    let current: Fix[] = []
    // Too-fast fixes since the last kept one that agree with each other.
    let pending: Fix[] = []
    const close = () => { if (current.length > 0) out.push(current); current = [] }

    for (let i = 0; i < segment.length; i++) {
      const fix = segment[i]
      const last = current[current.length - 1]
      if (!last) { current.push(fix); continue }
      const dt = fix.time - last.time
      if (dt === 0) { report.duplicate++; continue }
      if (dt < 0) { report.out_of_order++; continue }
      if (dt > maxGapMs) { close(); pending = []; current.push(fix); continue }

      const d = distanceMeters(last, fix)
      if (d > jumpM) {
        const next = segment[i + 1]
        if (next && next.time > fix.time && next.time - last.time <= maxGapMs) {
          const dNext = distanceMeters(fix, next)
          const dAround = distanceMeters(last, next)
          if (dNext > jumpM && dAround <= jumpM && dAround < Math.min(d, dNext) / 2) { report.jump++; continue }
        }
      }
      if (d > maxSpeed * dt / 1000) {
        report.too_fast++
        const tail = pending[pending.length - 1]
        if (tail && reachable(tail, fix) && fix.time - tail.time <= maxGapMs) pending.push(fix)
        else pending = [fix]
        if (pending.length >= REANCHOR_RUN) {
          report.too_fast -= pending.length
          close()
          current = pending
          pending = []
        }
        continue
      }
      pending = []
      current.push(fix)
    }
    close()
  }

  const kept = out.filter(s => {
    if (s.length >= 2) return true
    report.short_segment += s.length
    return false
  })
  report.segments = kept.length
  report.kept = kept.reduce((n, s) => n + s.length, 0)
  return { segments: kept, report }
}

/**
 * The pieces of the segments made of fixes that pass `keep` (called with each fix's index over
 * all segments, in order): a segment is cut where a fix is left out, so no pair of fixes spans a
 * dropped one, and pieces of one fix (which bin nothing) are left out too. Returns the pieces and
 * how many fixes `keep` refused.
 *
 * @example
 * splitWhere([[a, b, c, d, e]], i => i !== 2) // → { segments: [[a, b], [d, e]], dropped: 1 }
 */
export function splitWhere (segments: Fix[][], keep: (index: number) => boolean): { segments: Fix[][], dropped: number } {
  const out: Fix[][] = []
  let dropped = 0
  let index = 0
  for (const segment of segments) {
    let piece: Fix[] = []
    for (const fix of segment) {
      if (keep(index++)) { piece.push(fix); continue }
      dropped++
      if (piece.length >= 2) out.push(piece)
      piece = []
    }
    if (piece.length >= 2) out.push(piece)
  }
  return { segments: out, dropped }
}
