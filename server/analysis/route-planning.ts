import type { MultiPolygonGeometry, PolygonGeometry } from './study-area.ts'
import { greatCircleMeters } from '../geo/distance.ts'
import { TRAVEL_MODES, type TravelMode } from '../domain/travel-modes.ts'

export interface PlanCandidate { id: string /* h3 index */, lon: number, lat: number, priority: number /* > 0 */ }

export interface PlanInput {
  start: [number, number]
  candidates: PlanCandidate[]
  budgetSeconds: number
  speedMetersPerSecond: number
  visitSeconds: number
  /**
   * May the patrol go straight from a to b? Default: always. Treated as symmetric: the planner asks
   * once per pair (and reverses route pieces), so a→b allowed must mean b→a allowed.
   */
  legAllowed?: (a: [number, number], b: [number, number]) => boolean
  /**
   * Length in metres of the way from node i to node j (0 = the start, k = candidates[k − 1]),
   * ∞ when there is none; replaces the straight-line distance and `legAllowed`. For ways that
   * bend to stay inside an area (see `insidePaths`). Must be symmetric and obey the triangle
   * inequality (shortest-path lengths do).
   */
  legMeters?: (i: number, j: number) => number
}

export interface PlannedStop { id: string, lon: number, lat: number, priority: number, arrivalSeconds: number }

export interface Plan {
  stops: PlannedStop[]
  /** Length of all legs, the return to the start included. */
  distanceMeters: number
  /** Travel plus visits, the return to the start included; never more than the budget. */
  durationSeconds: number
  collectedPriority: number
}

/** Great-circle distance in metres between two [lon, lat] positions. */
export function haversineMeters (a: [number, number], b: [number, number]): number {
  return greatCircleMeters(a[0], a[1], b[0], b[1])
}

// ---------------------------------------------------------------------------------------------
// Leg check against a commune polygon
// ---------------------------------------------------------------------------------------------

/**
 * Tolerance in degrees (~0.1 mm) under which a point counts as on the boundary: far above the
 * rounding of coordinates near 106° (~1e-14), far below anything that matters on the ground.
 */
const BOUNDARY_EPS = 1e-9

/**
 * Leg check for a commune: a function that is true when the straight segment a→b lies in the
 * closed polygon (inside, or on the boundary — running along an edge or through a vertex from
 * inside is fine). Holes and the parts of a MultiPolygon count as usual: a leg across a hole, a
 * notch, or the water between two parts is not allowed. Segments are straight in lon/lat, which
 * at commune scale is the same as on the ground to well under a metre.
 *
 * How: the segment is cut wherever it meets the boundary (crossings, touched vertices, the ends of
 * shared collinear pieces); it lies in the polygon iff the midpoint of every piece does. Edges sit
 * in a uniform grid (found by walking the cells the segment passes), and point-in-polygon casts a
 * ray through the edges of one grid row only, so a check costs a few microseconds for communes of
 * thousands of vertices.
 *
 * @example
 * const inside = legInsidePolygon(commune.geometry)
 * inside([106.68, 20.86], [106.69, 20.865]) // true when the straight line stays in the commune
 */
