/**
 * Pure colour schemes of the analysis modes:
 * - hot/cold-spot classes on a diverging ColorBrewer RdBu palette (dark red = hot at 99 %,
 *   dark blue = cold at 99 %, not significant a faint grey);
 * - emerging hot-spot patterns on a categorical palette (hot patterns in reds and oranges, cold
 *   ones in blues, `no_pattern` not drawn);
 * - count differences of two windows on a diverging palette centred on 0 (more = red).
 */
import {
  EMERGING_PATTERNS, HOTSPOT_CLASSES,
  type EmergingDirection, type EmergingPattern, type HotspotClass
} from '../api/client.ts'
import { classColors, quantileBreaks, type RGB, type RGBA } from './colors.ts'

/** Fill opacity of significant cells (0–255). */
export const SIGNIFICANT_ALPHA = 205
/** Not significant cells: faint enough that only the significant ones catch the eye. */
export const NOT_SIGNIFICANT_ALPHA = 70
export const TRANSPARENT: RGBA = [0, 0, 0, 0]

/** ColorBrewer RdBu (9-class) without its white middle; not significant = light grey. */
export const HOTSPOT_CLASS_COLORS: Record<HotspotClass, RGB> = {
  hot_99: [178, 24, 43],
  hot_95: [214, 96, 77],
  hot_90: [244, 165, 130],
  cold_90: [146, 197, 222],
  cold_95: [67, 147, 195],
  cold_99: [33, 102, 172],
  not_significant: [200, 200, 200]
}

/** Legend order: hottest first, not significant in the middle, coldest last. */
export const HOTSPOT_LEGEND_ORDER: readonly HotspotClass[] = [
  'hot_99', 'hot_95', 'hot_90', 'not_significant', 'cold_90', 'cold_95', 'cold_99'
]

export function isHotspotClass (value: unknown): value is HotspotClass {
  return typeof value === 'string' && (HOTSPOT_CLASSES as readonly string[]).includes(value)
}

/** Fill colour of a class; an unknown class is drawn as not significant. */
export function hotspotColor (cls: string): RGBA {
  const known = isHotspotClass(cls) ? cls : 'not_significant'
  const [r, g, b] = HOTSPOT_CLASS_COLORS[known]
  return [r, g, b, known === 'not_significant' ? NOT_SIGNIFICANT_ALPHA : SIGNIFICANT_ALPHA]
}

/** Patterns that are drawn (every one but `no_pattern`), in legend order: most urgent first. */
export type DrawnPattern = Exclude<EmergingPattern, 'no_pattern'>
export const EMERGING_LEGEND_ORDER: readonly DrawnPattern[] = [
  'intensifying', 'persistent', 'new', 'consecutive', 'sporadic', 'oscillating', 'diminishing', 'historical'
]

/**
 * Categorical colours per pattern and direction. Hot: dark red (intensifying) through red,
 * orange and amber to magenta and a muted rose for fading patterns; cold: the same roles in blues,
 * teal and purple.
 */
export const EMERGING_COLORS: Record<'hot' | 'cold', Record<DrawnPattern, RGB>> = {
  hot: {
    intensifying: [128, 0, 38],
    persistent: [215, 48, 31],
    new: [253, 141, 60],
    consecutive: [241, 105, 19],
    sporadic: [254, 196, 79],
    oscillating: [179, 88, 6],
    diminishing: [221, 52, 151],
    historical: [212, 160, 160]
  },
  cold: {
    intensifying: [8, 48, 107],
    persistent: [33, 113, 181],
    new: [107, 174, 214],
    consecutive: [66, 146, 198],
    sporadic: [158, 202, 225],
    oscillating: [1, 133, 113],
    diminishing: [117, 107, 177],
    historical: [170, 184, 204]
  }
}

export const EMERGING_ALPHA = 215

export function isEmergingPattern (value: unknown): value is EmergingPattern {
  return typeof value === 'string' && (EMERGING_PATTERNS as readonly string[]).includes(value)
}

/** True when a cell has a pattern worth drawing (a known pattern other than no_pattern, with a direction). */
export function isDrawnPattern (pattern: string, direction: EmergingDirection | string | null | undefined): boolean {
  return pattern !== 'no_pattern' && isEmergingPattern(pattern) && (direction === 'hot' || direction === 'cold')
}

