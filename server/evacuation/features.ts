import { allowedNext } from '../domain/zone-status.ts'
import type { ShelterRow, ZoneRow } from './repository.ts'

/** Rows of the evacuation tables as the GeoJSON Features of the API (pure). */

/** Seconds from the evacuation order to now, while the order stands (evacuate_now … evacuated). */
function secondsSinceOrder (row: ZoneRow, now: Date): number | null {
  if (!row.evacuate_ordered_at || !['evacuate_now', 'evacuating', 'evacuated'].includes(row.status)) return null
  return Math.max(0, Math.round((now.getTime() - row.evacuate_ordered_at.getTime()) / 1000))
}

/** A zone as a GeoJSON Feature (the API contract of GET /api/evacuation/zones). */
export function zoneFeature (row: ZoneRow, now = new Date()) {
  const vulnerable = row.elderly + row.disabled + row.children
  const moved = { households: row.moved_households, people: row.moved_people, vulnerable: row.moved_elderly + row.moved_disabled + row.moved_children }
  return {
    type: 'Feature' as const,
    geometry: row.geometry,
    properties: {
      id: row.id,
      name: row.name,
      commune_code: row.commune_code,
      commune_name: row.commune_name,
      province_code: row.province_code,
      risk_level: row.risk_level,
      status: row.status,
      status_changed_at: row.status_changed_at.toISOString(),
      evacuate_ordered_at: row.evacuate_ordered_at?.toISOString() ?? null,
      seconds_since_evacuate_order: secondsSinceOrder(row, now),
      households: row.households,
      population: row.population,
      elderly: row.elderly,
      disabled: row.disabled,
      children: row.children,
      vulnerable,
      is_estimated: row.estimated_fields.length > 0,
      estimated_fields: row.estimated_fields,
      moved,
      moved_groups: { elderly: row.moved_elderly, disabled: row.moved_disabled, children: row.moved_children },
      remaining: {
        households: Math.max(0, row.households - moved.households),
        people: Math.max(0, row.population - moved.people),
        vulnerable: Math.max(0, vulnerable - moved.vulnerable)
      },
      share_done: row.population > 0 ? Math.min(1, moved.people / row.population) : 0,
      team_ids: row.team_ids,
      open_rescue_requests: row.open_rescue_requests,
      is_generated: row.is_generated,
      allowed_next: allowedNext(row.status, moved.people)
    }
  }
}
export type ZoneFeature = ReturnType<typeof zoneFeature>

export function shelterFeature (row: ShelterRow) {
  return {
    type: 'Feature' as const,
    geometry: { type: 'Point' as const, coordinates: [row.lon, row.lat] },
    properties: {
      id: row.id, name: row.name, capacity: row.capacity, occupancy: row.occupancy, free: Math.max(0, row.capacity - row.occupancy),
      is_open: row.is_open, commune_code: row.commune_code, province_code: row.province_code,
      over_capacity: row.occupancy > row.capacity, over_capacity_reason: row.over_capacity_reason, is_generated: row.is_generated
    }
  }
}