export function legInsidePolygon (polygon: PolygonGeometry | MultiPolygonGeometry): (a: [number, number], b: [number, number]) => boolean {
  const rings = polygon.type === 'Polygon' ? polygon.coordinates : polygon.coordinates.flat()
  const xs1: number[] = []; const ys1: number[] = []; const xs2: number[] = []; const ys2: number[] = []
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const [x1, y1] = ring[i]; const [x2, y2] = ring[i + 1]
      if (x1 === x2 && y1 === y2) continue
      xs1.push(x1); ys1.push(y1); xs2.push(x2); ys2.push(y2)
    }
    // Rings should be closed; close an open one rather than miss its last edge.
    const first = ring[0]; const last = ring[ring.length - 1]
    if (ring.length > 2 && (first[0] !== last[0] || first[1] !== last[1])) {
      xs1.push(last[0]); ys1.push(last[1]); xs2.push(first[0]); ys2.push(first[1])
    }
  }
  const edgeCount = xs1.length
  if (edgeCount < 3) return () => false
  const ex1 = Float64Array.from(xs1); const ey1 = Float64Array.from(ys1)
  const ex2 = Float64Array.from(xs2); const ey2 = Float64Array.from(ys2)

  let minX = Infinity; let minY = Infinity; let maxX = -Infinity; let maxY = -Infinity
  for (let e = 0; e < edgeCount; e++) {
    minX = Math.min(minX, ex1[e], ex2[e]); maxX = Math.max(maxX, ex1[e], ex2[e])
    minY = Math.min(minY, ey1[e], ey2[e]); maxY = Math.max(maxY, ey1[e], ey2[e])
  }
  minX -= 2 * BOUNDARY_EPS; minY -= 2 * BOUNDARY_EPS; maxX += 2 * BOUNDARY_EPS; maxY += 2 * BOUNDARY_EPS
  // About one grid cell per edge, shaped like the bounding box: boundary cells then hold a few edges.
  const aspect = (maxX - minX) / (maxY - minY)
  const cols = Math.max(1, Math.min(512, Math.ceil(Math.sqrt(edgeCount * aspect))))
  const rows = Math.max(1, Math.min(512, Math.ceil(Math.sqrt(edgeCount / aspect))))
  const cellW = (maxX - minX) / cols; const cellH = (maxY - minY) / rows
  const colOf = (x: number) => Math.min(cols - 1, Math.max(0, Math.floor((x - minX) / cellW)))
  const rowOf = (y: number) => Math.min(rows - 1, Math.max(0, Math.floor((y - minY) / cellH)))

  /** Calls visit(cell) for every grid cell within BOUNDARY_EPS of the segment (a superset). */
  function walk (x1: number, y1: number, x2: number, y2: number, visit: (cell: number) => void) {
    if (x1 > x2) { [x1, x2] = [x2, x1]; [y1, y2] = [y2, y1] }
    const c0 = colOf(x1 - BOUNDARY_EPS); const c1 = colOf(x2 + BOUNDARY_EPS)
    const slope = x2 > x1 ? (y2 - y1) / (x2 - x1) : 0
    for (let c = c0; c <= c1; c++) {
      let ya: number; let yb: number
      if (x2 > x1) {
        const xa = Math.max(x1, minX + c * cellW); const xb = Math.min(x2, minX + (c + 1) * cellW)
        ya = y1 + slope * (Math.max(xa, x1) - x1); yb = y1 + slope * (Math.min(Math.max(xb, x1), x2) - x1)
      } else { ya = y1; yb = y2 }
      const r0 = rowOf(Math.min(ya, yb) - BOUNDARY_EPS); const r1 = rowOf(Math.max(ya, yb) + BOUNDARY_EPS)
      for (let r = r0; r <= r1; r++) visit(r * cols + c)
    }
  }

  // Compressed lists: edges per grid cell, and edges per grid row (for ray casting).
  const cellCounts = new Int32Array(cols * rows + 1)
  const rowCounts = new Int32Array(rows + 1)
  for (let e = 0; e < edgeCount; e++) {
    walk(ex1[e], ey1[e], ex2[e], ey2[e], cell => { cellCounts[cell + 1]++ })
    for (let r = rowOf(Math.min(ey1[e], ey2[e])); r <= rowOf(Math.max(ey1[e], ey2[e])); r++) rowCounts[r + 1]++
  }
  for (let i = 1; i < cellCounts.length; i++) cellCounts[i] += cellCounts[i - 1]
  for (let i = 1; i < rowCounts.length; i++) rowCounts[i] += rowCounts[i - 1]
  const cellEdges = new Int32Array(cellCounts[cols * rows]); const cellFill = cellCounts.slice(0, -1)
  const rowEdges = new Int32Array(rowCounts[rows]); const rowFill = rowCounts.slice(0, -1)
  for (let e = 0; e < edgeCount; e++) {
    walk(ex1[e], ey1[e], ex2[e], ey2[e], cell => { cellEdges[cellFill[cell]++] = e })
    for (let r = rowOf(Math.min(ey1[e], ey2[e])); r <= rowOf(Math.max(ey1[e], ey2[e])); r++) rowEdges[rowFill[r]++] = e
  }

  function onBoundary (px: number, py: number): boolean {
    const cell = rowOf(py) * cols + colOf(px)
    for (let k = cellCounts[cell]; k < cellCounts[cell + 1]; k++) {
      const e = cellEdges[k]
      const dx = ex2[e] - ex1[e]; const dy = ey2[e] - ey1[e]
      const t = Math.max(0, Math.min(1, ((px - ex1[e]) * dx + (py - ey1[e]) * dy) / (dx * dx + dy * dy)))
      if (Math.hypot(ex1[e] + t * dx - px, ey1[e] + t * dy - py) <= BOUNDARY_EPS) return true
    }
    return false
  }

  /** Even–odd rule over all rings (outer rings, holes, every part), boundary included. */
  function insideOrOn (px: number, py: number): boolean {
    if (px < minX || px > maxX || py < minY || py > maxY) return false
    if (onBoundary(px, py)) return true
    const r = rowOf(py)
    let inside = false
    for (let k = rowCounts[r]; k < rowCounts[r + 1]; k++) {
      const e = rowEdges[k]
      const y1 = ey1[e]; const y2 = ey2[e]
      if ((y1 > py) !== (y2 > py)) {
        const x = ex1[e] + (py - y1) * (ex2[e] - ex1[e]) / (y2 - y1)
        if (px < x) inside = !inside
      }
    }
    return inside
  }

  // Per-query scratch: a stamp per edge so an edge in several visited cells is tested once.
  const stamp = new Uint32Array(edgeCount)
  let query = 0
  const cuts: number[] = []

  return (a, b) => {
    const [ax, ay] = a; const [bx, by] = b
    const dx = bx - ax; const dy = by - ay
    const length = Math.hypot(dx, dy)
    if (length <= BOUNDARY_EPS) return insideOrOn(ax, ay)
    if (Math.max(ax, bx) < minX || Math.min(ax, bx) > maxX || Math.max(ay, by) < minY || Math.min(ay, by) > maxY) return false
    query = (query + 1) >>> 0
    if (query === 0) { stamp.fill(0); query = 1 }
    cuts.length = 0
    const epsT = BOUNDARY_EPS / length
    walk(ax, ay, bx, by, cell => {
      for (let k = cellCounts[cell]; k < cellCounts[cell + 1]; k++) {
        const e = cellEdges[k]
        if (stamp[e] === query) continue
        stamp[e] = query
        const wx = ex1[e] - ax; const wy = ey1[e] - ay
        const fx = ex2[e] - ex1[e]; const fy = ey2[e] - ey1[e]
        const edgeLength = Math.hypot(fx, fy)
        const denom = dx * fy - dy * fx
        if (Math.abs(denom) <= 1e-12 * length * edgeLength) {
          // Parallel: only a collinear overlap matters; its two ends cut the segment.
          if (Math.abs(wx * dy - wy * dx) > BOUNDARY_EPS * length) continue
          const t1 = (wx * dx + wy * dy) / (length * length)
          const t2 = ((ex2[e] - ax) * dx + (ey2[e] - ay) * dy) / (length * length)
          const lo = Math.min(t1, t2); const hi = Math.max(t1, t2)
          if (hi < -epsT || lo > 1 + epsT) continue
          cuts.push(Math.max(0, lo), Math.min(1, hi))
        } else {
          const t = (wx * fy - wy * fx) / denom
          const u = (wx * dy - wy * dx) / denom
          const epsU = BOUNDARY_EPS / edgeLength
          if (t >= -epsT && t <= 1 + epsT && u >= -epsU && u <= 1 + epsU) cuts.push(Math.max(0, Math.min(1, t)))
        }
      }
    })
    cuts.push(0, 1)
    cuts.sort((p, q) => p - q)
    for (let i = 0; i + 1 < cuts.length; i++) {
      if (cuts[i + 1] - cuts[i] <= epsT) continue
      const m = (cuts[i] + cuts[i + 1]) / 2
      if (!insideOrOn(ax + m * dx, ay + m * dy)) return false
    }
    return true
  }
}

