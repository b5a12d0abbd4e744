import { describe, expect, it } from 'vitest'
import {
  EMERGING_PATTERNS, EMERGING_STEPS, HOTSPOT_CLASSES, buildUrl,
  type EmergingCell, type HotspotCell
} from '../../web/src/lib/api/client.ts'
import {
  ANALYSIS_AUTO_MAX_RES, DEFAULT_MODE, MODES, autoResForMode, clampSteps, isK, isMode, kRingSize, parseSteps, periodsEndingAt, previousWindow
} from '../../web/src/lib/state/modes.ts'
import { formatQuery, parseQuery } from '../../web/src/lib/state/url-query.ts'
import {
  DIFFERENCE_NEGATIVE, DIFFERENCE_POSITIVE, EMERGING_COLORS, EMERGING_LEGEND_ORDER, HOTSPOT_CLASS_COLORS,
  HOTSPOT_LEGEND_ORDER, NOT_SIGNIFICANT_ALPHA, differenceScale, emergingColor, hotspotColor, isDrawnPattern,
  tallyPatterns
} from '../../web/src/lib/map/hotspot-palette.ts'
import {
  formatChange, formatP, formatSigned, formatZ, hotspotClassLabelKey, hotspotClassMeaningKey, modeHintKey,
  modeLabelKey, patternDefinitionKey, patternLabelKey, patternNameKey, stepLabelKey, stepsCountKey
} from '../../web/src/lib/map/hotspot-labels.ts'
import { changePercent, changedCells, differenceCells, totalOf } from '../../web/src/lib/map/compare.ts'
import { sparkline } from '../../web/src/lib/map/sparkline.ts'
import { HOTSPOT_LAYER_ID, hotspotFill, hotspotLayer, hotspotLine } from '../../web/src/lib/map/layers/hotspot-layer.ts'
import { EMERGING_LAYER_ID, drawnEmergingCells, emergingFill, emergingLayer } from '../../web/src/lib/map/layers/emerging-layer.ts'
import { DIFFERENCE_LAYER_ID, differenceLayer } from '../../web/src/lib/map/layers/difference-layer.ts'
import { CATEGORIES } from '../../web/src/lib/api/client.ts'
import { vi, type MessageKey } from '../../web/src/lib/i18n/vi.ts'
import { en } from '../../web/src/lib/i18n/en.ts'

/** Vietnamese letters with diacritics (a text in Vietnamese that has none is written wrong). */
const VI_DIACRITICS = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i

function hot (over: Partial<HotspotCell> = {}): HotspotCell {
  return { h3: '88418d4a5bfffff', count: 3, z: 2.5, p: 0.01, p_adjusted: 0.04, class: 'hot_95', ...over }
}
function trendCell (over: Partial<EmergingCell> = {}): EmergingCell {
  return {
    h3: '88418d4a5bfffff', counts: [0, 1, 4], z: [-0.2, 0.4, 3.1],
    trend: { tau: 0.8, p: 0.2, s: 3, z: 1.1 }, pattern: 'new', direction: 'hot', ...over
  }
}

