/**
 * Pure helpers of the map modes: what each mode is, the limits of its options, the comparison
 * window, and the emerging-hotspot periods (the same rule as the server's `periodsEndingAt`).
 * Days are `YYYY-MM-DD` calendar days in Vietnam; `from` inclusive, `to` exclusive.
 */
import { EMERGING_STEPS, type EmergingStep } from '../api/client.ts'
import { addDays, daysBetween } from './days.ts'

/**
 * counts: incidents per cell (the original map); hotspots: Getis-Ord Gi* classes; emerging:
 * emerging hot-spot patterns over time steps; compare: difference of two time windows.
 */
export const MODES = ['counts', 'hotspots', 'emerging', 'compare'] as const
export type Mode = typeof MODES[number]
export const DEFAULT_MODE: Mode = 'counts'

export function isMode (value: unknown): value is Mode {
  return typeof value === 'string' && (MODES as readonly string[]).includes(value)
}

/**
 * Finest grid the automatic resolution picks for a province-wide hot-spot or emerging analysis:
 * every cell of the province is tested and sent (res 10 is ~200,000 cells for a province, tens of
 * megabytes and seconds of statistics); a commune, or a resolution chosen by hand, is not capped.
 */
export const ANALYSIS_AUTO_MAX_RES = 9

/** The resolution "automatic" means in a mode, from the one the zoom calls for. */
export function autoResForMode (mode: Mode, zoomRes: number, area: { province?: string, commune?: string }): number {
  const analysed = mode === 'hotspots' || mode === 'emerging'
  return analysed && !area.commune ? Math.min(zoomRes, ANALYSIS_AUTO_MAX_RES) : zoomRes
}

/** k-ring radius of the Gi* neighbourhood: the cell and 1, 2 or 3 rings of neighbours. */
export const K_VALUES = [1, 2, 3] as const
export const DEFAULT_K = 1

export function isK (value: unknown): value is number {
  return typeof value === 'number' && (K_VALUES as readonly number[]).includes(value)
}

/** Cells in a k-ring neighbourhood (the cell itself included): 1 + 3k(k+1). */
export function kRingSize (k: number): number {
  return 1 + 3 * k * (k + 1)
}

export const DEFAULT_STEP: EmergingStep = 'week'
export const MIN_STEPS = 2
export const MAX_STEPS = 52
export const DEFAULT_STEPS = 12
/** Below this many periods "in ≥ 90 % of periods" means "in every period" (ArcGIS asks for 10). */
export const RECOMMENDED_MIN_STEPS = 10

export function isStep (value: unknown): value is EmergingStep {
  return typeof value === 'string' && (EMERGING_STEPS as readonly string[]).includes(value)
}

/** A whole number of periods within 2–52, or undefined for anything else. */
export function parseSteps (value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
  return typeof n === 'number' && Number.isInteger(n) && n >= MIN_STEPS && n <= MAX_STEPS ? n : undefined
}

/** Clamps a typed number of periods into 2–52 (rounded); undefined when not a number. */
export function clampSteps (value: number): number | undefined {
  if (!Number.isFinite(value)) return undefined
  return Math.min(MAX_STEPS, Math.max(MIN_STEPS, Math.round(value)))
}

export interface DayWindow {
  /** First day (inclusive). */
  from: string
  /** Day after the last day (exclusive). */
  to: string
}

/**
 * The window of the same length just before another one: the default comparison window B.
 *
 * @example
 * previousWindow({ from: '2025-06-01', to: '2025-07-01' }) // { from: '2025-05-02', to: '2025-06-01' }
 */
export function previousWindow ({ from, to }: DayWindow): DayWindow {
  const length = daysBetween(from, to)
  return { from: addDays(from, -length), to: from }
}

function addMonths (day: string, months: number): string {
  const date = new Date(`${day}T00:00:00Z`)
  date.setUTCMonth(date.getUTCMonth() + months)
  return date.toISOString().slice(0, 10)
}

/**
 * `steps` consecutive periods ending at `to` (exclusive), oldest first: days, 7-day weeks, or
 * months back from `to` (the server's rule; the answer's `periods` are authoritative).
 *
 * @example
 * periodsEndingAt('2025-07-01', 'month', 2) // [{ from: '2025-05-01', to: '2025-06-01' }, { from: '2025-06-01', to: '2025-07-01' }]
 */
export function periodsEndingAt (to: string, step: EmergingStep, steps: number): DayWindow[] {
  const periods: DayWindow[] = []
  let end = to
  for (let i = 0; i < steps; i++) {
    const start = step === 'day' ? addDays(end, -1) : step === 'week' ? addDays(end, -7) : addMonths(end, -1)
    periods.unshift({ from: start, to: end })
    end = start
  }
  return periods
}