// ---------------------------------------------------------------------------------------------
// Planning
// ---------------------------------------------------------------------------------------------

/**
 * Slack kept under the budget by every feasibility test, so the duration summed again at the end
 * (in another order, with other rounding) can never come out above the budget.
 */
const BUDGET_SLACK_SECONDS = 1e-6
/** Improvements smaller than this (seconds, priority) are rounding, not improvements. */
const TINY = 1e-9

/**
 * At most this many candidates are planned over, the highest priorities first: the travel matrix
 * grows with the square (1,500 → 18 MB), and a commune at res 10 can hold several thousand cells
 * of which a patrol visits a few dozen. A guard of this function's memory for any caller; the
 * plan API offers fewer (COMMUNE_PLAN_CANDIDATES in server/patrol-plans/service.ts) for its latency.
 */
export const MAX_TRAVEL_MATRIX_CANDIDATES = 1500

/**
 * Node 0 is the start, nodes 1..n the candidates worth considering: a route start → node → start
 * fits the budget (straight lines obey the triangle inequality, so no route holding the node can
 * be shorter) and the priority is positive; in input order.
 */
interface Problem {
  size: number
  /** Input index of each node's candidate (node 0: −1). */
  index: Int32Array
  lon: Float64Array
  lat: Float64Array
  prize: Float64Array
  /** Travel seconds between nodes, size × size. */
  travel: Float64Array
  visit: number
  speed: number
  budget: number
  /** Nodes 1..n. */
  usable: number[]
  /** The nodes by priority, highest first (ties by input order), for the swap move. */
  byPrize: number[]
  allowed: (i: number, j: number) => boolean
}