describe('modes', () => {
  it('knows the four modes and rejects others', () => {
    expect(MODES).toEqual(['counts', 'hotspots', 'emerging', 'compare'])
    expect(DEFAULT_MODE).toBe('counts')
    for (const m of MODES) expect(isMode(m)).toBe(true)
    for (const bad of ['', 'Hotspots', 'heat', null, 3]) expect(isMode(bad)).toBe(false)
  })

  it('limits k to 1–3 and periods to 2–52', () => {
    expect([0, 1, 2, 3, 4, 1.5].map(isK)).toEqual([false, true, true, true, false, false])
    expect([1, 2, 3].map(kRingSize)).toEqual([7, 19, 37])
    expect(parseSteps('12')).toBe(12)
    expect(parseSteps('1')).toBeUndefined()
    expect(parseSteps('53')).toBeUndefined()
    expect(parseSteps('7.5')).toBeUndefined()
    expect(parseSteps('')).toBeUndefined()
    expect(parseSteps(null)).toBeUndefined()
    expect(clampSteps(100)).toBe(52)
    expect(clampSteps(0)).toBe(2)
    expect(clampSteps(8.6)).toBe(9)
    expect(clampSteps(NaN)).toBeUndefined()
  })

  it('caps the automatic resolution of province-wide analyses only', () => {
    expect(ANALYSIS_AUTO_MAX_RES).toBe(9)
    expect(autoResForMode('hotspots', 10, { province: '31' })).toBe(9)
    expect(autoResForMode('emerging', 10, { province: '31' })).toBe(9)
    expect(autoResForMode('hotspots', 8, { province: '31' })).toBe(8)
    expect(autoResForMode('hotspots', 10, { commune: '11383' })).toBe(10)
    expect(autoResForMode('counts', 10, { province: '31' })).toBe(10)
    expect(autoResForMode('compare', 10, { province: '31' })).toBe(10)
  })

  it('takes window B as the same length just before window A', () => {
    expect(previousWindow({ from: '2025-06-01', to: '2025-07-01' })).toEqual({ from: '2025-05-02', to: '2025-06-01' })
    expect(previousWindow({ from: '2025-03-01', to: '2025-03-08' })).toEqual({ from: '2025-02-22', to: '2025-03-01' })
  })

  it('cuts periods back from the end like the server', () => {
    expect(periodsEndingAt('2025-07-01', 'month', 2)).toEqual([
      { from: '2025-05-01', to: '2025-06-01' }, { from: '2025-06-01', to: '2025-07-01' }
    ])
    const weeks = periodsEndingAt('2025-07-01', 'week', 12)
    expect(weeks).toHaveLength(12)
    expect(weeks[11]).toEqual({ from: '2025-06-24', to: '2025-07-01' })
    expect(weeks[0].from).toBe('2025-04-08')
    for (let i = 1; i < weeks.length; i++) expect(weeks[i].from).toBe(weeks[i - 1].to)
    expect(periodsEndingAt('2025-03-01', 'day', 2)).toEqual([
      { from: '2025-02-27', to: '2025-02-28' }, { from: '2025-02-28', to: '2025-03-01' }
    ])
  })
})

describe('URL query of the modes', () => {
  it('reads mode and its options, ignoring bad values', () => {
    expect(parseQuery('?mode=hotspots&k=2')).toMatchObject({ mode: 'hotspots', k: 2 })
    expect(parseQuery('?mode=emerging&step=month&steps=24')).toMatchObject({ mode: 'emerging', step: 'month', steps: 24 })
    expect(parseQuery('?mode=compare&bfrom=2025-05-01&bto=2025-06-01')).toMatchObject({
      mode: 'compare', compareFrom: '2025-05-01', compareTo: '2025-06-01'
    })
    const bad = parseQuery('?mode=heat&k=9&step=year&steps=99&bfrom=2025-06-01&bto=2025-05-01')
    expect(bad.mode).toBeUndefined()
    expect(bad.k).toBeUndefined()
    expect(bad.step).toBeUndefined()
    expect(bad.steps).toBeUndefined()
    expect(bad.compareFrom).toBeUndefined()
  })

  it('writes what it reads', () => {
    const query = formatQuery({
      from: '2025-06-01', to: '2025-07-01', mode: 'emerging', k: 2, step: 'week', steps: 12
    }, CATEGORIES)
    expect(query).toBe('from=2025-06-01&to=2025-07-01&mode=emerging&k=2&step=week&steps=12')
    expect(parseQuery(`?${query}`)).toMatchObject({ mode: 'emerging', k: 2, step: 'week', steps: 12 })
    expect(formatQuery({ mode: 'compare', compareFrom: '2025-05-01', compareTo: '2025-06-01' }, CATEGORIES))
      .toBe('mode=compare&bfrom=2025-05-01&bto=2025-06-01')
    expect(formatQuery({ mode: 'counts' }, CATEGORIES)).toBe('mode=counts')
  })
})

describe('API URLs of the analysis calls', () => {
  it('names the area, window and options as the contract does', () => {
    const url = new URL(buildUrl('/api/hotspots', { res: 8, k: 2, commune: '11383', from: '2025-06-01', to: '2025-07-01', category: 'fire,flood' }), 'http://x')
    expect(Object.fromEntries(url.searchParams)).toEqual({ res: '8', k: '2', commune: '11383', from: '2025-06-01', to: '2025-07-01', category: 'fire,flood' })
  })
})

