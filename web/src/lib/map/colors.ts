/**
 * Pure colour helpers: category swatches and a sequential scale for hex counts with breaks
 * computed from the data (quantiles, falling back to log steps when quantiles collapse).
 */
import type { Category } from '../api/client.ts'

export type RGB = [number, number, number]
export type RGBA = [number, number, number, number]

/** Category swatches (Okabe–Ito-like, distinguishable for colour-blind readers). */
export const CATEGORY_COLORS: Record<Category, RGB> = {
  security: [213, 94, 0],
  social_order: [204, 121, 167],
  traffic: [230, 159, 0],
  fire: [200, 30, 30],
  rescue: [0, 114, 178],
  flood: [86, 180, 233],
  other: [120, 120, 120]
}

/**
 * ColorBrewer YlOrRd (9-class), without its two palest steps, which vanish on the pale land:
 * yellow = few incidents, dark red = many.
 */
export const SEQUENTIAL_PALETTE: readonly RGB[] = [
  [254, 217, 118],
  [254, 178, 76],
  [253, 141, 60],
  [252, 78, 42],
  [227, 26, 28],
  [189, 0, 38],
  [128, 0, 38]
]

/** Fill opacity of hexes (0–255): low enough that commune outlines and labels show through. */
export const HEX_ALPHA = 185

export function rgbCss ([r, g, b]: RGB | RGBA, alpha = 1): string {
  return `rgba(${r}, ${g}, ${b}, ${alpha})`
}

/** Value at quantile q (0–1) of an ascending array, nearest-rank (always one of the values). */
export function quantileSorted (sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[index]
}

/**
 * Cumulative shares of cells at which the colour classes end. Spaced more finely at the top than
 * equal quantiles would be, so that the darkest colour marks the few real hotspots (top 2 % of
 * cells) instead of a seventh of the map.
 */
export const HOTSPOT_QUANTILES: readonly number[] = [0.3, 0.5, 0.7, 0.85, 0.93, 0.98, 1]

/**
 * Upper bounds (inclusive) of the colour classes for integer counts ≥ 1, at the given quantiles.
 * Class i holds counts in (breaks[i-1], breaks[i]]; the last break is the maximum.
 * Equal breaks (many cells with the same count) are merged; when that leaves fewer than three
 * classes for a wide range, log steps are used instead.
 *
 * @example
 * quantileBreaks([1, 1, 2, 3, 5, 8, 13, 40], [0.25, 0.5, 0.75, 1]) // → [1, 3, 8, 40]
 */
export function quantileBreaks (counts: readonly number[], quantiles: readonly number[] = HOTSPOT_QUANTILES): number[] {
  const values = counts.filter(n => Number.isFinite(n) && n > 0).sort((a, b) => a - b)
  if (values.length === 0) return []
  const max = values[values.length - 1]
  const breaks: number[] = []
  for (const q of quantiles) {
    const value = Math.round(quantileSorted(values, q))
    if (breaks.length === 0 || value > breaks[breaks.length - 1]) breaks.push(value)
  }
  if (breaks[breaks.length - 1] !== max) breaks.push(max)
  if (breaks.length < Math.min(3, quantiles.length) && max >= 4) return logBreaks(values[0], max, quantiles.length)
  return breaks
}

/** Breaks at roughly equal ratios between min and max (integers, strictly increasing, ending at max). */
export function logBreaks (min: number, max: number, classes = SEQUENTIAL_PALETTE.length): number[] {
  const lo = Math.max(1, min)
  if (max <= lo) return [max]
  const breaks: number[] = []
  for (let i = 1; i <= classes; i++) {
    const value = Math.round(lo * Math.pow(max / lo, i / classes))
    if (breaks.length === 0 || value > breaks[breaks.length - 1]) breaks.push(value)
  }
  if (breaks[breaks.length - 1] !== max) breaks[breaks.length - 1] = max
  return breaks
}

/** Index of the class a count falls in (0 … breaks.length-1). */
export function classIndex (count: number, breaks: readonly number[]): number {
  for (let i = 0; i < breaks.length; i++) if (count <= breaks[i]) return i
  return Math.max(0, breaks.length - 1)
}

/**
 * Palette colours for n classes, spread over the whole palette so that few classes still span
 * light to dark.
 */
export function classColors (n: number, palette: readonly RGB[] = SEQUENTIAL_PALETTE): RGB[] {
  if (n <= 0) return []
  if (n === 1) return [palette[Math.floor(palette.length / 2)]]
  return Array.from({ length: n }, (_, i) => palette[Math.round(i * (palette.length - 1) / (n - 1))])
}

export interface ColorScale {
  breaks: number[]
  colors: RGB[]
  /** Fill colour with HEX_ALPHA for a count. */
  color: (count: number) => RGBA
  /** Legend rows: inclusive count range and colour of each class. */
  classes: Array<{ min: number, max: number, color: RGB }>
}

export function countScale (counts: readonly number[], alpha = HEX_ALPHA): ColorScale {
  const breaks = quantileBreaks(counts)
  const colors = classColors(breaks.length)
  const fallback: RGB = SEQUENTIAL_PALETTE[0]
  const classes = breaks.map((max, i) => ({ min: i === 0 ? 1 : breaks[i - 1] + 1, max, color: colors[i] }))
  // The smallest count may be above 1; start the first class there so the legend tells the truth.
  let smallest = Infinity
  for (const n of counts) if (n > 0 && n < smallest) smallest = n
  if (classes.length > 0 && Number.isFinite(smallest)) classes[0].min = Math.min(smallest, classes[0].max)
  return {
    breaks,
    colors,
    classes,
    color: count => {
      const [r, g, b] = colors[classIndex(count, breaks)] ?? fallback
      return [r, g, b, alpha]
    }
  }
}
