/**
 * Vietnam local time, in one place. Vietnam keeps UTC+7 all year (no daylight saving), so a local
 * day is a fixed 24-hour span. SQL uses the one function `vn_local_day(timestamptz)` (migration 0003)
 * for the same rule.
 */

/** Vietnam's offset from UTC. Dates and offset-less times in requests are read in it. */
export const VN_OFFSET = '+07:00'
export const VN_OFFSET_MS = 7 * 3600_000
export const DAY_MS = 86_400_000

/** True when the instant is a local (UTC+7) midnight, so a daily rollup answers exactly. */
export function isLocalMidnight (time: Date): boolean {
  return (time.getTime() + VN_OFFSET_MS) % DAY_MS === 0
}

/** Local calendar day (YYYY-MM-DD) of an instant in Vietnam. */
export function localDay (time: Date): string {
  return new Date(time.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10)
}

/** The latest midnight in Vietnam at or before the given instant. */
export function startOfLocalDay (now = new Date()): Date {
  return new Date(Math.floor((now.getTime() + VN_OFFSET_MS) / DAY_MS) * DAY_MS - VN_OFFSET_MS)
}

/** Local midnight at the start of a calendar day (YYYY-MM-DD) in Vietnam. */
export function localMidnight (day: string): Date {
  return new Date(`${day}T00:00:00${VN_OFFSET}`)
}

/** The instant `days` local days after `time` (a fixed span: no daylight saving). */
export function addLocalDays (time: Date, days: number): Date {
  return new Date(time.getTime() + days * DAY_MS)
}