describe('hot spot palette', () => {
  it('colours every class: reds for hot, blues for cold, faint grey when not significant', () => {
    for (const cls of HOTSPOT_CLASSES) expect(HOTSPOT_CLASS_COLORS[cls]).toHaveLength(3)
    expect(new Set(HOTSPOT_LEGEND_ORDER)).toEqual(new Set(HOTSPOT_CLASSES))
    for (const cls of ['hot_99', 'hot_95', 'hot_90'] as const) {
      const [r, , b] = hotspotColor(cls)
      expect(r).toBeGreaterThan(b)
    }
    for (const cls of ['cold_99', 'cold_95', 'cold_90'] as const) {
      const [r, , b] = hotspotColor(cls)
      expect(b).toBeGreaterThan(r)
    }
    expect(hotspotColor('not_significant')[3]).toBe(NOT_SIGNIFICANT_ALPHA)
    expect(hotspotColor('hot_99')[3]).toBeGreaterThan(NOT_SIGNIFICANT_ALPHA)
    expect(hotspotColor('something new')).toEqual(hotspotColor('not_significant'))
  })

  it('gets darker with confidence on both sides', () => {
    const lightness = (c: readonly number[]) => c[0] + c[1] + c[2]
    const [h99, h95, h90] = (['hot_99', 'hot_95', 'hot_90'] as const).map(c => lightness(HOTSPOT_CLASS_COLORS[c]))
    const [c99, c95, c90] = (['cold_99', 'cold_95', 'cold_90'] as const).map(c => lightness(HOTSPOT_CLASS_COLORS[c]))
    expect(h99).toBeLessThan(h95)
    expect(h95).toBeLessThan(h90)
    expect(c99).toBeLessThan(c95)
    expect(c95).toBeLessThan(c90)
  })
})

describe('emerging palette', () => {
  it('draws every pattern but no_pattern, hot warm and cold blue, all distinct', () => {
    expect(new Set(EMERGING_LEGEND_ORDER)).toEqual(new Set(EMERGING_PATTERNS.filter(p => p !== 'no_pattern')))
    const seen = new Set<string>()
    for (const pattern of EMERGING_LEGEND_ORDER) {
      const [hr, , hb] = EMERGING_COLORS.hot[pattern]
      const [cr, , cb] = EMERGING_COLORS.cold[pattern]
      expect(hr).toBeGreaterThan(hb)
      expect(cb).toBeGreaterThan(cr)
      seen.add(EMERGING_COLORS.hot[pattern].join())
      seen.add(EMERGING_COLORS.cold[pattern].join())
    }
    expect(seen.size).toBe(16)
    expect(emergingColor('no_pattern', null)[3]).toBe(0)
    expect(emergingColor('new', null)[3]).toBe(0)
    expect(emergingColor('unknown', 'hot')[3]).toBe(0)
    expect(emergingColor('new', 'hot')[3]).toBeGreaterThan(0)
    expect(isDrawnPattern('historical', 'cold')).toBe(true)
    expect(isDrawnPattern('no_pattern', null)).toBe(false)
  })

  it('tallies patterns per direction', () => {
    const tally = tallyPatterns([
      { pattern: 'new', direction: 'hot' }, { pattern: 'new', direction: 'cold' }, { pattern: 'new', direction: 'hot' },
      { pattern: 'no_pattern', direction: null }, { pattern: 'persistent', direction: 'cold' }
    ])
    expect(tally.new).toEqual({ hot: 2, cold: 1, none: 0 })
    expect(tally.persistent).toEqual({ hot: 0, cold: 1, none: 0 })
    expect(tally.no_pattern).toEqual({ hot: 0, cold: 0, none: 1 })
    expect(tally.sporadic).toEqual({ hot: 0, cold: 0, none: 0 })
  })
})

