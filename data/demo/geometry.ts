// Geometry helpers for the demo-data generator: a per-commune index that makes rejection sampling
// cheap, while the final inside test is always turf's booleanPointInPolygon on the full-detail
// polygon. Prepared data is cached per geometry object (WeakMap), so repeated runs are fast.
import { booleanPointInPolygon, centroid, pointOnFeature } from '@turf/turf'
import type { FeatureCollection, LineString, MultiLineString, MultiPolygon, Polygon, Position } from 'geojson'
import type { Rng } from './random.ts'

type BBox = [number, number, number, number]

const M_PER_DEG_LAT = 110_574
const M_PER_DEG_LON_EQUATOR = 111_320
/** Target number of grid cells per commune index. */
const GRID_CELLS = 4096

const OUTSIDE = 0
const BOUNDARY = 1
const INSIDE = 2

export interface PreparedCommune {
  /** Polygon parts with their own bbox: a point is tested with turf only against parts whose bbox holds it. */
  parts: Array<{ polygon: Polygon; bbox: BBox }>
  bbox: BBox
  nx: number; ny: number; cellW: number; cellH: number
  /** Per grid cell: 0 = wholly outside, 1 = crossed by the boundary, 2 = wholly inside. */
  cells: Uint8Array
  /** Indices of the cells that are not wholly outside (sampling domain for uniform points). */
  candidates: Uint32Array
  /** Metres per degree of longitude / latitude at the commune's latitude. */
  mPerDegLon: number; mPerDegLat: number
  /** A point inside the commune near its centre (centroid if inside, else turf pointOnFeature). */
  centre: [number, number]
}

const preparedCache = new WeakMap<object, PreparedCommune>()

function partsOf (geometry: Polygon | MultiPolygon): Position[][][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
}

function ringBBox (ring: Position[], bb: BBox): void {
  for (const p of ring) {
    if (p[0] < bb[0]) bb[0] = p[0]
    if (p[1] < bb[1]) bb[1] = p[1]
    if (p[0] > bb[2]) bb[2] = p[0]
    if (p[1] > bb[3]) bb[3] = p[1]
  }
}

