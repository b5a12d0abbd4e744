// npx tsx bench/route-planning.ts [runs]
import { TRAVEL_MODES, type TravelMode } from '../server/domain/travel-modes.ts'
//
// Patrol route planning on its own (no database): a 120-minute motorbike route in a large,
// irregular commune-like MultiPolygon (a ragged outline with a deep notch and an island), with
// every res-9 cell centred inside as a candidate (~500). Reports planning time p50/max over the
// runs (after one cold run, reported apart) and the priority collected next to the nearest-neighbour baseline.
import { pathToFileURL } from 'node:url'
import { cellToLatLng, polygonToCells } from 'h3-js'
import { legInsidePolygon, nearestNeighbourRoute, planPatrolRoute, type PlanCandidate, type PlanInput } from '../server/analysis/route-planning.ts'
import type { MultiPolygonGeometry } from '../server/analysis/study-area.ts'

function mulberry32 (seed: number) {
  return () => {
    seed = (seed + 0x6D2B79F5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const CENTRE: [number, number] = [106.60, 20.75]
const METERS_PER_DEGREE_LAT = 111_195
const METERS_PER_DEGREE_LON = METERS_PER_DEGREE_LAT * Math.cos(CENTRE[1] * Math.PI / 180)

/** A ragged outline (~4.3 km radius, 720 vertices) with a notch cut in from the east, and an island. */
export function benchCommune (): MultiPolygonGeometry {
  const random = mulberry32(11383)
  const outline: number[][] = []
  const vertices = 720
  for (let k = 0; k < vertices; k++) {
    const angle = 2 * Math.PI * k / vertices
    // Slow lobes plus jitter; the notch is a narrow wedge around angle 0 cut to 1.2 km.
    let radius = 4300 + 700 * Math.sin(3 * angle) + 300 * Math.cos(7 * angle + 1) + 60 * (random() - 0.5)
    if (Math.abs(angle) < 0.12 || Math.abs(angle - 2 * Math.PI) < 0.12) radius = 1200
    outline.push([CENTRE[0] + radius * Math.cos(angle) / METERS_PER_DEGREE_LON, CENTRE[1] + radius * Math.sin(angle) / METERS_PER_DEGREE_LAT])
  }
  outline.push(outline[0])
  const island: number[][] = []
  for (let k = 0; k <= 40; k++) {
    const angle = 2 * Math.PI * (k % 40) / 40
    island.push([CENTRE[0] + (7000 + 700 * Math.cos(angle)) / METERS_PER_DEGREE_LON, CENTRE[1] + (-2500 + 500 * Math.sin(angle)) / METERS_PER_DEGREE_LAT])
  }
  return { type: 'MultiPolygon', coordinates: [[outline], [island]] }
}

/** Every res-9 cell centred in the commune, priority = a few incident clusters × random coverage gap. */
export function benchCandidates (commune: MultiPolygonGeometry): PlanCandidate[] {
  const random = mulberry32(2025)
  const hot = Array.from({ length: 6 }, () => [CENTRE[0] + (random() - 0.5) * 0.07, CENTRE[1] + (random() - 0.5) * 0.07])
  const cells = commune.coordinates.flatMap(polygon => polygonToCells(polygon, 9, true)).sort()
  return cells.map(id => {
    const [lat, lon] = cellToLatLng(id)
    const intensity = 0.2 + hot.reduce((sum, [x, y]) => sum + 3 * Math.exp(-(((lon - x) * METERS_PER_DEGREE_LON) ** 2 + ((lat - y) * METERS_PER_DEGREE_LAT) ** 2) / (2 * 700 ** 2)), 0)
    return { id, lon, lat, priority: Math.round(100 * intensity * (0.3 + random())) / 100 }
  })
}

export async function benchRoutePlanning (runs = 5) {
  const commune = benchCommune()
  const candidates = benchCandidates(commune)
  const input: PlanInput = {
    start: [CENTRE[0] - 0.005, CENTRE[1]],
    candidates,
    budgetSeconds: 120 * 60,
    ...TRAVEL_MODES.motorbike,
    legAllowed: undefined
  }
  const times: number[] = []
  let collected = 0
  // The first run also pays for JIT compilation: reported apart, left out of p50/max.
  const coldStart = performance.now()
  planPatrolRoute({ ...input, legAllowed: legInsidePolygon(commune) })
  const millisecondsFirst = performance.now() - coldStart
  for (let run = 0; run < runs; run++) {
    const started = performance.now()
    // The leg check is built per request (it is part of the cost), as the API would.
    const plan = planPatrolRoute({ ...input, legAllowed: legInsidePolygon(commune) })
    times.push(performance.now() - started)
    collected = plan.collectedPriority
  }
  const baseline = nearestNeighbourRoute({ ...input, legAllowed: legInsidePolygon(commune) })
  times.sort((a, b) => a - b)
  return {
    candidates: candidates.length,
    millisecondsP50: times[Math.ceil(times.length / 2) - 1],
    millisecondsMax: times[times.length - 1],
    millisecondsFirst,
    collected,
    baselineCollected: baseline.collectedPriority
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchRoutePlanning(Number(process.argv[2] ?? 5))
  console.log(`route planning: ${result.candidates} candidates, p50 ${result.millisecondsP50.toFixed(0)} ms, max ${result.millisecondsMax.toFixed(0)} ms (first, cold: ${result.millisecondsFirst.toFixed(0)} ms), ` +
    `collected ${result.collected.toFixed(2)} vs nearest-neighbour ${result.baselineCollected.toFixed(2)} (×${(result.collected / result.baselineCollected).toFixed(2)})`)
}