function prepare (input: PlanInput): Problem | null {
  const { start, candidates, speedMetersPerSecond, visitSeconds, legAllowed } = input
  const budget = input.budgetSeconds - BUDGET_SLACK_SECONDS
  if (!(speedMetersPerSecond > 0) || !(budget > 0)) return null
  const visit = Math.max(0, visitSeconds)
  let kept: number[] = []
  candidates.forEach((c, i) => {
    if (c.priority > 0 && 2 * haversineMeters(start, [c.lon, c.lat]) / speedMetersPerSecond + visit <= budget) kept.push(i)
  })
  if (kept.length > MAX_TRAVEL_MATRIX_CANDIDATES) {
    kept = kept.sort((a, b) => candidates[b].priority - candidates[a].priority || a - b).slice(0, MAX_TRAVEL_MATRIX_CANDIDATES).sort((a, b) => a - b)
  }
  const size = kept.length + 1
  const index = new Int32Array(size); index[0] = -1
  const lon = new Float64Array(size); const lat = new Float64Array(size); const prize = new Float64Array(size)
  lon[0] = start[0]; lat[0] = start[1]
  kept.forEach((i, k) => { index[k + 1] = i; lon[k + 1] = candidates[i].lon; lat[k + 1] = candidates[i].lat; prize[k + 1] = candidates[i].priority })
  const travel = new Float64Array(size * size)
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      const meters = input.legMeters ? input.legMeters(index[i] + 1, index[j] + 1) : haversineMeters([lon[i], lat[i]], [lon[j], lat[j]])
      const seconds = meters / speedMetersPerSecond
      travel[i * size + j] = seconds; travel[j * size + i] = seconds
    }
  }
  const usable = Array.from({ length: size - 1 }, (_, k) => k + 1)

  // The polygon test is the costly part: ask once per unordered pair, and only when a move needs it.
  const cache = new Int8Array(legAllowed ? size * size : 0)
  const allowed = input.legMeters
    ? (i: number, j: number) => Number.isFinite(travel[i * size + j])
    : legAllowed
    ? (i: number, j: number) => {
        const key = i < j ? i * size + j : j * size + i
        let known = cache[key]
        if (known === 0) {
          known = legAllowed([lon[i], lat[i]], [lon[j], lat[j]]) ? 1 : 2
          cache[key] = known
        }
        return known === 1
      }
    : () => true
  const byPrize = [...usable].sort((a, b) => prize[b] - prize[a] || a - b)
  return { size, index, lon, lat, prize, travel, visit, speed: speedMetersPerSecond, budget, usable, byPrize, allowed }
}

function routeTime (p: Problem, route: number[]): number {
  if (route.length === 0) return 0
  let time = 0; let previous = 0
  for (const node of route) { time += p.travel[previous * p.size + node] + p.visit; previous = node }
  return time + p.travel[previous * p.size]
}

function routePrize (p: Problem, route: number[]): number {
  let sum = 0
  for (const node of route) sum += p.prize[node]
  return sum
}

