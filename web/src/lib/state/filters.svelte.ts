/**
 * The filters of the map view (time window, categories, resolution) as runes, with the
 * derived API time range. Days are calendar days in Vietnam: `from` inclusive, `to` exclusive.
 */
import { CATEGORIES, type Category } from '../api/client.ts'
import { addDays, daysBetween, dayBoundary, type QueryState } from './url-query.ts'

export const WINDOW_PRESETS = [7, 30, 90, 180] as const
export type WindowPreset = typeof WINDOW_PRESETS[number]
export const DEFAULT_PRESET: WindowPreset = 30

export class Filters {
  /** Preset length in days, or 'custom' for user-chosen from/to days. */
  preset = $state<WindowPreset | 'custom'>(DEFAULT_PRESET)
  /** First day of the custom window (inclusive). */
  customFrom = $state<string | undefined>()
  /** Day after the last day of the custom window (exclusive). */
  customTo = $state<string | undefined>()
  /** Last day that has data (from the newest incident); presets end on it. */
  latestDay = $state<string | undefined>()
  categories = $state<Category[]>([...CATEGORIES])
  res = $state<number | 'auto'>('auto')

  /** Exclusive end day of the window. */
  to = $derived.by((): string | undefined => {
    if (this.preset === 'custom') return this.customTo
    return this.latestDay ? addDays(this.latestDay, 1) : undefined
  })

  /** Inclusive start day of the window. */
  from = $derived.by((): string | undefined => {
    if (this.preset === 'custom') return this.customFrom
    return this.to ? addDays(this.to, -this.preset) : undefined
  })

  /** Inclusive last day, for display and date inputs. */
  lastDay = $derived(this.to ? addDays(this.to, -1) : undefined)

  /** The window as the API reads it, once it is known. */
  range = $derived(this.from && this.to ? { from: dayBoundary(this.from), to: dayBoundary(this.to) } : undefined)

  allCategories = $derived(this.categories.length === CATEGORIES.length)

  /** Applies what the URL asked for; presets need `latestDay` to resolve. */
  applyQuery (query: QueryState): void {
    if (query.categories) this.categories = CATEGORIES.filter(c => query.categories!.includes(c))
    if (query.res !== undefined) this.res = query.res
    if (query.from || query.to) {
      this.preset = 'custom'
      this.customFrom = query.from
      this.customTo = query.to
    } else if (query.days && (WINDOW_PRESETS as readonly number[]).includes(query.days)) {
      this.preset = query.days as WindowPreset
    }
  }

  /** Fills a half-given custom window and recognises a custom window that equals a preset. */
  setLatestDay (day: string): void {
    this.latestDay = day
    if (this.preset !== 'custom') return
    const end = addDays(day, 1)
    if (!this.customTo) this.customTo = this.customFrom && this.customFrom >= end ? addDays(this.customFrom, 1) : end
    if (!this.customFrom) this.customFrom = addDays(this.customTo, -DEFAULT_PRESET)
    const length = daysBetween(this.customFrom, this.customTo)
    if (this.customTo === end && (WINDOW_PRESETS as readonly number[]).includes(length)) {
      this.preset = length as WindowPreset
    }
  }

  setPreset (preset: WindowPreset | 'custom'): void {
    if (preset === 'custom') {
      this.customFrom = this.from
      this.customTo = this.to
    }
    this.preset = preset
  }

  /** Sets the custom window from an inclusive first and last day; ignores an inverted range. */
  setCustomDays (first: string | undefined, last: string | undefined): void {
    const from = first ?? this.from
    const to = last ? addDays(last, 1) : this.to
    if (!from || !to || from >= to) return
    this.preset = 'custom'
    this.customFrom = from
    this.customTo = to
  }

  toggleCategory (category: Category, on: boolean): void {
    const set = new Set(this.categories)
    if (on) set.add(category)
    else set.delete(category)
    this.categories = CATEGORIES.filter(c => set.has(c))
  }

  setAllCategories (on: boolean): void {
    this.categories = on ? [...CATEGORIES] : []
  }

  /** What the URL should show for these filters. */
  toQuery (): QueryState {
    return { from: this.from, to: this.to, categories: this.categories, res: this.res }
  }
}
