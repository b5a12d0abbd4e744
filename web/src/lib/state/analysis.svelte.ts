/**
 * The map mode and the options of the analysis modes, as runes: Gi* neighbourhood rings,
 * emerging-hotspot periods, and the comparison window B (by default the period of the same
 * length just before the current window A).
 */
import type { EmergingStep } from '../api/client.ts'
import { addDays, daysBetween } from './days.ts'
import type { Filters } from './filters.svelte.ts'
import {
  DEFAULT_K, DEFAULT_MODE, DEFAULT_STEP, DEFAULT_STEPS, clampSteps, isK, periodsEndingAt, previousWindow,
  type DayWindow, type Mode
} from './modes.ts'
import type { QueryState } from './url-query.ts'

export class AnalysisOptions {
  mode = $state<Mode>(DEFAULT_MODE)
  k = $state(DEFAULT_K)
  step = $state<EmergingStep>(DEFAULT_STEP)
  steps = $state(DEFAULT_STEPS)
  /** Window B chosen by hand (`to` exclusive); undefined = the period just before window A. */
  customB = $state.raw<DayWindow | undefined>()

  constructor (private readonly filters: Filters) {}

  /** Window A: the filters' window. */
  windowA = $derived.by((): DayWindow | undefined => {
    const { from, to } = this.filters
    return from && to ? { from, to } : undefined
  })

  /** Window B: the custom one, or the same length just before A. */
  windowB = $derived.by((): DayWindow | undefined => {
    if (this.customB) return this.customB
    return this.windowA ? previousWindow(this.windowA) : undefined
  })

  /** Periods of the emerging analysis, ending with window A. */
  periods = $derived.by((): DayWindow[] => {
    const to = this.filters.to
    return to ? periodsEndingAt(to, this.step, this.steps) : []
  })

  /** Lengths in days of A and B when they differ (the comparison is then uneven). */
  lengthMismatch = $derived.by((): { a: number, b: number } | undefined => {
    const a = this.windowA
    const b = this.windowB
    if (!a || !b) return undefined
    const la = daysBetween(a.from, a.to)
    const lb = daysBetween(b.from, b.to)
    return la === lb ? undefined : { a: la, b: lb }
  })

  setMode (mode: Mode): void {
    this.mode = mode
  }

  setK (k: number): void {
    if (isK(k)) this.k = k
  }

  setSteps (value: number): void {
    const steps = clampSteps(value)
    if (steps !== undefined) this.steps = steps
  }

  /** Sets window B from an inclusive first and last day; ignores an inverted range. */
  setWindowB (first: string | undefined, last: string | undefined): void {
    const current = this.windowB
    const from = first ?? current?.from
    const lastDay = last ?? (current ? addDays(current.to, -1) : undefined)
    if (!from || !lastDay) return
    const to = addDays(lastDay, 1)
    if (from >= to) return
    this.customB = { from, to }
  }

  /** Back to the period just before A. */
  resetWindowB (): void {
    this.customB = undefined
  }

  applyQuery (query: QueryState): void {
    if (query.mode) this.mode = query.mode
    if (query.k !== undefined) this.setK(query.k)
    if (query.step) this.step = query.step
    if (query.steps !== undefined) this.setSteps(query.steps)
    if (query.compareFrom && query.compareTo) this.customB = { from: query.compareFrom, to: query.compareTo }
  }

  /** What the URL should show: the mode always, each option only in the modes that use it. */
  toQuery (): QueryState {
    const mode = this.mode
    return {
      mode,
      k: mode === 'hotspots' || mode === 'emerging' ? this.k : undefined,
      step: mode === 'emerging' ? this.step : undefined,
      steps: mode === 'emerging' ? this.steps : undefined,
      compareFrom: mode === 'compare' ? this.customB?.from : undefined,
      compareTo: mode === 'compare' ? this.customB?.to : undefined
    }
  }
}

