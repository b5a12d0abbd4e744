import { describe, expect, it } from 'vitest'
import type { PatrolPlan } from '../../web/src/lib/api/patrols.ts'
import { planGpxUrl } from '../../web/src/lib/api/patrols.ts'
import {
  MAX_BUDGET, MIN_BUDGET, clampBudget, defaultCommune, gainOverBaseline, polygonBBox, routePaths, waypointMarks, windowRange
} from '../../web/src/lib/patrols/plan-data.ts'
import {
  COVERAGE_LAYER_ID, GAP_LAYER_ID, ROUTE_LAYER_ID, START_LAYER_ID, TRIPS_LAYER_ID, WAYPOINT_LABEL_LAYER_ID, WAYPOINT_LAYER_ID,
  coverageLayer, gapLayer, playbackLayers, routeLayers, startLayer
} from '../../web/src/lib/map/layers/patrol-layers.ts'
import { tripSegments } from '../../web/src/lib/patrols/playback.ts'

const START: [number, number] = [106.3313, 20.9409]

/** A plan as POST /api/patrol-plans answers it; the waypoints deliberately out of order. */
function plan (): PatrolPlan {
  return {
    type: 'Feature',
    geometry: { type: 'LineString', coordinates: [START, [106.335, 20.942], [106.338, 20.944], [106.333, 20.946], START] },
    properties: {
      id: '7', team_id: '3', commune_code: '10525', mode: 'foot', budget_minutes: 60, duration_minutes: 54, distance_m: 2400,
      collected_priority: 12.5, baseline_priority: 10, baseline_distance_m: 2600, candidates: 40, start: START,
      created_at: '2025-06-30T01:00:00.000Z', window_from: '2025-06-16', window_to: '2025-07-01',
      waypoints: [
        { order: 2, h3: '89aaa', lon: 106.338, lat: 20.944, priority: 5, arrival_minute: 20 },
        { order: 1, h3: '89bbb', lon: 106.335, lat: 20.942, priority: 4, arrival_minute: 8 },
        { order: 3, h3: '89ccc', lon: 106.333, lat: 20.946, priority: 3.5, arrival_minute: 35 }
      ],
      expected_coverage_gain: { cells: 9, priority_share: 0.3 },
      legs_note: 'straight lines'
    }
  }
}

describe('waypointMarks', () => {
  it('numbers the waypoints in visiting order, at their positions', () => {
    const marks = waypointMarks(plan())
    expect(marks.map(m => m.label)).toEqual(['1', '2', '3'])
    expect(marks.map(m => m.position)).toEqual([[106.335, 20.942], [106.338, 20.944], [106.333, 20.946]])
    expect(marks[1].waypoint.h3).toBe('89aaa')
  })
  it('is empty without a plan', () => {
    expect(waypointMarks(undefined)).toEqual([])
  })
})

describe('routePaths', () => {
  it('is one closed path from the start through the waypoints back to the start', () => {
    const [route, ...rest] = routePaths(plan())
    expect(rest).toEqual([])
    expect(route.path).toHaveLength(5)
    expect(route.path[0]).toEqual(START)
    expect(route.path[4]).toEqual(START)
  })
  it('draws nothing for a degenerate line or no plan', () => {
    const p = plan()
    p.geometry.coordinates = [START]
    expect(routePaths(p)).toEqual([])
    expect(routePaths(undefined)).toEqual([])
  })
})

describe('plan figures', () => {
  it('compares collected priority with the nearest-neighbour baseline', () => {
    expect(gainOverBaseline(12.5, 10)).toBeCloseTo(0.25)
    expect(gainOverBaseline(8, 10)).toBeCloseTo(-0.2)
    expect(gainOverBaseline(5, 0)).toBeUndefined()
  })
  it('keeps the budget within what the API accepts', () => {
    expect(clampBudget(10)).toBe(MIN_BUDGET)
    expect(clampBudget(1000)).toBe(MAX_BUDGET)
    expect(clampBudget(62.4)).toBe(62)
    expect(clampBudget(Number.NaN)).toBe(60)
  })
  it('links the GPX of a plan', () => {
    expect(planGpxUrl(7)).toBe('/api/patrol-plans/7.gpx')
  })
})