export function prepareCommune (geometry: Polygon | MultiPolygon): PreparedCommune {
  const cached = preparedCache.get(geometry)
  if (cached) return cached

  const polys = partsOf(geometry)
  const parts: PreparedCommune['parts'] = []
  const bbox: BBox = [Infinity, Infinity, -Infinity, -Infinity]
  for (const rings of polys) {
    if (rings.length === 0 || rings[0].length < 4) continue
    const bb: BBox = [Infinity, Infinity, -Infinity, -Infinity]
    ringBBox(rings[0], bb)
    parts.push({ polygon: { type: 'Polygon', coordinates: rings }, bbox: bb })
    bbox[0] = Math.min(bbox[0], bb[0]); bbox[1] = Math.min(bbox[1], bb[1])
    bbox[2] = Math.max(bbox[2], bb[2]); bbox[3] = Math.max(bbox[3], bb[3])
  }
  if (parts.length === 0) throw new Error('commune geometry has no polygon')

  const midLat = (bbox[1] + bbox[3]) / 2
  const mPerDegLon = M_PER_DEG_LON_EQUATOR * Math.cos(midLat * Math.PI / 180)
  const mPerDegLat = M_PER_DEG_LAT
  // Grid with roughly square cells (in metres) and about GRID_CELLS cells.
  const wM = Math.max((bbox[2] - bbox[0]) * mPerDegLon, 1)
  const hM = Math.max((bbox[3] - bbox[1]) * mPerDegLat, 1)
  const cellM = Math.sqrt(wM * hM / GRID_CELLS)
  const nx = Math.max(1, Math.min(1024, Math.ceil(wM / cellM)))
  const ny = Math.max(1, Math.min(1024, Math.ceil(hM / cellM)))
  const cellW = (bbox[2] - bbox[0]) / nx || 1e-9
  const cellH = (bbox[3] - bbox[1]) / ny || 1e-9
  const cells = new Uint8Array(nx * ny)
  const x0 = bbox[0]; const y0 = bbox[1]

  // 1. Cells touched by any edge are boundary cells. Meanwhile collect, per grid row, where the
  //    edges cross the row's centre line (half-open rule, as in the even–odd test).
  const rowXs: number[][] = Array.from({ length: ny }, () => [])
  for (const rings of polys) {
    for (const ring of rings) {
      for (let k = 0; k + 1 < ring.length; k++) {
        const ax = ring[k][0]; const ay = ring[k][1]; const bx = ring[k + 1][0]; const by = ring[k + 1][1]
        const j0 = Math.max(0, Math.floor((Math.min(ay, by) - y0) / cellH))
        const j1 = Math.min(ny - 1, Math.floor((Math.max(ay, by) - y0) / cellH))
        for (let j = j0; j <= j1; j++) {
          // The part of the edge inside this row's band spans [xa, xb] in x.
          let xa: number; let xb: number
          if (ay === by) { xa = ax; xb = bx } else {
            const yLo = Math.max(Math.min(ay, by), y0 + j * cellH)
            const yHi = Math.min(Math.max(ay, by), y0 + (j + 1) * cellH)
            xa = ax + (yLo - ay) / (by - ay) * (bx - ax)
            xb = ax + (yHi - ay) / (by - ay) * (bx - ax)
            const yc = y0 + (j + 0.5) * cellH
            if ((ay > yc) !== (by > yc)) rowXs[j].push(ax + (yc - ay) / (by - ay) * (bx - ax))
          }
          const i0 = Math.max(0, Math.floor((Math.min(xa, xb) - x0) / cellW))
          const i1 = Math.min(nx - 1, Math.floor((Math.max(xa, xb) - x0) / cellW))
          for (let i = i0; i <= i1; i++) cells[j * nx + i] = BOUNDARY
        }
      }
    }
  }
  // 2. Untouched cells are wholly inside or wholly outside: decide by the even–odd rule at the
  //    cell centre, one scanline per grid row.
  for (let j = 0; j < ny; j++) {
    const xs = rowXs[j].sort((p, q) => p - q)
    for (let s = 0; s + 1 < xs.length; s += 2) {
      const iStart = Math.max(0, Math.ceil((xs[s] - x0) / cellW - 0.5))
      const iEnd = Math.min(nx - 1, Math.floor((xs[s + 1] - x0) / cellW - 0.5))
      for (let i = iStart; i <= iEnd; i++) {
        const idx = j * nx + i
        if (cells[idx] === OUTSIDE) cells[idx] = INSIDE
      }
    }
  }
  let nCand = 0
  for (let idx = 0; idx < cells.length; idx++) if (cells[idx] !== OUTSIDE) nCand++
  const candidates = new Uint32Array(nCand)
  for (let idx = 0, c = 0; idx < cells.length; idx++) if (cells[idx] !== OUTSIDE) candidates[c++] = idx

  const prepared: PreparedCommune = {
    parts, bbox, nx, ny, cellW, cellH, cells, candidates, mPerDegLon, mPerDegLat, centre: [0, 0]
  }
  // Centre: centroid if it lies inside, otherwise a guaranteed surface point.
  const c = centroid(geometry).geometry.coordinates
  if (containsPoint(prepared, c[0], c[1])) {
    prepared.centre = [c[0], c[1]]
  } else {
    const p = pointOnFeature(geometry).geometry.coordinates
    prepared.centre = [p[0], p[1]]
  }
  preparedCache.set(geometry, prepared)
  return prepared
}

/**
 * Exact inside test: the grid only rejects points in cells wholly outside the commune; every
 * accepted point has passed turf's booleanPointInPolygon on the full-detail polygon part.
 */
export function containsPoint (pc: PreparedCommune, lon: number, lat: number): boolean {
  const bb = pc.bbox
  if (!(lon >= bb[0] && lon <= bb[2] && lat >= bb[1] && lat <= bb[3])) return false
  const i = Math.min(pc.nx - 1, Math.floor((lon - bb[0]) / pc.cellW))
  const j = Math.min(pc.ny - 1, Math.floor((lat - bb[1]) / pc.cellH))
  if (pc.cells[j * pc.nx + i] === OUTSIDE) return false
  const pt = [lon, lat]
  for (const part of pc.parts) {
    const b = part.bbox
    if (lon < b[0] || lon > b[2] || lat < b[1] || lat > b[3]) continue
    if (booleanPointInPolygon(pt, part.polygon)) return true
  }
  return false
}

