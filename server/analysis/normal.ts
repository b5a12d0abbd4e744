/**
 * The standard normal distribution: the complementary error function, the CDF Φ and the two-sided
 * p-value of a z-score. Pure functions, double precision.
 *
 * erfc follows W. J. Cody, "Rational Chebyshev approximations for the error function",
 * Mathematics of Computation 23 (1969) 631–637, with the coefficients of his SPECFUN routine CALERF
 * (Netlib, public domain). Three intervals:
 *
 *   |x| ≤ 0.46875      erf(x)  = x · R₁(x²)                          (erfc = 1 − erf)
 *   0.46875 < |x| ≤ 4  erfc(x) = exp(−x²) · R₂(x)
 *   |x| > 4            erfc(x) = exp(−x²) / x · (1/√π − R₃(1/x²) / x²)
 *
 * where the Rᵢ are rational functions; exp(−x²) is evaluated as exp(−t²)·exp(−(x−t)(x+t)) with
 * t = ⌊16x⌋/16 so that no precision is lost in x². Relative error ≲ 1e-15 for erfc(x), x ≥ 0,
 * and absolute error ≲ 1e-16 everywhere; negative arguments use erfc(−x) = 2 − erfc(x).
 */

/** 1/√π */
const ONE_OVER_SQRT_PI = 5.6418958354775628695e-1
const SQRT_HALF = Math.SQRT1_2
/** Below this |x|, erf(x) = 2x/√π to double precision. */
const X_TINY = 1.11e-16
/** Above this x, erfc(x) underflows to 0 in double precision. */
const X_BIG = 26.543

// erf on [0, 0.46875]
const A = [3.16112374387056560e0, 1.13864154151050156e2, 3.77485237685302021e2,
  3.20937758913846947e3, 1.85777706184603153e-1]
const B = [2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3,
  2.84423683343917062e3]
// erfc on (0.46875, 4]
const C = [5.64188496988670089e-1, 8.88314979438837594e0, 6.61191906371416295e1,
  2.98635138197400131e2, 8.81952221241769090e2, 1.71204761263407058e3,
  2.05107837782607147e3, 1.23033935479799725e3, 2.15311535474403846e-8]
const D = [1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2,
  1.62138957456669019e3, 3.29079923573345963e3, 4.36261909014324716e3,
  3.43936767414372164e3, 1.23033935480374942e3]
// erfc on (4, ∞)
const P = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
  1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2]
const Q = [2.56852019228982242e0, 1.87295284992346047e0, 5.27905102951428412e-1,
  6.05183413124413191e-2, 2.33520497626869185e-3]

/** exp(−y²) without the rounding error of forming y² directly (Cody's split at ⌊16y⌋/16). */
function expMinusSquare (y: number): number {
  const t = Math.trunc(16 * y) / 16
  const del = (y - t) * (y + t)
  return Math.exp(-t * t) * Math.exp(-del)
}

/** erfc(y) for y ≥ 0. */
function erfcNonNegative (y: number): number {
  if (y <= 0.46875) {
    const ysq = y > X_TINY ? y * y : 0
    let num = A[4] * ysq
    let den = ysq
    for (let i = 0; i < 3; i++) {
      num = (num + A[i]) * ysq
      den = (den + B[i]) * ysq
    }
    return 1 - y * (num + A[3]) / (den + B[3])
  }
  if (y <= 4) {
    let num = C[8] * y
    let den = y
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]) * y
      den = (den + D[i]) * y
    }
    return expMinusSquare(y) * (num + C[7]) / (den + D[7])
  }
  if (y >= X_BIG) return 0
  const ysq = 1 / (y * y)
  let num = P[5] * ysq
  let den = ysq
  for (let i = 0; i < 4; i++) {
    num = (num + P[i]) * ysq
    den = (den + Q[i]) * ysq
  }
  const r = ysq * (num + P[4]) / (den + Q[4])
  return expMinusSquare(y) * (ONE_OVER_SQRT_PI - r) / y
}

/**
 * The complementary error function erfc(x) = 2/√π ∫ₓ^∞ e^(−t²) dt (Cody 1969, see the module note).
 * NaN gives NaN.
 *
 * @example
 * erfc(0)  // 1
 * erfc(1)  // 0.15729920705028513
 * erfc(-1) // 1.8427007929497148
 */
export function erfc (x: number): number {
  if (Number.isNaN(x)) return NaN
  return x >= 0 ? erfcNonNegative(x) : 2 - erfcNonNegative(-x)
}

/**
 * Standard normal cumulative distribution function Φ(x) = P(Z ≤ x) = ½ · erfc(−x/√2).
 * Accurate to ~1e-16 absolute, and to ~1e-14 relative in the lower tail (Φ(−8) ≈ 6.2e-16 is
 * returned with all but the last couple of digits right). Φ(±∞) = 1 or 0; NaN gives NaN.
 *
 * @example
 * normalCdf(0)                  // 0.5
 * normalCdf(1.959963984540054)  // 0.975
 * normalCdf(-3)                 // 0.0013498980316300946
 */
export function normalCdf (x: number): number {
  return 0.5 * erfc(-x * SQRT_HALF)
}

/**
 * Two-sided p-value of a standard normal test statistic:
 * p = 2 · (1 − Φ(|z|)) = erfc(|z|/√2), computed in the tail so that it keeps its relative
 * precision for large |z| (no 1 − Φ cancellation). NaN gives NaN.
 *
 * @example
 * twoSidedPValue(1.959963984540054) // 0.05
 * twoSidedPValue(-2.5758293035489)  // 0.01
 * twoSidedPValue(0)                 // 1
 */
export function twoSidedPValue (z: number): number {
  return erfc(Math.abs(z) * SQRT_HALF)
}