describe('defaultCommune', () => {
  it('opens the commune with most incidents, the first on a tie or without figures', () => {
    const codes = ['10507', '10525', '11383']
    expect(defaultCommune(codes, new Map([['10507', 3], ['10525', 9], ['11383', 9]]))).toBe('10525')
    expect(defaultCommune(codes, new Map([['10507', 0]]))).toBe('10507')
    expect(defaultCommune(codes)).toBe('10507')
    expect(defaultCommune([])).toBeUndefined()
  })
})

describe('polygonBBox', () => {
  it('spans every ring of every polygon', () => {
    expect(polygonBBox([[[[106.3, 20.9], [106.4, 20.9], [106.4, 21.0], [106.3, 20.9]]], [[[106.5, 20.8], [106.6, 20.85], [106.5, 20.8]]]]))
      .toEqual([106.3, 20.8, 106.6, 21.0])
    expect(polygonBBox([])).toBeUndefined()
  })
})

describe('windowRange', () => {
  it('ends at the next whole minute and spans the given days', () => {
    const now = Date.parse('2025-06-14T13:30:05.500Z')
    expect(windowRange(7, now)).toEqual({ from: '2025-06-07T13:31:00.000Z', to: '2025-06-14T13:31:00.000Z' })
  })
})

describe('patrol layers', () => {
  it('draws the route under its numbered waypoints, with the path and labels from the plan', () => {
    const p = plan()
    const layers = routeLayers(routePaths(p), waypointMarks(p), 'v1')
    expect(layers.map(l => l.id)).toEqual([`${ROUTE_LAYER_ID}-casing`, ROUTE_LAYER_ID, WAYPOINT_LAYER_ID, WAYPOINT_LABEL_LAYER_ID])
    const route = layers[1]
    expect((route.props.data as { path: unknown[] }[])[0].path).toHaveLength(5)
    const labels = layers[3]
    const getText = (labels.props as unknown as { getText: (d: unknown) => string }).getText
    expect((labels.props.data as unknown[]).map(getText)).toEqual(['1', '2', '3'])
  })

  it('draws the start marker only once a start is chosen', () => {
    expect((startLayer(undefined).props.data as unknown[])).toHaveLength(0)
    const layer = startLayer(START)
    expect(layer.id).toBe(START_LAYER_ID)
    expect((layer.props.data as { position: number[] }[])[0].position).toEqual(START)
  })

  it('feeds TripsLayer relative times and the current time', () => {
    const segments = tripSegments([[START, [106.332, 20.941]]], [[1_750_000_000, 1_750_000_090]], 1_750_000_000)
    const layers = playbackLayers(segments, { currentTime: 45, trailLength: 120, version: 1, head: [106.33165, 20.94095] })
    const trips = layers.find(l => l.id === TRIPS_LAYER_ID)!
    const props = trips.props as unknown as { currentTime: number, getTimestamps: (d: unknown) => number[] }
    expect(props.currentTime).toBe(45)
    const getTimestamps = props.getTimestamps
    expect(getTimestamps((trips.props.data as unknown[])[0])).toEqual([0, 90])
  })

  it('colours coverage by dwell and outlines gaps', () => {
    const cov = coverageLayer([{ h3: '89a', visits: 2, dwell_seconds: 45 * 60, last_visit: '2025-06-30T01:00:00.000Z' }], { version: 1 })
    expect(cov.id).toBe(COVERAGE_LAYER_ID)
    const gaps = gapLayer([{ h3: '89b', rank: 1, priority: 3, intensity: 2, hotspot_z: null, incidents: 2, dwell_seconds: 0, gap_score: 3 }], { version: 1 })
    expect(gaps.id).toBe(GAP_LAYER_ID)
    expect(gaps.props.stroked).toBe(true)
    expect(gaps.props.getLineColor).toEqual([215, 25, 28, 255])
  })
})