/** Lexicographic: more priority, then less time. */
function better (p: Problem, a: number[], b: number[]): boolean {
  const prizeA = routePrize(p, a); const prizeB = routePrize(p, b)
  if (prizeA > prizeB + TINY) return true
  if (prizeA < prizeB - TINY) return false
  return routeTime(p, a) < routeTime(p, b) - TINY
}

/** Node before edge j of the route (edge j joins route[j-1] and route[j]; the start closes both ends). */
const edgeFrom = (route: number[], j: number) => j === 0 ? 0 : route[j - 1]
const edgeTo = (route: number[], j: number) => j === route.length ? 0 : route[j]

/**
 * Greedy insertion: repeatedly insert the unrouted node with the best priority per extra second
 * at its cheapest allowed place, until nothing fits. `noise` (0 = none) scales each score by a
 * random factor in [1 − noise, 1 + noise] so perturbed restarts do not rebuild the same route.
 *
 * Each node keeps its cheapest edge; an insertion only replaces one edge by two, so a node looks
 * at the two new edges, and scans the whole route again only when its own edge was the one split.
 */
function insertAll (p: Problem, route: number[], inRoute: Uint8Array, random: () => number, noise: number): boolean {
  const { travel, size } = p
  let time = routeTime(p, route)
  // Straight legs obey the triangle inequality, so an insertion costs at least the visit.
  if (p.budget - time < p.visit) return false
  const open = p.usable.filter(u => !inRoute[u])
  if (open.length === 0) return false
  const bestExtra = new Float64Array(open.length)
  const bestFrom = new Int32Array(open.length); const bestTo = new Int32Array(open.length)
  const extraOn = (a: number, b: number, u: number) => travel[a * size + u] + travel[u * size + b] - travel[a * size + b] + p.visit
  const scan = (c: number) => {
    const u = open[c]
    let extra = Infinity; let from = -1; let to = -1
    for (let j = 0; j <= route.length; j++) {
      const a = edgeFrom(route, j); const b = edgeTo(route, j)
      const e = extraOn(a, b, u)
      // The leg check comes last and only for a new best: most pairs are never tested.
      if (e < extra && p.allowed(a, u) && p.allowed(u, b)) { extra = e; from = a; to = b }
    }
    bestExtra[c] = extra; bestFrom[c] = from; bestTo[c] = to
  }
  for (let c = 0; c < open.length; c++) scan(c)
  const position = new Int32Array(size) // index in the route of each routed node
  let changed = false
  for (;;) {
    let pick = -1; let bestScore = -Infinity
    for (let c = 0; c < open.length; c++) {
      const u = open[c]
      if (inRoute[u] || !(time + bestExtra[c] <= p.budget)) continue
      let score = p.prize[u] / Math.max(bestExtra[c], TINY)
      if (noise > 0) score *= 1 + noise * (2 * random() - 1)
      if (score > bestScore) { bestScore = score; pick = c }
    }
    if (pick < 0) return changed
    const w = open[pick]; const a = bestFrom[pick]; const b = bestTo[pick]
    for (let k = 0; k < route.length; k++) position[route[k]] = k
    route.splice(a === 0 ? 0 : position[a] + 1, 0, w)
    inRoute[w] = 1
    time = routeTime(p, route)
    changed = true
    for (let c = 0; c < open.length; c++) {
      const u = open[c]
      if (inRoute[u]) continue
      if (bestFrom[c] === a && bestTo[c] === b) { scan(c); continue }
      const e1 = extraOn(a, w, u)
      if (e1 < bestExtra[c] && p.allowed(a, u) && p.allowed(u, w)) { bestExtra[c] = e1; bestFrom[c] = a; bestTo[c] = w }
      const e2 = extraOn(w, b, u)
      if (e2 < bestExtra[c] && p.allowed(w, u) && p.allowed(u, b)) { bestExtra[c] = e2; bestFrom[c] = w; bestTo[c] = b }
    }
  }
}

