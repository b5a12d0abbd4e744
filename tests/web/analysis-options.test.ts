import { describe, expect, it } from 'vitest'
import { Filters } from '../../web/src/lib/state/filters.svelte.ts'
import { AnalysisOptions } from '../../web/src/lib/state/analysis.svelte.ts'
import { parseQuery } from '../../web/src/lib/state/url-query.ts'

function setup (search = '') {
  const query = parseQuery(search)
  const filters = new Filters()
  filters.applyQuery(query)
  filters.setLatestDay('2025-06-30')
  const analysis = new AnalysisOptions(filters)
  analysis.applyQuery(query)
  return { filters, analysis }
}

describe('analysis options', () => {
  it('opens on counts with the defaults', () => {
    const { analysis } = setup()
    expect(analysis.mode).toBe('counts')
    expect(analysis.k).toBe(1)
    expect(analysis.step).toBe('week')
    expect(analysis.steps).toBe(12)
    expect(analysis.toQuery()).toEqual({ mode: 'counts', k: undefined, step: undefined, steps: undefined, compareFrom: undefined, compareTo: undefined })
  })

  it('takes window B as the period just before A until one is chosen', () => {
    const { filters, analysis } = setup('?mode=compare')
    expect(analysis.windowA).toEqual({ from: '2025-06-01', to: '2025-07-01' })
    expect(analysis.windowB).toEqual({ from: '2025-05-02', to: '2025-06-01' })
    filters.setPreset(7)
    expect(analysis.windowB).toEqual({ from: '2025-06-17', to: '2025-06-24' })
    analysis.setWindowB('2024-06-24', '2024-06-30')
    expect(analysis.windowB).toEqual({ from: '2024-06-24', to: '2024-07-01' })
    expect(analysis.lengthMismatch).toBeUndefined()
    expect(analysis.toQuery()).toMatchObject({ mode: 'compare', compareFrom: '2024-06-24', compareTo: '2024-07-01' })
    analysis.setWindowB(undefined, '2024-06-10') // before its first day: ignored
    expect(analysis.windowB).toEqual({ from: '2024-06-24', to: '2024-07-01' })
    analysis.setWindowB('2024-06-01', undefined)
    expect(analysis.lengthMismatch).toEqual({ a: 7, b: 30 })
    analysis.resetWindowB()
    expect(analysis.windowB).toEqual({ from: '2025-06-17', to: '2025-06-24' })
    expect(analysis.toQuery().compareFrom).toBeUndefined()
  })

  it('reads and writes the options of each mode from the URL', () => {
    const { analysis } = setup('?mode=emerging&k=3&step=month&steps=6')
    expect(analysis.toQuery()).toEqual({ mode: 'emerging', k: 3, step: 'month', steps: 6, compareFrom: undefined, compareTo: undefined })
    expect(analysis.periods).toHaveLength(6)
    expect(analysis.periods[5]).toEqual({ from: '2025-06-01', to: '2025-07-01' })
    analysis.setSteps(80)
    expect(analysis.steps).toBe(52)
    analysis.setK(5)
    expect(analysis.k).toBe(3)
    analysis.setMode('hotspots')
    expect(analysis.toQuery()).toMatchObject({ mode: 'hotspots', k: 3, step: undefined, steps: undefined })
    const compare = setup('?mode=compare&bfrom=2025-01-01&bto=2025-02-01').analysis
    expect(compare.windowB).toEqual({ from: '2025-01-01', to: '2025-02-01' })
  })
})
