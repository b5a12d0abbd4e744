import { cellToBoundary, getHexagonEdgeLengthAvg, gridDisk, gridPathCells, latLngToCell, UNITS } from 'h3-js'
import { errors } from '../errors.ts'
import type { Fix } from '../domain/fix.ts'
import { EARTH_RADIUS_METERS, RADIANS_PER_DEGREE } from '../geo/distance.ts'

export interface CellDwell { h3: string, dwellSeconds: number, firstVisit: number, lastVisit: number /* epoch ms */ }

/**
 * Share of a pair's length that the clipped cells must cover before we trust the candidate set.
 * Neighbouring cells share their vertices, so in one pair's planar frame their clipped pieces meet
 * exactly (up to rounding); any larger hole means a crossed cell is missing from the candidates.
 */
const MIN_COVER = 1 - 1e-9

interface Visit { ms: number, first: number, last: number }

/**
 * Time along each pair of consecutive fixes is shared between the H3 cells the straight segment
 * crosses, in proportion to the length inside each cell (not by binning fixes).
 *
 * For a pair p → q lasting dt: when both fixes lie in one cell (cells are convex) it gets all of dt,
 * which also covers standing still (a zero-length pair). Otherwise cells are clipped against the
 * straight segment (Cyrus–Beck, in a local planar frame in metres centred on p; within a pair all
 * cells share that frame, so neighbours' pieces meet exactly): first the two endpoint cells, then
 * the cell at the middle of each stretch still uncovered; if that stalls, `gridPathCells(p, q)`,
 * then with its neighbours, then cells sampled along the line. Each cell gets
 * dt × (length inside / length covered); `firstVisit`/`lastVisit` are the interpolated entry and
 * exit times over all its visits. Pairs with no positive duration add nothing; nothing is shared
 * between segments. Rows come sorted by first visit.
 *
 * @example
 * trackDwell([[{ lon: 106.3313, lat: 20.9409, time: 0 }, { lon: 106.3323, lat: 20.9409, time: 20_000 }]])
 * // → [{ h3: '8a…', dwellSeconds: …, firstVisit: 0, lastVisit: … }, …] (seconds sum to 20)
 */
export function trackDwell (segments: Fix[][], res = 10): CellDwell[] {
  if (!Number.isInteger(res) || res < 0 || res > 15) throw errors.invalidField('res', `must be an integer from 0 to 15, got ${res}`)
  const binner = new DwellBinner(res)
  for (const segment of segments) {
    let prevCell = ''
    for (let i = 0; i < segment.length; i++) {
      const q = segment[i]
      const cell = latLngToCell(q.lat, q.lon, res)
      if (i > 0) binner.addPair(segment[i - 1], q, prevCell, cell)
      prevCell = cell
    }
  }
  return binner.result()
}

class DwellBinner {
  private readonly visits = new Map<string, Visit>()
  private readonly boundaries = new Map<string, Float64Array>()
  private readonly neighbours = new Map<string, string[]>()
  private readonly edgeMeters: number
  // Scratch for one pair's clipped pieces, reused to spare the garbage collector.
  private readonly pieceCells: string[] = []
  private readonly pieceT0: number[] = []
  private readonly pieceT1: number[] = []

  constructor (private readonly res: number) {
    this.edgeMeters = getHexagonEdgeLengthAvg(res, UNITS.m)
  }