/** 2-opt: reverse route[i..j] when the two new legs are shorter and allowed. */
function twoOpt (p: Problem, route: number[]): boolean {
  const { travel, size } = p
  const m = route.length
  let changed = false
  let improved = true
  while (improved) {
    improved = false
    for (let i = 0; i < m - 1 && !improved; i++) {
      const a = edgeFrom(route, i); const b = route[i]
      for (let j = i + 1; j < m; j++) {
        const c = route[j]; const d = edgeTo(route, j + 1)
        const delta = travel[a * size + c] + travel[b * size + d] - travel[a * size + b] - travel[c * size + d]
        if (delta < -TINY && p.allowed(a, c) && p.allowed(b, d)) {
          reverse(route, i, j)
          improved = changed = true
          break
        }
      }
    }
  }
  return changed
}

function reverse (route: number[], i: number, j: number) {
  for (; i < j; i++, j--) [route[i], route[j]] = [route[j], route[i]]
}

/** Or-opt: move a run of 1–3 stops (either way round) to another edge when that is shorter. */
function orOpt (p: Problem, route: number[]): boolean {
  const { travel, size } = p
  const t = (x: number, y: number) => travel[x * size + y]
  let changed = false
  let improved = true
  while (improved) {
    improved = false
    const m = route.length
    search:
    for (let length = 1; length <= 3; length++) {
      for (let i = 0; i + length <= m; i++) {
        const prev = edgeFrom(route, i); const next = edgeTo(route, i + length)
        const first = route[i]; const last = route[i + length - 1]
        const gain = t(prev, first) + t(last, next) - t(prev, next)
        if (gain <= TINY) continue
        // Edges j < i and j > i + length are the ones outside the run and its two neighbours.
        for (let j = 0; j <= m; j++) {
          if (j >= i && j <= i + length) continue
          const x = edgeFrom(route, j); const y = edgeTo(route, j)
          const forward = t(x, first) + t(last, y) - t(x, y)
          const backward = t(x, last) + t(first, y) - t(x, y)
          const flip = backward < forward
          if (Math.min(forward, backward) - gain >= -TINY || !p.allowed(prev, next)) continue
          if (flip ? !(p.allowed(x, last) && p.allowed(first, y)) : !(p.allowed(x, first) && p.allowed(last, y))) continue
          const run = route.slice(i, i + length)
          if (flip) run.reverse()
          const rest = route.slice(0, i).concat(route.slice(i + length))
          rest.splice(j < i ? j : j - length, 0, ...run)
          route.splice(0, route.length, ...rest)
          improved = changed = true
          break search
        }
      }
    }
  }
  return changed
}

/**
 * Replace a stop by an unrouted node of more priority (or of equal priority for less time) when
 * the result fits; the freed time then goes to insertions. For each outside node the three
 * cheapest allowed edges are enough: removing a stop takes away at most two edges, and adds the
 * bridge over it, which is tried separately.
 */
function swap (p: Problem, route: number[], inRoute: Uint8Array): boolean {
  const { travel, size } = p
  const t = (x: number, y: number) => travel[x * size + y]
  const m = route.length
  if (m === 0) return false
  const time = routeTime(p, route)
  let lowest = Infinity
  for (const r of route) lowest = Math.min(lowest, p.prize[r])
  const saved = new Float64Array(m)
  for (let i = 0; i < m; i++) {
    const prev = edgeFrom(route, i); const next = edgeTo(route, i + 1)
    saved[i] = t(prev, route[i]) + t(route[i], next) - t(prev, next) + p.visit
  }
  const extras = new Float64Array(m + 1)
  const taken = new Uint8Array(m + 1)
  const top = [-1, -1, -1]
  for (const u of p.byPrize) {
    if (p.prize[u] < lowest - TINY) break // sorted: no later node is worth more than any stop
    if (inRoute[u]) continue
    for (let j = 0; j <= m; j++) extras[j] = t(edgeFrom(route, j), u) + t(u, edgeTo(route, j)) - t(edgeFrom(route, j), edgeTo(route, j)) + p.visit
    // The three cheapest allowed edges, checking legs in order of cost.
    taken.fill(0); top.fill(-1)
    for (let found = 0; found < 3;) {
      let j = -1
      for (let k = 0; k <= m; k++) if (!taken[k] && (j < 0 || extras[k] < extras[j])) j = k
      if (j < 0) break
      taken[j] = 1
      if (p.allowed(edgeFrom(route, j), u) && p.allowed(u, edgeTo(route, j))) top[found++] = j
    }
    for (let i = 0; i < m; i++) {
      const r = route[i]
      if (p.prize[r] > p.prize[u] + TINY) continue
      const prev = edgeFrom(route, i); const next = edgeTo(route, i + 1)
      let edge = -1; let extra = Infinity
      for (const j of top) if (j >= 0 && j !== i && j !== i + 1) { edge = j; extra = extras[j]; break }
      // u straight in r's place: the bridge prev → next is then not driven at all.
      const inPlace = t(prev, u) + t(u, next) - t(prev, next) + p.visit
      const replace = inPlace <= extra && p.allowed(prev, u) && p.allowed(u, next)
      if (replace) extra = inPlace
      else if (edge < 0 || (m > 1 && !p.allowed(prev, next))) continue
      const newTime = time - saved[i] + extra
      if (newTime > p.budget) continue
      if (p.prize[u] <= p.prize[r] + TINY && newTime >= time - TINY) continue
      const candidate = [...route]
      if (replace) candidate[i] = u
      else { candidate.splice(i, 1); candidate.splice(edge < i ? edge : edge - 1, 0, u) }
      if (routeTime(p, candidate) > p.budget) continue // rounding guard: the sum is what counts
      route.splice(0, m, ...candidate)
      inRoute[r] = 0; inRoute[u] = 1
      return true
    }
  }
  return false
}

