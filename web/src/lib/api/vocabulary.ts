/**
 * The API's vocabulary on the page: categories, statuses and their moves, zone statuses, rescue
 * urgencies, travel modes, roles, hotspot classes and emerging patterns. Lists the server defines
 * in server/domain (or in its pure analysis modules) are imported from there, so there is one
 * definition; the checks at the end fail to compile when a list and the generated contract disagree.
 * (Roles and capabilities are open strings in the contract: a newer server may send more.)
 */
import { CATEGORIES, type Category, type IncidentStatus } from '../../../../server/domain/incident-status.ts'
import { ZONE_STATUSES, type ZoneStatus } from '../../../../server/domain/zone-status.ts'
import type { RescueUrgency } from '../../../../server/domain/rescue-urgency.ts'
import type { TravelMode } from '../../../../server/domain/travel-modes.ts'
// Types only: the bus and the emerging analysis are server code the page does not bundle.
import type { EvacuationEventType } from '../../../../server/events/bus.ts'
import type { EmergingDirection, EmergingPattern as ServerPattern } from '../../../../server/analysis/emerging.ts'
import type { Check, Json, Query, Same } from './types.ts'

export { CATEGORIES, STATUSES, TRANSITIONS as NEXT_STATUSES, type Category, type IncidentStatus } from '../../../../server/domain/incident-status.ts'
export { ZONE_STATUSES, type ZoneStatus } from '../../../../server/domain/zone-status.ts'
export { RESCUE_URGENCIES as URGENCIES, type RescueUrgency as Urgency } from '../../../../server/domain/rescue-urgency.ts'
export { TRAVEL_MODE_NAMES as TRAVEL_MODES, type TravelMode } from '../../../../server/domain/travel-modes.ts'
export { ROLES, CAPABILITIES, type Role, type Capability } from '../../../../server/domain/roles.ts'
export { HOTSPOT_CLASSES, type HotspotClass } from '../../../../server/analysis/fdr.ts'
export type { EmergingDirection }

/** Emerging hot-spot patterns (ArcGIS definitions); the list of server/analysis/emerging.ts, checked below. */
export const EMERGING_PATTERNS = [
  'new', 'consecutive', 'intensifying', 'persistent', 'diminishing', 'sporadic', 'oscillating', 'historical', 'no_pattern'
] as const
export type EmergingPattern = typeof EMERGING_PATTERNS[number]

/** Period lengths of GET /api/hotspots/emerging; checked below against its `step` parameter. */
export const EMERGING_STEPS = ['day', 'week', 'month'] as const
export type EmergingStep = typeof EMERGING_STEPS[number]

/**
 * Kinds of evacuation event on the live feed; the list of server/events/bus.ts (which the page
 * cannot import: it holds the Node event bus), checked below.
 */
export const EVACUATION_EVENT_TYPES = ['evacuation.zone', 'evacuation.progress', 'evacuation.shelter', 'evacuation.rescue_request'] as const

export function isCategory (value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value)
}

export function isZoneStatus (value: unknown): value is ZoneStatus {
  return typeof value === 'string' && (ZONE_STATUSES as readonly string[]).includes(value)
}

// Compile-time checks of the lists against the generated contract (and the server's own types).
type IncidentRow = Json<'/api/incidents', 'get'>['features'][number]['properties']
type ZoneRow = Json<'/api/evacuation/zones', 'get'>['features'][number]['properties']
type EmergingRow = Json<'/api/hotspots/emerging', 'get'>['cells'][number]

type CategoryMatches = Check<Same<Category, IncidentRow['category']>>
type StatusMatches = Check<Same<IncidentStatus, IncidentRow['status']>>
type ZoneStatusMatches = Check<Same<ZoneStatus, ZoneRow['status']>>
type UrgencyMatches = Check<Same<RescueUrgency, Json<'/api/evacuation/communes/{code}', 'get'>['rescue_requests'][number]['urgency']>>
type TravelModeMatches = Check<Same<TravelMode, Json<'/api/patrol-plans', 'post', 201>['properties']['mode']>>
type PatternMatches = Check<Same<EmergingPattern, EmergingRow['pattern']>>
type PatternListMatches = Check<Same<EmergingPattern, ServerPattern>>
type StepMatches = Check<Same<EmergingStep, NonNullable<Query<'/api/hotspots/emerging', 'get'>['step']>>>
type EvacuationEventsMatch = Check<Same<typeof EVACUATION_EVENT_TYPES[number], EvacuationEventType>>