/** Fill colour of a pattern; `no_pattern` (and anything unknown) is transparent. */
export function emergingColor (pattern: string, direction: EmergingDirection | string | null | undefined): RGBA {
  if (!isDrawnPattern(pattern, direction)) return TRANSPARENT
  const [r, g, b] = EMERGING_COLORS[direction as 'hot' | 'cold'][pattern as DrawnPattern]
  return [r, g, b, EMERGING_ALPHA]
}

/** Cells per pattern and direction; `no_pattern` holds the cells with neither. */
export type PatternTally = Record<EmergingPattern, { hot: number, cold: number, none: number }>

export function tallyPatterns (cells: ReadonlyArray<{ pattern: string, direction: EmergingDirection | string | null }>): PatternTally {
  const tally = Object.fromEntries(EMERGING_PATTERNS.map(p => [p, { hot: 0, cold: 0, none: 0 }])) as PatternTally
  for (const { pattern, direction } of cells) {
    const row = tally[isEmergingPattern(pattern) ? pattern : 'no_pattern']
    if (direction === 'hot') row.hot++
    else if (direction === 'cold') row.cold++
    else row.none++
  }
  return tally
}

/** ColorBrewer RdBu, strongest last: more incidents in window A (red), fewer (blue). */
export const DIFFERENCE_POSITIVE: readonly RGB[] = [[244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31]]
export const DIFFERENCE_NEGATIVE: readonly RGB[] = [[146, 197, 222], [67, 147, 195], [33, 102, 172], [5, 48, 97]]
export const DIFFERENCE_ALPHA = 200
/** Class bounds of |difference| as shares of the cells that changed: many small changes, few big ones. */
export const DIFFERENCE_QUANTILES: readonly number[] = [0.5, 0.8, 0.95, 1]

export interface DifferenceClass {
  /** Inclusive bounds of the signed difference. */
  min: number
  max: number
  color: RGB
}

export interface DifferenceScale {
  /** Upper bounds (inclusive) of |difference| per class, the same on both sides of 0. */
  breaks: number[]
  /** Fill colour of a difference; 0 is transparent. */
  color: (diff: number) => RGBA
  /** Legend rows from the largest increase down to the largest decrease (0 left out). */
  classes: DifferenceClass[]
}

/**
 * A diverging scale for integer differences, symmetric around 0: the same |difference| breaks
 * (quantiles of the non-zero |difference|) on both sides, so equal changes get equal strength.
 *
 * @example
 * differenceScale([-3, 1, 2, 5]).color(5) // dark red; .color(-3) a blue; .color(0) transparent
 */
export function differenceScale (diffs: readonly number[], alpha = DIFFERENCE_ALPHA): DifferenceScale {
  const magnitudes = diffs.filter(d => Number.isFinite(d) && d !== 0).map(d => Math.abs(d))
  const breaks = quantileBreaks(magnitudes, DIFFERENCE_QUANTILES)
  const pos = classColors(breaks.length, DIFFERENCE_POSITIVE)
  const neg = classColors(breaks.length, DIFFERENCE_NEGATIVE)
  const indexOf = (magnitude: number) => {
    for (let i = 0; i < breaks.length; i++) if (magnitude <= breaks[i]) return i
    return breaks.length - 1
  }
  const lows = breaks.map((_, i) => i === 0 ? 1 : breaks[i - 1] + 1)
  const smallest = magnitudes.length > 0 ? Math.min(...magnitudes) : 1
  if (lows.length > 0) lows[0] = Math.min(Math.max(1, smallest), breaks[0])
  const classes: DifferenceClass[] = []
  for (let i = breaks.length - 1; i >= 0; i--) classes.push({ min: lows[i], max: breaks[i], color: pos[i] })
  for (let i = 0; i < breaks.length; i++) classes.push({ min: -breaks[i], max: -lows[i], color: neg[i] })
  return {
    breaks,
    classes,
    color: diff => {
      if (!Number.isFinite(diff) || diff === 0 || breaks.length === 0) return TRANSPARENT
      const [r, g, b] = (diff > 0 ? pos : neg)[indexOf(Math.abs(diff))]
      return [r, g, b, alpha]
    }
  }
}