  addPair (p: Fix, q: Fix, cp: string, cq: string) {
    const dt = q.time - p.time
    if (!(dt > 0)) return
    if (cp === cq) { this.add(cp, dt, p.time, q.time); return }

    const kx = EARTH_RADIUS_METERS * Math.cos(p.lat * RADIANS_PER_DEGREE) * RADIANS_PER_DEGREE
    const ky = EARTH_RADIUS_METERS * RADIANS_PER_DEGREE
    const dx = (q.lon - p.lon) * kx
    const dy = (q.lat - p.lat) * ky

    // Cheapest first: most pairs cross one shared edge, so the two endpoint cells cover them; the
    // rest are filled gap by gap with the cell at each gap's middle. Only when that makes no
    // progress (a rounding tie at a vertex) do the grid path, its neighbours, then samples step in.
    this.reset()
    let cover = this.clip(cp, p, dx, dy, kx, ky) + this.clip(cq, p, dx, dy, kx, ky)
    if (cover < MIN_COVER) cover = this.fillGaps(p, q, dx, dy, kx, ky)
    if (cover < MIN_COVER) cover = this.clipAll(this.candidates(cp, cq, 0), p, dx, dy, kx, ky)
    if (cover < MIN_COVER) cover = this.clipAll(this.candidates(cp, cq, 1), p, dx, dy, kx, ky)
    if (cover < MIN_COVER) cover = this.clipAll(this.sampledCandidates(p, q, dx, dy), p, dx, dy, kx, ky)
    if (cover <= 0) {
      // Cannot happen for a sane cell grid; keep the time rather than lose it.
      this.add(cp, dt / 2, p.time, p.time + dt / 2)
      this.add(cq, dt / 2, p.time + dt / 2, q.time)
      return
    }
    for (let k = 0; k < this.pieceCells.length; k++) {
      const t0 = this.pieceT0[k]; const t1 = this.pieceT1[k]
      this.add(this.pieceCells[k], dt * (t1 - t0) / cover, p.time + t0 * dt, p.time + t1 * dt)
    }
  }

  result (): CellDwell[] {
    const rows: CellDwell[] = []
    for (const [h3, v] of this.visits) rows.push({ h3, dwellSeconds: v.ms / 1000, firstVisit: v.first, lastVisit: v.last })
    return rows.sort((a, b) => a.firstVisit - b.firstVisit || (a.h3 < b.h3 ? -1 : a.h3 > b.h3 ? 1 : 0))
  }

  private add (cell: string, ms: number, first: number, last: number) {
    const v = this.visits.get(cell)
    if (!v) { this.visits.set(cell, { ms, first, last }); return }
    v.ms += ms
    if (first < v.first) v.first = first
    if (last > v.last) v.last = last
  }

  /** Cells on the grid path between the endpoints, with their neighbours when k = 1. */
  private candidates (cp: string, cq: string, k: 0 | 1): Iterable<string> {
    let path: string[]
    try {
      path = gridPathCells(cp, cq)
    } catch {
      return [] // across a pentagon or an icosahedron face: the sampled fallback takes over
    }
    if (k === 0) return path
    const set = new Set<string>()
    for (const cell of path) for (const n of this.ring(cell)) set.add(n)
    return set
  }

  /** Fallback: cells found by sampling the segment at a third of the edge length, with neighbours. */
  private sampledCandidates (p: Fix, q: Fix, dx: number, dy: number): Iterable<string> {
    const steps = Math.max(1, Math.ceil(Math.hypot(dx, dy) / (this.edgeMeters / 3)))
    const set = new Set<string>()
    for (let s = 0; s <= steps; s++) {
      const t = s / steps
      const cell = latLngToCell(p.lat + (q.lat - p.lat) * t, p.lon + (q.lon - p.lon) * t, this.res)
      for (const n of this.ring(cell)) set.add(n)
    }
    return set
  }

  private ring (cell: string): string[] {
    let ring = this.neighbours.get(cell)
    if (!ring) { ring = gridDisk(cell, 1); this.neighbours.set(cell, ring) }
    return ring
  }

