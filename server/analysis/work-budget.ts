import { getHexagonAreaAvg } from 'h3-js'

/**
 * The work budget of the cell statistics (GET /api/hotspots, /api/hotspots/emerging,
 * /api/coverage). They run on the event loop, so one request over a whole province at res 10 with
 * k 3 and 52 steps (~200,000 cells × 52 × 37 ≈ 4·10⁸ neighbour visits) would stop every other
 * request for minutes. Before any heavy work the request is priced from the area alone:
 *
 *   cells = ⌈ area km² / average H3 cell area at res ⌉          (h3-js getHexagonAreaAvg)
 *   work  = cells × steps × (3k(k+1) + 1)                       (neighbour visits, ring incl. the cell)
 *
 * and refused (400) when cells > MAX_ANALYSIS_CELLS or work > MAX_ANALYSIS_WORK, with the budget and
 * the narrower requests that fit. The same rule for every account, administrators included. The
 * estimate is a little above the real count in Vietnam (cells near the equator are smaller than
 * the global average: Hải Phòng has 26,902 cells at res 9, estimated 29,320), so it errs on the
 * side of refusing, and it does not depend on what happens to be cached: the same request always
 * gets the same answer.
 *
 * Why these numbers (measured on the 2-core development machine, Hải Phòng: 114 communes,
 * 3,088 km²; `npx tsx` on server/analysis): Gi* costs ~10 µs per cell whatever k (building the
 * neighbourhoods dominates), an emerging step ~2.5–3.7 µs per cell. The largest emerging request
 * the budget allows at k 1 is ~570,000 cell-steps (e.g. 47,000 cells × 12 steps), ≈ 1.5–2 s; Gi* on
 * 50,000 cells ≈ 0.5 s. The web's defaults fit: a province at res ≤ 9 (its automatic cap), k 1,
 * 12 weekly steps is ~2.5 M for Hải Phòng and ~2.7 M for Hà Nội.
 */

/** Cells of one study area: each is tested, sent, and (first time, then cached) found by polygonToCells. */
export const MAX_ANALYSIS_CELLS = 50_000
/** Neighbour visits of one request: cells × steps × k-ring size. */
export const MAX_ANALYSIS_WORK = 4_000_000

/** Cells in a k-ring neighbourhood, the cell itself included: 1 + 3k(k+1). */
export function ringSize (k: number): number {
  return 1 + 3 * k * (k + 1)
}

/**
 * Estimated number of H3 cells at `res` covering `areaKm2` square kilometres.
 *
 * @example
 * estimateCells(3088, 9) // 29318: Hải Phòng at res 9 (it has 26,902)
 */
export function estimateCells (areaKm2: number, res: number): number {
  return Math.ceil(areaKm2 / getHexagonAreaAvg(res, 'km2'))
}

/** The request parameters a client may change; only those it has are suggested. */
export type BudgetParameter = 'res' | 'k' | 'steps'

export interface WorkRequest {
  area: { kind: 'province' | 'commune', code: string }
  areaKm2: number
  res: number
  k: number
  steps: number
  /** Parameters of this endpoint (coverage has res only). */
  parameters: readonly BudgetParameter[]
  /** Coarsest resolution the endpoint accepts (suggestions stop there). */
  minRes: number
}

export interface WorkEstimate { cells: number, work: number }

export type BudgetVerdict =
  | ({ ok: true } & WorkEstimate)
  | ({ ok: false, field: string, message: string } & WorkEstimate)

export function estimateWork (areaKm2: number, res: number, k: number, steps: number): WorkEstimate {
  const cells = estimateCells(areaKm2, res)
  return { cells, work: cells * steps * ringSize(k) }
}

/** Whether an estimate is within both budgets. */
export const withinBudget = ({ cells, work }: WorkEstimate) => cells <= MAX_ANALYSIS_CELLS && work <= MAX_ANALYSIS_WORK
const fits = withinBudget
const number = (n: number) => n.toLocaleString('en-US')

/**
 * Prices a request (see the module note). When it is over budget the verdict names the
 * parameters that can narrow it and says how: the finest res that fits, the largest k and the
 * most steps that fit at this res, or a commune instead of the province.
 *
 * @example
 * checkWorkBudget({ area: { kind: 'province', code: '31' }, areaKm2: 3088, res: 10, k: 3, steps: 52, parameters: ['res', 'k', 'steps'], minRes: 5 })
 * // { ok: false, field: 'res', message: 'res, k, steps: … over the budget …', cells: 205219, work: 394841356 }
 */
export function checkWorkBudget (request: WorkRequest): BudgetVerdict {
  const { areaKm2, res, k, steps, parameters } = request
  const estimate = estimateWork(areaKm2, res, k, steps)
  if (fits(estimate)) return { ok: true, ...estimate }

  const ways: string[] = []
  if (parameters.includes('res')) {
    let coarser = res - 1
    while (coarser >= request.minRes && !fits(estimateWork(areaKm2, coarser, k, steps))) coarser--
    if (coarser >= request.minRes) ways.push(`res=${coarser} or coarser`)
  }
  if (estimate.cells <= MAX_ANALYSIS_CELLS) {
    if (parameters.includes('k')) {
      let smaller = k - 1
      while (smaller >= 1 && !fits(estimateWork(areaKm2, res, smaller, steps))) smaller--
      if (smaller >= 1) ways.push(`k=${smaller}`)
    }
    if (parameters.includes('steps')) {
      const most = Math.floor(MAX_ANALYSIS_WORK / (estimate.cells * ringSize(k)))
      if (most >= 2) ways.push(`steps=${most} or fewer`)
    }
  }
  if (request.area.kind === 'province') ways.push('a commune instead of the province')

  // Named: the parameters that enter the price (res always does).
  const field = estimate.cells > MAX_ANALYSIS_CELLS ? 'res' : parameters.join(',')
  const priced = estimate.cells > MAX_ANALYSIS_CELLS
    ? `~${number(estimate.cells)} cells at res ${res}, over the budget of ${number(MAX_ANALYSIS_CELLS)} cells per request`
    : `~${number(estimate.cells)} cells × ${steps} step${steps === 1 ? '' : 's'} × ${ringSize(k)} cells in the k=${k} ring = ${number(estimate.work)}, over the budget of ${number(MAX_ANALYSIS_WORK)} (cells × steps × ring) per request`
  const message = `${field.split(',').join(', ')}: ${request.area.kind} ${request.area.code} needs ${priced}; narrow it: ${ways.length ? ways.join(', ') : 'a smaller area'}`
  return { ok: false, field, message, ...estimate }
}