/** Shorten (2-opt, or-opt), fill (insertion), trade up (swap) until none of them helps. */
function localSearch (p: Problem, route: number[], inRoute: Uint8Array, random: () => number) {
  // Every round that goes on improves (priority, −time), so this ends; the cap bounds the work.
  for (let round = 0; round < 50; round++) {
    twoOpt(p, route)
    orOpt(p, route)
    const inserted = insertAll(p, route, inRoute, random, 0)
    const swapped = swap(p, route, inRoute)
    if (!inserted && !swapped) return
  }
}

/** A fixed pseudo-random sequence (mulberry32): the same input always gives the same plan. */
function mulberry32 (seed: number) {
  return () => {
    seed = (seed + 0x6D2B79F5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Remove route[at .. at+length), then keep removing the following stops until the leg that
 * bridges the gap is allowed (the route may shrink to nothing, which is always feasible).
 */
function removeRun (p: Problem, route: number[], inRoute: Uint8Array, at: number, length: number) {
  for (const node of route.splice(at, length)) inRoute[node] = 0
  for (;;) {
    const before = at === 0 ? 0 : route[at - 1]
    const after = at === route.length ? 0 : route[at]
    if (route.length === 0 || p.allowed(before, after)) return
    // Past the end the bridge is the return leg: shorten from the back instead.
    const node = at < route.length ? route.splice(at, 1)[0] : route.splice(--at, 1)[0]
    inRoute[node] = 0
  }
}

/**
 * Iterated local search: up to this many perturbation rounds, stopping early after
 * ILS_PATIENCE rounds without a better route. Counted in rounds, not milliseconds, so a plan does
 * not depend on how busy the machine is.
 */
const ILS_ROUNDS = 150
const ILS_PATIENCE = 40

function toPlan (p: Problem, route: number[]): Plan {
  const stops: PlannedStop[] = []
  let time = 0; let travelSeconds = 0; let previous = 0
  for (const node of route) {
    const seconds = p.travel[previous * p.size + node]
    time += seconds
    travelSeconds += seconds
    stops.push({ id: '', lon: p.lon[node], lat: p.lat[node], priority: p.prize[node], arrivalSeconds: time })
    time += p.visit
    previous = node
  }
  if (route.length > 0) { time += p.travel[previous * p.size]; travelSeconds += p.travel[previous * p.size] }
  // Legs are stored as seconds; metres are those times the speed they were divided by.
  return { stops, distanceMeters: travelSeconds * p.speed, durationSeconds: time, collectedPriority: routePrize(p, route) }
}

function finish (input: PlanInput, p: Problem, route: number[]): Plan {
  const plan = toPlan(p, route)
  route.forEach((node, k) => { plan.stops[k].id = input.candidates[p.index[node]].id })
  return plan
}

const EMPTY: Plan = { stops: [], distanceMeters: 0, durationSeconds: 0, collectedPriority: 0 }

/**
 * A patrol route from the start through candidate cells and back that collects as much priority
 * as the time budget allows (the orienteering problem): greedy insertion by priority per extra
 * second, improved by 2-opt, or-opt, insertion and swap moves (the nearest-neighbour baseline,
 * improved the same way, is a second start: the better one goes on), then an iterated local
 * search that removes a run of stops, re-inserts with noisy scores and improves again, keeping
 * the best. Over MAX_TRAVEL_MATRIX_CANDIDATES candidates, only that many of the highest priority are used.
 *
 * Guarantees: durationSeconds (travel + visits + the return) ≤ budgetSeconds; every leg, the
 * first and the return included, passes `legAllowed`; a candidate that no allowed leg can reach
 * within the budget is left out; a budget too small for any stop gives an empty plan; it collects
 * at least what nearestNeighbourRoute collects. The result
 * depends only on the input (the perturbations use a fixed seed and a fixed number of rounds).
 *
 * @example
 * planPatrolRoute({ start: [106.683, 20.859], candidates, budgetSeconds: 7200, ...TRAVEL_MODES.motorbike, legAllowed: legInsidePolygon(commune) })
 * // { stops: [{ id: '8941…', lon, lat, priority, arrivalSeconds: 214 }, …], distanceMeters, durationSeconds: 7163, collectedPriority }
 */
export function planPatrolRoute (input: PlanInput): Plan {
  const p = prepare(input)
  if (!p || p.usable.length === 0) return { ...EMPTY, stops: [] }
  const random = mulberry32(0x9e3779b9 ^ p.size)

  let current: number[] = []
  let currentIn = new Uint8Array(p.size)
  insertAll(p, current, currentIn, random, 0)
  localSearch(p, current, currentIn, random)
  // The baseline, improved, as a second start: the plan is then never worse than the baseline.
  const nearest = nearestNeighbour(p)
  const nearestIn = new Uint8Array(p.size)
  for (const node of nearest) nearestIn[node] = 1
  localSearch(p, nearest, nearestIn, random)
  if (better(p, nearest, current)) { current = nearest; currentIn = nearestIn }
  let best = [...current]

  let stale = 0
  for (let round = 0; round < ILS_ROUNDS && stale < ILS_PATIENCE && current.length > 0; round++) {
    const route = [...current]
    const inRoute = currentIn.slice()
    // Remove a run of up to a third of the stops, then rebuild with noise and improve.
    const length = 1 + Math.floor(random() * Math.max(1, Math.ceil(route.length / 3)))
    removeRun(p, route, inRoute, Math.floor(random() * route.length), length)
    insertAll(p, route, inRoute, random, 0.5)
    localSearch(p, route, inRoute, random)
    if (better(p, route, best)) { best = [...route]; stale = 0 } else stale++
    // Walk on from the new route unless it lost much; from time to time restart from the best.
    if (better(p, route, current) || routePrize(p, route) >= 0.97 * routePrize(p, best)) { current = route; currentIn = inRoute }
    if (stale > 0 && stale % 10 === 0) {
      current = [...best]; currentIn = new Uint8Array(p.size)
      for (const node of best) currentIn[node] = 1
    }
  }
  return finish(input, p, best)
}

/**
 * Baseline: from the start, repeatedly go to the nearest unvisited candidate among those from
 * which the straight return to the start still fits in the budget (both legs allowed), until
 * none does; then return.
 */
export function nearestNeighbourRoute (input: PlanInput): Plan {
  const p = prepare(input)
  return p ? finish(input, p, nearestNeighbour(p)) : { ...EMPTY, stops: [] }
}

function nearestNeighbour (p: Problem): number[] {
  const route: number[] = []
  const visited = new Uint8Array(p.size)
  let here = 0; let time = 0
  for (;;) {
    let next = -1; let nearest = Infinity
    for (const u of p.usable) {
      if (visited[u]) continue
      const leg = p.travel[here * p.size + u]
      if (leg < nearest && time + leg + p.visit + p.travel[u * p.size] <= p.budget && p.allowed(here, u) && p.allowed(u, 0)) {
        nearest = leg; next = u
      }
    }
    if (next < 0) return route
    time += p.travel[here * p.size + next] + p.visit
    visited[next] = 1; route.push(next); here = next
  }
}
