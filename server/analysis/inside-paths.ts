import { gridDisk, latLngToCell } from 'h3-js'
import { haversineMeters } from './route-planning.ts'

/** A point to route between: a cell centre or the start. */
export interface PathNode { id: string, lon: number, lat: number }

/**
 * Shortest paths that stay inside an area, over a graph of H3 cell centres: straight hops between
 * neighbouring cells (k-ring 1) or from the start to cells within 2 rings, kept only when
 * `legAllowed` says the hop stays inside. Communes are not convex; a straight leg between two far
 * cells may cross a river bend or another commune, a chain of short inside hops does not.
 *
 * `meters(i, j)` is the inside-path length between nodes i and j of `nodes` (∞ when no such path);
 * `path(i, j)` the node indices along it, both ends included. Dijkstra from each node in `from`.
 *
 * @example
 * const paths = insidePaths([{ id: 'start', lon, lat }, ...cells], res, legInsidePolygon(commune))
 * paths.meters(0, 5) // metres from the start to the fifth cell, inside the commune
 */
export function insidePaths (nodes: readonly PathNode[], res: number, legAllowed: (a: [number, number], b: [number, number]) => boolean, from: readonly number[]) {
  const n = nodes.length
  const index = new Map<string, number>()
  nodes.forEach((node, i) => { if (!index.has(node.id)) index.set(node.id, i) })
  const edges: { to: number, meters: number }[][] = nodes.map(() => [])
  const addEdge = (i: number, j: number) => {
    if (i === j || edges[i]!.some(e => e.to === j)) return
    const a: [number, number] = [nodes[i]!.lon, nodes[i]!.lat]
    const b: [number, number] = [nodes[j]!.lon, nodes[j]!.lat]
    if (!legAllowed(a, b)) return
    const meters = haversineMeters(a, b)
    edges[i]!.push({ to: j, meters })
    edges[j]!.push({ to: i, meters })
  }
  nodes.forEach((node, i) => {
    // A node that is not a cell of this resolution (the start) links to the cells around it.
    const isCell = index.get(node.id) === i && /^[0-9a-f]{15}$/.test(node.id)
    const cell = isCell ? node.id : latLngToCell(node.lat, node.lon, res)
    for (const neighbour of gridDisk(cell, isCell ? 1 : 2)) {
      const j = index.get(neighbour)
      if (j !== undefined) addEdge(i, j)
    }
  })

  const distance = new Map<number, Float64Array>()
  const previous = new Map<number, Int32Array>()
  for (const source of from) {
    const dist = new Float64Array(n).fill(Infinity)
    const prev = new Int32Array(n).fill(-1)
    const done = new Uint8Array(n)
    dist[source] = 0
    // Binary heap of [distance, node].
    const heap: [number, number][] = [[0, source]]
    while (heap.length > 0) {
      const [d, u] = popMin(heap)
      if (done[u]) continue
      done[u] = 1
      for (const { to, meters } of edges[u]!) {
        const next = d + meters
        if (next < dist[to]!) { dist[to] = next; prev[to] = u; pushHeap(heap, [next, to]) }
      }
    }
    distance.set(source, dist)
    previous.set(source, prev)
  }

  return {
    meters (i: number, j: number): number {
      const d = distance.get(i)
      if (d) return d[j]!
      const back = distance.get(j)
      if (back) return back[i]!
      throw new RangeError(`no shortest paths were computed from node ${i} or ${j}`)
    },
    /** Node indices from i to j along the inside path (empty when there is none). */
    path (i: number, j: number): number[] {
      const prev = previous.get(i)
      if (!prev) return this.path(j, i).reverse()
      if (i !== j && prev[j] === -1) return []
      const out = [j]
      let at = j
      while (at !== i) { at = prev[at]!; out.push(at) }
      return out.reverse()
    }
  }
}

function pushHeap (heap: [number, number][], item: [number, number]) {
  heap.push(item)
  let i = heap.length - 1
  while (i > 0) {
    const parent = (i - 1) >> 1
    if (heap[parent]![0] <= heap[i]![0]) break
    ;[heap[parent], heap[i]] = [heap[i]!, heap[parent]!]
    i = parent
  }
}

function popMin (heap: [number, number][]): [number, number] {
  const top = heap[0]!
  const last = heap.pop()!
  if (heap.length > 0) {
    heap[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1; const r = l + 1
      let m = i
      if (l < heap.length && heap[l]![0] < heap[m]![0]) m = l
      if (r < heap.length && heap[r]![0] < heap[m]![0]) m = r
      if (m === i) break
      ;[heap[m], heap[i]] = [heap[i]!, heap[m]!]
      i = m
    }
  }
  return top
}
