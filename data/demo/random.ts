// Small seeded random toolkit for the demo-data generator.
// Deterministic on every platform: only 32-bit integer arithmetic (Math.imul, >>> 0) and IEEE doubles.
// Never uses Math.random or the clock.

/** cyrb128: hashes a string into four 32-bit words (good avalanche, used only for seeding). */
export function hash128 (str: string): [number, number, number, number] {
  let h1 = 1779033703; let h2 = 3144134277; let h3 = 1013904242; let h4 = 2773480762
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i)
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067)
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233)
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213)
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179)
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067)
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233)
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213)
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179)
  h1 ^= (h2 ^ h3 ^ h4); h2 ^= h1; h3 ^= h1; h4 ^= h1
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0]
}

/**
 * A seeded stream (sfc32, 128-bit state). `next()` returns a float in [0, 1).
 * Streams are keyed by strings, e.g. `${seed}|${communeCode}|incidents`, so every commune has its
 * own independent sequence and adding or removing a commune never changes the others.
 */
export class Rng {
  private a: number; private b: number; private c: number; private d: number
  private spareNormal: number | null = null

  constructor (key: string) {
    const [a, b, c, d] = hash128(key)
    this.a = a; this.b = b; this.c = c; this.d = d
    for (let i = 0; i < 15; i++) this.u32() // warm up
  }

  u32 (): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0
    this.d = (this.d + 1) >>> 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) >>> 0
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0
    this.c = (this.c + t) >>> 0
    return t
  }

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  next (): number { return this.u32() / 4294967296 }

  /** Uniform float in [lo, hi). */
  range (lo: number, hi: number): number { return lo + (hi - lo) * this.next() }

  /** Uniform integer in [lo, hi] (both inclusive). */
  int (lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)) }

  chance (p: number): boolean { return this.next() < p }

  pick<T> (items: readonly T[]): T { return items[Math.floor(this.next() * items.length)] }

  /** Standard normal (Box–Muller, both values used). */
  normal (): number {
    if (this.spareNormal !== null) { const s = this.spareNormal; this.spareNormal = null; return s }
    let u = 0
    while (u === 0) u = this.next()
    const v = this.next()
    const r = Math.sqrt(-2 * Math.log(u))
    this.spareNormal = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }

  /** Poisson draw (Knuth for small means, rounded normal approximation for large ones). */
  poisson (mean: number): number {
    if (!(mean > 0)) return 0
    if (mean < 30) {
      const limit = Math.exp(-mean)
      let k = 0; let p = this.next()
      while (p > limit) { k++; p *= this.next() }
      return k
    }
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()))
  }
}

/** Cumulative distribution over weights; sample with `sampleCdf`. */
export function buildCdf (weights: ArrayLike<number>): Float64Array {
  const cdf = new Float64Array(weights.length)
  let s = 0
  for (let i = 0; i < weights.length; i++) { s += Math.max(0, weights[i]); cdf[i] = s }
  return cdf
}

/** Index i with probability weights[i] / total (binary search on the CDF). */
export function sampleCdf (cdf: Float64Array, u: number): number {
  const target = u * cdf[cdf.length - 1]
  let lo = 0; let hi = cdf.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (cdf[mid] > target) hi = mid; else lo = mid + 1
  }
  // The first index whose cumulative weight exceeds the target is never a zero-weight entry.
  return lo
}

/** Weighted pick from parallel arrays of items and weights. */
export function pickWeighted<T> (rng: Rng, items: readonly T[], weights: readonly number[]): T {
  let total = 0
  for (const w of weights) total += w
  let u = rng.next() * total
  for (let i = 0; i < items.length; i++) {
    u -= weights[i]
    if (u < 0) return items[i]
  }
  return items[items.length - 1]
}
