import { describe, expect, it } from 'vitest'
import { cellToLatLng, polygonToCells } from 'h3-js'
import { insidePaths } from '../../server/analysis/inside-paths.ts'
import { haversineMeters, legInsidePolygon, planPatrolRoute } from '../../server/analysis/route-planning.ts'

// A U around a notch, near Hải Phòng: arms 0.01° wide, the notch 0.01° wide and 0.02° deep.
const U = {
  type: 'Polygon' as const,
  coordinates: [[[106.30, 20.90], [106.33, 20.90], [106.33, 20.93], [106.32, 20.93], [106.32, 20.91], [106.31, 20.91], [106.31, 20.93], [106.30, 20.93], [106.30, 20.90]]]
}
const nodesOf = () => polygonToCells(U.coordinates, 9, true).map(id => { const [lat, lon] = cellToLatLng(id); return { id, lon, lat } })

describe('insidePaths', () => {
  it('goes round the notch: longer than the straight line, every hop inside, and as short as hops allow', () => {
    const nodes = nodesOf()
    const leg = legInsidePolygon(U)
    // The highest cell of each arm.
    const topLeft = nodes.indexOf(nodes.filter(n => n.lat > 20.925 && n.lon < 106.31).sort((x, y) => y.lat - x.lat)[0]!)
    const topRight = nodes.indexOf(nodes.filter(n => n.lat > 20.925 && n.lon > 106.32).sort((x, y) => y.lat - x.lat)[0]!)
    const paths = insidePaths(nodes, 9, leg, [topLeft])
    const a: [number, number] = [nodes[topLeft]!.lon, nodes[topLeft]!.lat]
    const b: [number, number] = [nodes[topRight]!.lon, nodes[topRight]!.lat]
    expect(leg(a, b)).toBe(false)
    const meters = paths.meters(topLeft, topRight)
    // Down one arm (≥ 2 km), across the bottom, up the other: well over the 2 km straight line.
    expect(meters).toBeGreaterThan(haversineMeters(a, b) + 2 * 1500)
    const path = paths.path(topLeft, topRight)
    expect(path[0]).toBe(topLeft)
    expect(path.at(-1)).toBe(topRight)
    let sum = 0
    for (let i = 1; i < path.length; i++) {
      const p: [number, number] = [nodes[path[i - 1]!]!.lon, nodes[path[i - 1]!]!.lat]
      const q: [number, number] = [nodes[path[i]!]!.lon, nodes[path[i]!]!.lat]
      expect(leg(p, q)).toBe(true)
      sum += haversineMeters(p, q)
    }
    expect(sum).toBeCloseTo(meters, 6)
    expect(paths.meters(topRight, topLeft)).toBe(meters)
  })

  it('lets the planner reach a prize across the notch that straight legs cannot', () => {
    const nodes = nodesOf()
    const leg = legInsidePolygon(U)
    const start = nodes.filter(n => n.lat > 20.925 && n.lon < 106.31).sort((x, y) => y.lat - x.lat)[0]!
    const prize = nodes.filter(n => n.lat > 20.925 && n.lon > 106.32).sort((x, y) => y.lat - x.lat)[0]!
    const all = [{ id: 'start', lon: start.lon, lat: start.lat }, ...nodes]
    const prizeNode = nodes.indexOf(prize) + 1
    const paths = insidePaths(all, 9, leg, [0, prizeNode])
    const input = { start: [start.lon, start.lat] as [number, number], candidates: [{ id: prize.id, lon: prize.lon, lat: prize.lat, priority: 1 }], budgetSeconds: 4 * 3600, speedMetersPerSecond: 1.25, visitSeconds: 60 }
    expect(planPatrolRoute({ ...input, legAllowed: leg }).stops).toHaveLength(0)
    const plan = planPatrolRoute({ ...input, legMeters: (i, j) => paths.meters(i === 0 ? 0 : prizeNode, j === 0 ? 0 : prizeNode) })
    expect(plan.stops.map(s => s.id)).toEqual([prize.id])
    expect(plan.distanceMeters).toBeCloseTo(2 * paths.meters(0, prizeNode), 6)
  })
})