describe('difference scale', () => {
  it('is centred on 0: red above, blue below, nothing at 0, symmetric strengths', () => {
    const scale = differenceScale([-40, -3, -1, 1, 2, 2, 5, 9, 30, 0])
    expect(scale.color(0)[3]).toBe(0)
    const up = scale.color(30)
    const down = scale.color(-30)
    expect(up[0]).toBeGreaterThan(up[2])
    expect(down[2]).toBeGreaterThan(down[0])
    // The same |difference| takes the same step on either side.
    for (const d of [1, 2, 5, 9, 30]) {
      expect(DIFFERENCE_POSITIVE.map(c => c.join())).toContain(scale.color(d).slice(0, 3).join())
      expect(DIFFERENCE_NEGATIVE.map(c => c.join())).toContain(scale.color(-d).slice(0, 3).join())
      const i = DIFFERENCE_POSITIVE.findIndex(c => c.join() === scale.color(d).slice(0, 3).join())
      const j = DIFFERENCE_NEGATIVE.findIndex(c => c.join() === scale.color(-d).slice(0, 3).join())
      expect(i).toBe(j)
    }
    // Legend: from the largest increase to the largest decrease, contiguous, 0 left out.
    const { classes } = scale
    expect(classes[0].max).toBe(40)
    expect(classes[classes.length - 1].min).toBe(-40)
    for (let i = 1; i < classes.length; i++) {
      expect(classes[i].max).toBeLessThan(classes[i - 1].min)
    }
    expect(classes.some(c => c.min <= 0 && c.max >= 0)).toBe(false)
  })

  it('has no classes when nothing changed', () => {
    const scale = differenceScale([0, 0])
    expect(scale.classes).toEqual([])
    expect(scale.color(3)[3]).toBe(0)
  })
})

describe('compare helpers', () => {
  it('joins both windows per cell', () => {
    const cells = differenceCells(
      [{ h3: 'b', count: 5 }, { h3: 'a', count: 1 }],
      [{ h3: 'b', count: 2 }, { h3: 'c', count: 4 }, { h3: 'a', count: 1 }]
    )
    expect(cells).toEqual([
      { h3: 'a', a: 1, b: 1, diff: 0 },
      { h3: 'b', a: 5, b: 2, diff: 3 },
      { h3: 'c', a: 0, b: 4, diff: -4 }
    ])
    expect(changedCells(cells).map(c => c.h3)).toEqual(['b', 'c'])
    expect(totalOf([{ h3: 'a', count: 2 }, { h3: 'b', count: 3 }])).toBe(5)
  })

  it('computes the change in percent, undefined without a base', () => {
    expect(changePercent(120, 100)).toBe(20)
    expect(changePercent(50, 100)).toBe(-50)
    expect(changePercent(5, 0)).toBeUndefined()
  })
})

describe('labels and formats', () => {
  const keys: MessageKey[] = [
    ...MODES.flatMap(m => [modeLabelKey(m), modeHintKey(m)]),
    ...HOTSPOT_CLASSES.flatMap(c => [hotspotClassLabelKey(c), hotspotClassMeaningKey(c)]),
    ...EMERGING_PATTERNS.flatMap(p => [
      patternNameKey(p), patternLabelKey(p, 'hot'), patternLabelKey(p, 'cold'), patternLabelKey(p, null),
      patternDefinitionKey(p, 'hot'), patternDefinitionKey(p, 'cold'), patternDefinitionKey(p, null)
    ]),
    ...EMERGING_STEPS.flatMap(s => [stepLabelKey(s), stepsCountKey(s)])
  ]

  it('has a Vietnamese (with diacritics) and an English text for every class, pattern, step and mode', () => {
    for (const key of keys) {
      expect(vi[key], key).toBeTruthy()
      expect(en[key], key).toBeTruthy()
      expect(vi[key], key).not.toBe(en[key])
    }
    for (const key of keys.filter(k => !k.startsWith('emerging.steps.'))) expect(vi[key], key).toMatch(VI_DIACRITICS)
    expect(vi[hotspotClassLabelKey('hot_99')]).toBe('Điểm nóng, độ tin cậy 99%')
    expect(en[hotspotClassMeaningKey('hot_99')]).toBe('far more incidents around this cell than chance would give')
    expect(vi[patternLabelKey('new', 'hot')]).toBe('Điểm nóng mới')
    expect(vi[patternDefinitionKey('new', 'hot')]).toMatch(/chỉ nóng ở kỳ cuối/)
    expect(vi[patternLabelKey('intensifying', 'hot')]).toBe('Ngày càng nóng')
    expect(vi[patternDefinitionKey('intensifying', 'hot')]).toMatch(/≥90% số kỳ/)
    expect(vi[patternLabelKey('new', 'cold')]).toMatch(/lạnh/)
    expect(vi['mode.hotspots']).toBe('Điểm nóng')
    expect(en['mode.emerging']).toBe('Emerging')
  })

  it('formats z, p and changes in the language\'s style', () => {
    expect(formatZ(2.5761, 'vi-VN')).toBe('+2,58')
    expect(formatZ(-1.2, 'en-GB')).toBe('\u22121.20')
    expect(formatZ(0.001, 'en-GB')).toBe('0.00')
    expect(formatP(0.0123, 'en-GB')).toBe('0.012')
    expect(formatP(0.0001, 'vi-VN')).toBe('< 0,001')
    expect(formatP(Number.NaN, 'en-GB')).toBe('—')
    expect(formatSigned(12, 'en-GB')).toBe('+12')
    expect(formatSigned(-1500, 'vi-VN')).toBe('\u22121.500')
    expect(formatChange(12.345, 'vi-VN')).toBe('+12,3 %')
    expect(formatChange(-50, 'en-GB')).toBe('\u221250.0%')
    expect(formatChange(250, 'en-GB')).toBe('+250%')
    expect(formatChange(undefined, 'en-GB')).toBe('—')
  })
})

