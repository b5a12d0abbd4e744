import { describe, expect, it } from 'vitest'
import {
  COVERAGE_ALPHA, DWELL_BREAKS_MINUTES, DWELL_PALETTE, GAP_LINE, dwellClass, dwellColor, dwellLegend
} from '../../web/src/lib/patrols/coverage-palette.ts'
import { SEQUENTIAL_PALETTE } from '../../web/src/lib/map/colors.ts'

/** Relative luminance (sRGB → linear), enough to check that a palette runs light → dark. */
const luminance = ([r, g, b]: readonly number[]) => {
  const lin = (c: number) => { const s = c / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4 }
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

describe('dwell palette', () => {
  it('has one class more than breaks, and runs strictly from light to dark', () => {
    expect(DWELL_PALETTE.length).toBe(DWELL_BREAKS_MINUTES.length + 1)
    const l = DWELL_PALETTE.map(luminance)
    for (let i = 1; i < l.length; i++) expect(l[i]).toBeLessThan(l[i - 1])
  })

  it('shares no colour with the incident palette (patrol time must not read as incidents)', () => {
    const incident = new Set(SEQUENTIAL_PALETTE.map(c => c.join(',')))
    for (const c of DWELL_PALETTE) expect(incident.has(c.join(','))).toBe(false)
  })

  it('puts a dwell time in the class whose range holds it, breaks belonging to the upper class', () => {
    expect(dwellClass(0)).toBe(0)
    expect(dwellClass(4 * 60 + 59)).toBe(0)
    expect(dwellClass(5 * 60)).toBe(1)
    expect(dwellClass(29 * 60)).toBe(2)
    expect(dwellClass(45 * 60)).toBe(3)
    expect(dwellClass(60 * 60)).toBe(4)
    expect(dwellClass(120 * 60)).toBe(5)
    expect(dwellClass(100 * 3600)).toBe(DWELL_PALETTE.length - 1)
    expect(dwellClass(-30)).toBe(0)
  })

  it('colours with the palette at the coverage opacity', () => {
    expect(dwellColor(45 * 60)).toEqual([...DWELL_PALETTE[3], COVERAGE_ALPHA])
    expect(dwellColor(0, 255)).toEqual([...DWELL_PALETTE[0], 255])
  })

  it('gap outline is an opaque red, unlike any dwell colour', () => {
    expect(GAP_LINE[3]).toBe(255)
    expect(GAP_LINE[0]).toBeGreaterThan(GAP_LINE[1] + 100)
    for (const c of DWELL_PALETTE) expect(c[0]).toBeLessThan(c[2] + 30)
  })
})

describe('dwellLegend', () => {
  it('gives contiguous minute ranges with an open top class and counts cells per class', () => {
    const rows = dwellLegend([60, 120, 10 * 60, 45 * 60, 3 * 3600])
    expect(rows.map(r => [r.from, r.to])).toEqual([[0, 5], [5, 15], [15, 30], [30, 60], [60, 120], [120, null]])
    expect(rows.map(r => r.count)).toEqual([2, 1, 0, 1, 0, 1])
    expect(rows.reduce((s, r) => s + r.count, 0)).toBe(5)
  })

  it('lists every class even with no cells', () => {
    expect(dwellLegend([]).map(r => r.count)).toEqual([0, 0, 0, 0, 0, 0])
  })
})
