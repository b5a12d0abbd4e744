/**
 * Pure conversion between the page URL's query and the view's filters, so a link (or a test)
 * can open a known view: `?from=YYYY-MM-DD&to=YYYY-MM-DD&category=a,b&res=8&lang=en&province=31`, plus the
 * map mode and its options: `mode=hotspots&k=2`, `mode=emerging&k=1&step=week&steps=12`,
 * `mode=compare&bfrom=YYYY-MM-DD&bto=YYYY-MM-DD` (window B; absent = the period just before).
 * Days are calendar days in Vietnam (UTC+7), as the API reads a bare date; `from` is inclusive
 * and `to` exclusive, exactly as in the API, so the same strings can be sent on unchanged.
 */
import { isCategory, type Category } from '../api/client.ts'
import { isResolution } from '../map/resolution.ts'
import { isLang, type Lang } from '../i18n/index.svelte.ts'
import type { EmergingStep } from '../api/client.ts'
import { isK, isMode, isStep, parseSteps, type Mode } from './modes.ts'

export interface QueryState {
  from?: string
  to?: string
  /** Preset length in days when no from/to is given. */
  days?: number
  categories?: Category[]
  res?: number | 'auto'
  lang?: Lang
  province?: string
  /** Map mode (`mode=counts|hotspots|emerging|compare`). */
  mode?: Mode
  /** Gi* neighbourhood rings (hotspots, emerging). */
  k?: number
  /** Emerging: length of one period, and how many periods. */
  step?: EmergingStep
  steps?: number
  /** Compare: window B chosen by hand (`bfrom` inclusive, `bto` exclusive); absent = the period before. */
  compareFrom?: string
  compareTo?: string
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

export function isDay (value: string | null | undefined): value is string {
  if (!value || !DAY.test(value)) return false
  const date = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value
}

export { addDays, daysBetween } from './days.ts'

/** Vietnam's offset from UTC (no daylight saving). */
const VN_OFFSET_MS = 7 * 3_600_000

/** Calendar day in Vietnam of an ISO time: '2025-06-01T20:10:00Z' → '2025-06-02'. */
export function vnDayOf (iso: string): string | undefined {
  const time = Date.parse(iso)
  return Number.isNaN(time) ? undefined : new Date(time + VN_OFFSET_MS).toISOString().slice(0, 10)
}

/** Today in Vietnam. */
export function vnToday (now = Date.now()): string {
  return new Date(now + VN_OFFSET_MS).toISOString().slice(0, 10)
}

/**
 * What the API gets for a day boundary: the bare date, which it reads as midnight in Vietnam
 * (and answers from its daily rollups).
 */
export function dayBoundary (day: string): string {
  return day
}

/** Reads what it understands and ignores the rest (a bad value never breaks the page). */
export function parseQuery (search: string): QueryState {
  const params = new URLSearchParams(search)
  const state: QueryState = {}
  const from = params.get('from')
  const to = params.get('to')
  if (isDay(from)) state.from = from
  if (isDay(to)) state.to = to
  if (state.from && state.to && state.from >= state.to) delete state.to
  const days = Number(params.get('days'))
  if (Number.isInteger(days) && days > 0 && days <= 3660) state.days = days
  const category = params.get('category')
  if (category !== null) {
    state.categories = [...new Set(category.split(',').map(s => s.trim()).filter(isCategory))]
  }
  const res = params.get('res')
  if (res === 'auto') state.res = 'auto'
  else if (res !== null && isResolution(Number(res))) state.res = Number(res)
  const lang = params.get('lang')
  if (isLang(lang)) state.lang = lang
  const province = params.get('province')
  if (province && /^\d{1,3}$/.test(province)) state.province = province
  const mode = params.get('mode')
  if (isMode(mode)) state.mode = mode
  const k = params.get('k')
  if (k !== null && isK(Number(k))) state.k = Number(k)
  const step = params.get('step')
  if (isStep(step)) state.step = step
  const steps = parseSteps(params.get('steps'))
  if (steps !== undefined) state.steps = steps
  const bfrom = params.get('bfrom')
  const bto = params.get('bto')
  if (isDay(bfrom) && isDay(bto) && bfrom < bto) {
    state.compareFrom = bfrom
    state.compareTo = bto
  }
  return state
}

/** Writes the query in a stable order; `category` only when it is not every category. */
export function formatQuery (state: QueryState, allCategories: readonly Category[]): string {
  const params = new URLSearchParams()
  if (state.province) params.set('province', state.province)
  if (state.from) params.set('from', state.from)
  if (state.to) params.set('to', state.to)
  if (!state.from && !state.to && state.days) params.set('days', String(state.days))
  if (state.categories && state.categories.length !== allCategories.length) {
    params.set('category', allCategories.filter(c => state.categories!.includes(c)).join(','))
  }
  if (state.res !== undefined && state.res !== 'auto') params.set('res', String(state.res))
  if (state.mode) params.set('mode', state.mode)
  if (state.k !== undefined) params.set('k', String(state.k))
  if (state.step) params.set('step', state.step)
  if (state.steps !== undefined) params.set('steps', String(state.steps))
  if (state.compareFrom && state.compareTo) {
    params.set('bfrom', state.compareFrom)
    params.set('bto', state.compareTo)
  }
  if (state.lang && state.lang !== 'vi') params.set('lang', state.lang)
  // URLSearchParams encodes ',' as %2C; keep lists readable.
  return params.toString().replace(/%2C/g, ',')
}
