/** Time steps of an emerging-hotspot analysis, on local (Vietnam) calendar days. */
export type Step = 'day' | 'week' | 'month'

export interface Period { from: string, to: string }

function addDays (day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

function addMonths (day: string, months: number): string {
  const date = new Date(`${day}T00:00:00Z`)
  date.setUTCMonth(date.getUTCMonth() + months)
  return date.toISOString().slice(0, 10)
}

/**
 * `steps` consecutive periods ending at `to` (exclusive, a YYYY-MM-DD local day), oldest first.
 * Weeks are 7 days back from `to`; months are calendar months when `to` is the first of a month,
 * otherwise month-long spans ending at `to`.
 *
 * @example
 * periodsEndingAt('2025-07-01', 'month', 2) // [{ from: '2025-05-01', to: '2025-06-01' }, { from: '2025-06-01', to: '2025-07-01' }]
 */
export function periodsEndingAt (to: string, step: Step, steps: number): Period[] {
  const periods: Period[] = []
  let end = to
  for (let i = 0; i < steps; i++) {
    const start = step === 'day' ? addDays(end, -1) : step === 'week' ? addDays(end, -7) : addMonths(end, -1)
    periods.unshift({ from: start, to: end })
    end = start
  }
  return periods
}

/** Index of the period holding a day, or −1. Periods are contiguous and sorted. */
export function periodIndex (periods: Period[], day: string): number {
  if (day < periods[0]!.from || day >= periods[periods.length - 1]!.to) return -1
  let lo = 0
  let hi = periods.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (periods[mid]!.from <= day) lo = mid
    else hi = mid - 1
  }
  return lo
}