describe('sparkline', () => {
  it('keeps 0 on the chart and spans the width', () => {
    const chart = sparkline([-1, 0, 2], { width: 100, height: 30, padding: 2 })
    expect(chart.path).toBe('M2,28L50,19.3L98,2')
    expect(chart.zeroY).toBe(19.3)
    const positive = sparkline([1, 2, 3], { width: 60, height: 20, padding: 0 })
    expect(positive.min).toBe(0)
    expect(positive.zeroY).toBe(20)
  })

  it('breaks the line at missing values and survives a flat series', () => {
    const chart = sparkline([1, Number.NaN, 1], { width: 10, height: 10, padding: 0 })
    expect(chart.points[1]).toBeNull()
    expect(chart.path.match(/M/g)).toHaveLength(2)
    const flat = sparkline([0, 0], { width: 10, height: 10, padding: 0 })
    expect(flat.zeroY).toBe(5)
  })
})

describe('layer factories', () => {
  it('draws hot spots by class, every row', () => {
    const rows = [hot(), hot({ h3: '88418d4a53fffff', class: 'not_significant', z: 0.1, p: 0.9, p_adjusted: 0.95 })]
    const layer = hotspotLayer(rows, { version: 1 })
    expect(layer.id).toBe(HOTSPOT_LAYER_ID)
    expect(layer.props.data).toBe(rows)
    expect(hotspotFill(rows[0])).toEqual(hotspotColor('hot_95'))
    expect(hotspotFill(rows[1])[3]).toBe(NOT_SIGNIFICANT_ALPHA)
    expect(hotspotLine(rows[1])[3]).toBe(0)
  })

  it('draws emerging patterns but not no_pattern', () => {
    const rows = [trendCell(), trendCell({ h3: '88418d4a53fffff', pattern: 'no_pattern', direction: null })]
    const drawn = drawnEmergingCells(rows)
    expect(drawn.map(r => r.pattern)).toEqual(['new'])
    const layer = emergingLayer(drawn, { version: 'emerging:1' })
    expect(layer.id).toBe(EMERGING_LAYER_ID)
    expect(emergingFill(rows[0])).toEqual(emergingColor('new', 'hot'))
  })

  it('draws differences with the given scale', () => {
    const rows = changedCells(differenceCells([{ h3: '88418d4a5bfffff', count: 4 }], []))
    const layer = differenceLayer(rows, { color: differenceScale(rows.map(r => r.diff)).color, version: 1 })
    expect(layer.id).toBe(DIFFERENCE_LAYER_ID)
    expect(layer.props.data).toHaveLength(1)
  })
})