/** Coordinates are published with 6 decimals (≈ 0.1 m); the inside test is run on the rounded values. */
export function round6 (x: number): number {
  return Math.round(x * 1e6) / 1e6
}

/** Uniform random point inside the commune (rejection sampling over non-outside grid cells). */
export function uniformPoint (pc: PreparedCommune, rng: Rng): [number, number] {
  for (let tries = 0; tries < 10_000; tries++) {
    const idx = pc.candidates[Math.floor(rng.next() * pc.candidates.length)]
    const i = idx % pc.nx; const j = (idx - i) / pc.nx
    const lon = round6(pc.bbox[0] + (i + rng.next()) * pc.cellW)
    const lat = round6(pc.bbox[1] + (j + rng.next()) * pc.cellH)
    if (containsPoint(pc, lon, lat)) return [lon, lat]
  }
  return [pc.centre[0], pc.centre[1]]
}

// ---------------------------------------------------------------------------------------------
// Rivers: the parts of river centrelines that run inside a commune, cut into ≤ 100 m pieces.

export interface RiverPieces {
  /** Flat [ax, ay, bx, by] per piece. */
  coords: Float64Array
  /** Cumulative length (m) for length-weighted sampling. */
  cdf: Float64Array
  /** Total length (m) of river centreline inside the commune. */
  lengthM: number
}

const riverCache = new WeakMap<object, WeakMap<object, RiverPieces>>()
const PIECE_M = 100

function linesOf (rivers: FeatureCollection<LineString | MultiLineString>): Position[][] {
  const out: Position[][] = []
  for (const f of rivers.features) {
    const g = f.geometry
    if (!g) continue
    if (g.type === 'LineString') out.push(g.coordinates)
    else if (g.type === 'MultiLineString') out.push(...g.coordinates)
  }
  return out
}

export function riverPiecesFor (pc: PreparedCommune, geometryKey: object,
  rivers: FeatureCollection<LineString | MultiLineString>): RiverPieces {
  let byGeom = riverCache.get(rivers)
  if (!byGeom) { byGeom = new WeakMap(); riverCache.set(rivers, byGeom) }
  const cached = byGeom.get(geometryKey)
  if (cached) return cached

  const coords: number[] = []
  const lengths: number[] = []
  const bb = pc.bbox
  for (const line of linesOf(rivers)) {
    for (let k = 0; k + 1 < line.length; k++) {
      const ax = line[k][0]; const ay = line[k][1]; const bx = line[k + 1][0]; const by = line[k + 1][1]
      if (Math.max(ax, bx) < bb[0] || Math.min(ax, bx) > bb[2] || Math.max(ay, by) < bb[1] || Math.min(ay, by) > bb[3]) continue
      const segM = Math.hypot((bx - ax) * pc.mPerDegLon, (by - ay) * pc.mPerDegLat)
      const n = Math.max(1, Math.ceil(segM / PIECE_M))
      for (let s = 0; s < n; s++) {
        const px = ax + (bx - ax) * s / n; const py = ay + (by - ay) * s / n
        const qx = ax + (bx - ax) * (s + 1) / n; const qy = ay + (by - ay) * (s + 1) / n
        if (containsPoint(pc, (px + qx) / 2, (py + qy) / 2)) {
          coords.push(px, py, qx, qy)
          lengths.push(segM / n)
        }
      }
    }
  }
  const cdf = new Float64Array(lengths.length)
  let total = 0
  for (let i = 0; i < lengths.length; i++) { total += lengths[i]; cdf[i] = total }
  const pieces: RiverPieces = { coords: Float64Array.from(coords), cdf, lengthM: total }
  byGeom.set(geometryKey, pieces)
  return pieces
}
