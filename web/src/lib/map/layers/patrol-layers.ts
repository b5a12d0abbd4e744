/**
 * deck.gl layers of the patrol workspace: coverage cells, gap outlines, track playback and the
 * planned route. Each is a pure function of its rows and options.
 */
import { H3HexagonLayer, TripsLayer } from '@deck.gl/geo-layers'
import { PathLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers'
import type { PickingInfo } from '@deck.gl/core'
import { flatHexLayer } from './flat-hex-layer.ts'
import type { CoverageCell, CoverageGap } from '../../api/patrols.ts'
import type { RGBA } from '../colors.ts'
import { GAP_FILL, GAP_LINE, GAP_LINE_PX, dwellColor } from '../../patrols/coverage-palette.ts'
import type { TripSegment } from '../../patrols/playback.ts'
import type { WaypointMark } from '../../patrols/plan-data.ts'

export const COVERAGE_LAYER_ID = 'patrol-coverage'
export const GAP_LAYER_ID = 'patrol-gaps'
export const TRACK_LAYER_ID = 'patrol-track'
export const TRIPS_LAYER_ID = 'patrol-trips'
export const HEAD_LAYER_ID = 'patrol-head'
export const ROUTE_LAYER_ID = 'patrol-route'
export const WAYPOINT_LAYER_ID = 'patrol-waypoints'
export const WAYPOINT_LABEL_LAYER_ID = 'patrol-waypoint-labels'
export const START_LAYER_ID = 'patrol-start'

/** Playback trail: orange, apart from the blue-green coverage and the red gaps. */
export const TRIP_COLOR: RGBA = [245, 130, 0, 255]
/** The whole track, faint, so the moving head has context. */
export const TRACK_COLOR: RGBA = [90, 70, 40, 110]
/** The planned route: dark violet with a white casing, readable over every coverage colour. */
export const ROUTE_COLOR: RGBA = [106, 27, 154, 235]
export const ROUTE_CASING: RGBA = [255, 255, 255, 220]
export const START_COLOR: RGBA = [20, 20, 20, 255]

export interface CoverageLayerOptions {
  version: string | number
  onHover?: (info: PickingInfo<CoverageCell>) => void
}

/** Patrol dwell minutes per H3 cell (GET /api/coverage `cells`). */
export function coverageLayer (cells: readonly CoverageCell[], { version, onHover }: CoverageLayerOptions) {
  return flatHexLayer(cells, { id: COVERAGE_LAYER_ID, fill: d => dwellColor(d.dwell_seconds), version, onHover })
}

export interface GapLayerOptions {
  version: string | number
  onHover?: (info: PickingInfo<CoverageGap>) => void
}

/** Gap cells (high priority, little coverage): a thick red outline over whatever is below. */
export function gapLayer (gaps: readonly CoverageGap[], { version, onHover }: GapLayerOptions) {
  return new H3HexagonLayer<CoverageGap>({
    id: GAP_LAYER_ID,
    data: gaps as CoverageGap[],
    pickable: true,
    extruded: false,
    filled: true,
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: GAP_LINE_PX,
    getLineColor: GAP_LINE,
    getFillColor: GAP_FILL,
    getHexagon: d => d.h3,
    updateTriggers: { getFillColor: version },
    onHover
  })
}

export interface PlaybackLayerOptions {
  /** Seconds since the track's start (see playback.ts). */
  currentTime: number
  trailLength: number
  /** The patrol's id: a new track gets new attributes. */
  version: string | number
  head?: [number, number]
}

/** The whole track (faint), the animated trail up to `currentTime`, and the patrol's position. */
export function playbackLayers (segments: readonly TripSegment[], { currentTime, trailLength, version, head }: PlaybackLayerOptions) {
  const data = segments as TripSegment[]
  return [
    new PathLayer<TripSegment>({
      id: TRACK_LAYER_ID,
      data,
      getPath: d => d.path,
      getColor: TRACK_COLOR,
      getWidth: 3,
      widthUnits: 'pixels',
      updateTriggers: { getPath: version }
    }),
    new TripsLayer<TripSegment>({
      id: TRIPS_LAYER_ID,
      data,
      getPath: d => d.path,
      getTimestamps: d => d.timestamps,
      getColor: TRIP_COLOR,
      getWidth: 5,
      widthUnits: 'pixels',
      capRounded: true,
      jointRounded: true,
      fadeTrail: true,
      trailLength,
      currentTime,
      updateTriggers: { getPath: version, getTimestamps: version }
    }),
    new ScatterplotLayer<{ position: [number, number] }>({
      id: HEAD_LAYER_ID,
      data: head ? [{ position: head }] : [],
      getPosition: d => d.position,
      getRadius: 7,
      radiusUnits: 'pixels',
      getFillColor: TRIP_COLOR,
      getLineColor: [255, 255, 255, 255],
      stroked: true,
      lineWidthUnits: 'pixels',
      getLineWidth: 2
    })
  ]
}

/** The planned route (white casing under violet), its numbered waypoints, and its start point. */
export function routeLayers (paths: readonly { path: [number, number][] }[], marks: readonly WaypointMark[], version: string | number) {
  const pathData = paths as { path: [number, number][] }[]
  const markData = marks as WaypointMark[]
  return [
    new PathLayer({
      id: `${ROUTE_LAYER_ID}-casing`,
      data: pathData,
      getPath: d => d.path,
      getColor: ROUTE_CASING,
      getWidth: 7,
      widthUnits: 'pixels',
      jointRounded: true,
      capRounded: true,
      updateTriggers: { getPath: version }
    }),
    new PathLayer({
      id: ROUTE_LAYER_ID,
      data: pathData,
      getPath: d => d.path,
      getColor: ROUTE_COLOR,
      getWidth: 4,
      widthUnits: 'pixels',
      jointRounded: true,
      capRounded: true,
      updateTriggers: { getPath: version }
    }),
    new ScatterplotLayer<WaypointMark>({
      id: WAYPOINT_LAYER_ID,
      data: markData,
      getPosition: d => d.position,
      getRadius: 10,
      radiusUnits: 'pixels',
      getFillColor: ROUTE_COLOR,
      getLineColor: [255, 255, 255, 255],
      stroked: true,
      lineWidthUnits: 'pixels',
      getLineWidth: 2,
      updateTriggers: { getPosition: version }
    }),
    new TextLayer<WaypointMark>({
      id: WAYPOINT_LABEL_LAYER_ID,
      data: markData,
      getPosition: d => d.position,
      getText: d => d.label,
      getSize: 12,
      getColor: [255, 255, 255, 255],
      fontWeight: 700,
      fontFamily: 'system-ui, sans-serif',
      // Digits only: the default ASCII atlas suffices (no Vietnamese glyphs needed here).
      characterSet: '0123456789',
      getTextAnchor: 'middle',
      getAlignmentBaseline: 'center',
      updateTriggers: { getText: version, getPosition: version }
    })
  ]
}

/** The route's start point (chosen by a click on the map): a black dot with a white ring. */
export function startLayer (start: [number, number] | undefined) {
  return new ScatterplotLayer<{ position: [number, number] }>({
    id: START_LAYER_ID,
    data: start ? [{ position: start }] : [],
    getPosition: d => d.position,
    getRadius: 8,
    radiusUnits: 'pixels',
    getFillColor: START_COLOR,
    getLineColor: [255, 255, 255, 255],
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: 3,
    updateTriggers: { getPosition: start?.join(',') }
  })
}
