/**
 * Pure geometry of a small SVG line chart (the z-score of a cell per period in the emerging
 * mode's tooltip). The vertical range always contains 0, so the zero line is on the chart and the
 * sign of z can be read off it.
 */

export interface SparklineOptions {
  width: number
  height: number
  /** Room left around the line (pixels), so dots at the extremes are not cut. */
  padding?: number
}

export interface Sparkline {
  /** SVG path `d` of the line through every finite value (gaps at non-finite ones). */
  path: string
  /** Points of the finite values, in order, as [x, y]; null for a non-finite value. */
  points: Array<[number, number] | null>
  /** y of the zero line. */
  zeroY: number
  /** Value range shown (min ≤ 0 ≤ max). */
  min: number
  max: number
}

const r1 = (n: number) => Math.round(n * 10) / 10

/**
 * @example
 * sparkline([-1, 0, 2], { width: 100, height: 30, padding: 2 }).path // 'M2,28L50,19.3L98,2'
 */
export function sparkline (values: readonly number[], { width, height, padding = 2 }: SparklineOptions): Sparkline {
  const finite = values.filter(v => Number.isFinite(v))
  let min = Math.min(0, ...finite)
  let max = Math.max(0, ...finite)
  if (max - min < 1e-9) { min -= 1; max += 1 }
  const innerW = Math.max(0, width - 2 * padding)
  const innerH = Math.max(0, height - 2 * padding)
  const x = (i: number) => r1(padding + (values.length <= 1 ? innerW / 2 : (i * innerW) / (values.length - 1)))
  const y = (v: number) => r1(padding + ((max - v) * innerH) / (max - min))
  const points = values.map((v, i): [number, number] | null => Number.isFinite(v) ? [x(i), y(v)] : null)
  let path = ''
  let pen = false
  for (const point of points) {
    if (!point) { pen = false; continue }
    path += `${pen ? 'L' : 'M'}${point[0]},${point[1]}`
    pen = true
  }
  return { path, points, zeroY: y(0), min, max }
}
