/**
 * deck.gl layers of the evacuation workspace, each a pure function of its rows and options:
 * zones by status, shelters by capacity and occupancy, teams at their zones, rescue requests.
 */
import { GeoJsonLayer, ScatterplotLayer } from '@deck.gl/layers'
import type { PickingInfo } from '@deck.gl/core'
import type { RescueRequest, ShelterCollection, ShelterProperties, ZoneCollection, ZoneFeature, ZoneProperties } from '../../api/evacuation.ts'
import {
  TEAM_COLOR, shelterFill, shelterRadius, statusColor, urgencyColor, urgencyRadius, zoneFill
} from '../../evacuation/evacuation-scales.ts'

export const ZONE_LAYER_ID = 'evacuation-zones'
export const SHELTER_LAYER_ID = 'evacuation-shelters'
export const TEAM_LAYER_ID = 'evacuation-teams'
export const RESCUE_LAYER_ID = 'evacuation-rescue'

interface Common<T> {
  /** Changes whenever colours or sizes must be recomputed (the data is compared by reference). */
  version: string | number
  onHover?: (info: PickingInfo<T>) => void
}

/** Evacuation zones (GET /api/evacuation/zones), filled by status; the selected one outlined thick. */
export function zoneLayer (zones: ZoneCollection, { version, selectedId, onHover }: Common<ZoneFeature> & { selectedId?: string }) {
  return new GeoJsonLayer<ZoneProperties>({
    id: ZONE_LAYER_ID,
    data: zones as never,
    pickable: true,
    autoHighlight: true,
    highlightColor: [255, 255, 255, 60],
    filled: true,
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: (f: { properties: ZoneProperties }) => f.properties.id === selectedId ? 3.5 : 1.5,
    getLineColor: (f: { properties: ZoneProperties }) => f.properties.id === selectedId ? [20, 20, 30, 255] : [...statusColor(f.properties.status), 255],
    getFillColor: (f: { properties: ZoneProperties }) => zoneFill(f.properties.status, f.properties.id === selectedId),
    updateTriggers: { getFillColor: [version, selectedId], getLineColor: [version, selectedId], getLineWidth: selectedId },
    onHover: onHover as never
  })
}

export type ShelterPoint = ShelterCollection['features'][number]

/** Shelters: radius by capacity (pixels), fill by occupancy share, closed ones grey. */
export function shelterLayer (shelters: ShelterCollection, { version, onHover }: Common<ShelterPoint>) {
  return new ScatterplotLayer<ShelterPoint>({
    id: SHELTER_LAYER_ID,
    data: shelters.features,
    pickable: true,
    radiusUnits: 'pixels',
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: 1.5,
    getLineColor: [255, 255, 255, 255],
    getPosition: d => d.geometry.coordinates as [number, number],
    getRadius: d => shelterRadius(d.properties.capacity),
    getFillColor: d => shelterFill(d.properties as ShelterProperties),
    updateTriggers: { getFillColor: version, getRadius: version },
    onHover
  })
}

export interface TeamMarker {
  id: string
  name: string
  zoneId: string
  zoneName: string
  position: [number, number]
  peopleMoved: number
}

/** Teams at their assigned zones: small navy dots with a white ring. */
export function teamLayer (teams: readonly TeamMarker[], { version, onHover }: Common<TeamMarker>) {
  return new ScatterplotLayer<TeamMarker>({
    id: TEAM_LAYER_ID,
    data: teams as TeamMarker[],
    pickable: true,
    radiusUnits: 'pixels',
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: 2,
    getLineColor: [255, 255, 255, 255],
    getPosition: d => d.position,
    getRadius: 6,
    getFillColor: [...TEAM_COLOR, 255],
    updateTriggers: { getPosition: version },
    onHover
  })
}

/** Open rescue requests: red, larger and darker the more urgent (drawn above everything else). */
export function rescueLayer (requests: readonly RescueRequest[], { version, onHover }: Common<RescueRequest>) {
  return new ScatterplotLayer<RescueRequest>({
    id: RESCUE_LAYER_ID,
    data: requests as RescueRequest[],
    pickable: true,
    radiusUnits: 'pixels',
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: 1.5,
    getLineColor: [255, 255, 255, 255],
    getPosition: d => [d.lon, d.lat],
    getRadius: d => urgencyRadius(d.urgency),
    getFillColor: d => [...urgencyColor(d.urgency), 240],
    updateTriggers: { getFillColor: version, getRadius: version },
    onHover
  })
}