  private boundary (cell: string): Float64Array {
    let b = this.boundaries.get(cell)
    if (!b) {
      const vertices = cellToBoundary(cell)
      let area = 0
      for (let i = 0; i < vertices.length; i++) {
        const [latI, lngI] = vertices[i]; const [latJ, lngJ] = vertices[(i + 1) % vertices.length]
        area += lngI * latJ - lngJ * latI
      }
      // Stored counter-clockwise in (x = lng, y = lat), which the positive scaling of the planar
      // frame keeps, so the clip's inward normals need no per-pair orientation test.
      if (area < 0) vertices.reverse()
      b = new Float64Array(vertices.length * 2)
      vertices.forEach(([lat, lng], i) => { b![2 * i] = lat; b![2 * i + 1] = lng })
      this.boundaries.set(cell, b)
    }
    return b
  }

  private reset () {
    this.pieceCells.length = 0; this.pieceT0.length = 0; this.pieceT1.length = 0
  }

  /** Clips the segment against every candidate, from scratch; returns the covered share. */
  private clipAll (cells: Iterable<string>, p: Fix, dx: number, dy: number, kx: number, ky: number): number {
    this.reset()
    let cover = 0
    for (const cell of cells) cover += this.clip(cell, p, dx, dy, kx, ky)
    return cover
  }

  /**
   * Adds the cell at the middle of the first uncovered stretch until none is left; returns the
   * covered share, or -1 when a step adds nothing new (the caller then tries wider candidates).
   */
  private fillGaps (p: Fix, q: Fix, dx: number, dy: number, kx: number, ky: number): number {
    const maxSteps = 8 + Math.ceil(3 * Math.hypot(dx, dy) / this.edgeMeters)
    for (let step = 0; step < maxSteps; step++) {
      // Pieces of a straight line through convex cells do not overlap: walk them in order of entry.
      const order = this.pieceT0.map((_, k) => k).sort((a, b) => this.pieceT0[a] - this.pieceT0[b])
      let reached = 0; let gapFrom = -1; let gapTo = -1
      for (const k of order) {
        if (this.pieceT0[k] - reached > 1 - MIN_COVER) { gapFrom = reached; gapTo = this.pieceT0[k]; break }
        if (this.pieceT1[k] > reached) reached = this.pieceT1[k]
      }
      if (gapFrom < 0) {
        if (1 - reached <= 1 - MIN_COVER) return this.pieceT1.reduce((sum, t1, k) => sum + t1 - this.pieceT0[k], 0)
        gapFrom = reached; gapTo = 1
      }
      const t = (gapFrom + gapTo) / 2
      const cell = latLngToCell(p.lat + (q.lat - p.lat) * t, p.lon + (q.lon - p.lon) * t, this.res)
      if (this.pieceCells.includes(cell) || this.clip(cell, p, dx, dy, kx, ky) === 0) return -1
    }
    return -1
  }

  /** Clips the segment (origin → (dx, dy)) against one cell (Cyrus–Beck); records and returns its share. */
  private clip (cell: string, p: Fix, dx: number, dy: number, kx: number, ky: number): number {
    const b = this.boundary(cell)
    const n = b.length / 2
    let tIn = 0; let tOut = 1
    for (let i = 0; i < n && tIn < tOut; i++) {
      const j = i + 1 === n ? 0 : i + 1
      const xi = (b[2 * i + 1] - p.lon) * kx; const yi = (b[2 * i] - p.lat) * ky
      const xj = (b[2 * j + 1] - p.lon) * kx; const yj = (b[2 * j] - p.lat) * ky
      // Inward normal of edge i→j; the point at t is inside this edge when a + t·d ≥ 0.
      const nx = yi - yj; const ny = xj - xi
      const a = -(nx * xi + ny * yi)
      const d = nx * dx + ny * dy
      if (d === 0) { if (a < 0) tOut = -1; continue }
      const t = -a / d
      if (d > 0) { if (t > tIn) tIn = t } else if (t < tOut) tOut = t
    }
    if (!(tOut > tIn)) return 0
    this.pieceCells.push(cell); this.pieceT0.push(tIn); this.pieceT1.push(tOut)
    return tOut - tIn
  }
}
