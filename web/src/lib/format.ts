/** Pure formatting helpers of the incident panels (relative times, durations, percentages). */

export type RelativeUnit = 'second' | 'minute' | 'hour' | 'day'

/** How long ago `iso` was, in the largest whole unit (negative = in the past, as Intl expects). */
export function relativeParts (iso: string, now: number): { value: number, unit: RelativeUnit } {
  const seconds = Math.round((Date.parse(iso) - now) / 1000)
  const abs = Math.abs(seconds)
  if (abs < 45) return { value: 0, unit: 'second' }
  if (abs < 3600) return { value: Math.trunc(seconds / 60) || Math.sign(seconds), unit: 'minute' }
  if (abs < 86_400) return { value: Math.trunc(seconds / 3600), unit: 'hour' }
  return { value: Math.trunc(seconds / 86_400), unit: 'day' }
}

/** "2 phút trước" / "2 minutes ago". */
export function formatRelative (iso: string, now: number, locale: string): string {
  if (Number.isNaN(Date.parse(iso))) return ''
  const { value, unit } = relativeParts(iso, now)
  return new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(value, unit)
}

/** A duration in seconds as hours/minutes/seconds: "1 giờ 5 phút", "12 phút", "40 giây". */
export function durationParts (seconds: number): { h: number, m: number, s: number } {
  const total = Math.max(0, Math.round(seconds))
  return { h: Math.floor(total / 3600), m: Math.floor((total % 3600) / 60), s: total % 60 }
}

/** A date-time in Vietnam time, e.g. "14/06/2025 20:30". */
export function formatDateTime (iso: string, locale: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return new Intl.DateTimeFormat(locale, {
    timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false
  }).format(date)
}

export type SortDir = 'asc' | 'desc'

/** Sorts rows by a key; null/undefined values go last in either direction. */
export function sortRows<T> (rows: readonly T[], value: (row: T) => number | string | null | undefined, dir: SortDir): T[] {
  const sign = dir === 'asc' ? 1 : -1
  return [...rows].sort((a, b) => {
    const x = value(a)
    const y = value(b)
    if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1
    if (y === null || y === undefined) return -1
    if (typeof x === 'string' && typeof y === 'string') return sign * x.localeCompare(y, 'vi')
    return sign * (Number(x) - Number(y))
  })
}
