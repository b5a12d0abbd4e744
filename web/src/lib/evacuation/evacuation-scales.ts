/**
 * Pure colour and size scales of the evacuation map: zone status, shelter size and fill, rescue
 * request urgency, team markers. The legend and the layers read the same tables.
 */
import type { RGB, RGBA } from '../map/colors.ts'
import { ZONE_STATUSES, type Urgency, type ZoneStatus } from '../api/evacuation.ts'

/**
 * Zone status ramp: escalation runs pale → yellow → orange → red (the order itself), action in
 * purple, done in blue, back to safety in green, so "red" always means "people must move now".
 */
export const STATUS_COLORS: Record<ZoneStatus, RGB> = {
  normal: [176, 184, 178],
  watch: [242, 204, 56],
  warning: [243, 134, 32],
  evacuate_now: [214, 32, 39],
  evacuating: [148, 52, 160],
  evacuated: [43, 103, 190],
  all_clear: [38, 152, 84]
}

/** Fill opacity of a zone: enough to read the basemap's rivers and roads beneath. */
export const ZONE_FILL_ALPHA = 120
/** The selected zone is filled more strongly so it stands out. */
export const ZONE_SELECTED_ALPHA = 200

export function statusColor (status: string): RGB {
  return STATUS_COLORS[status as ZoneStatus] ?? STATUS_COLORS.normal
}

export function zoneFill (status: string, selected = false): RGBA {
  return [...statusColor(status), selected ? ZONE_SELECTED_ALPHA : ZONE_FILL_ALPHA]
}

/**
 * Priority order of the lists: zones where people must move first, then those being watched,
 * then those finished, quiet zones last.
 */
export const STATUS_PRIORITY: readonly ZoneStatus[] = ['evacuate_now', 'evacuating', 'warning', 'watch', 'evacuated', 'all_clear', 'normal']

export function statusRank (status: string): number {
  const i = STATUS_PRIORITY.indexOf(status as ZoneStatus)
  return i < 0 ? STATUS_PRIORITY.length : i
}

/** Statuses in the workflow order, for the legend. */
export const LEGEND_STATUSES: readonly ZoneStatus[] = ZONE_STATUSES

/**
 * Shelter circle radius in pixels, by capacity: the area grows with capacity (radius ∝ √capacity),
 * clamped so a 20-person hall stays visible and a 2,000-person school does not cover a commune.
 */
export const SHELTER_RADIUS_PER_SQRT = 0.5
export const SHELTER_MIN_RADIUS = 4
export const SHELTER_MAX_RADIUS = 16

export function shelterRadius (capacity: number): number {
  const r = SHELTER_RADIUS_PER_SQRT * Math.sqrt(Math.max(0, capacity))
  return Math.min(SHELTER_MAX_RADIUS, Math.max(SHELTER_MIN_RADIUS, r))
}

/** Occupancy share 0..1 (over 1 when a report was forced past capacity; capacity 0 counts as full). */
export function occupancyShare (occupancy: number, capacity: number): number {
  if (capacity <= 0) return occupancy > 0 ? 1 : 0
  return Math.max(0, occupancy / capacity)
}

/** Empty → half full → full: green, amber, red (room left is what a coordinator looks for). */
const OCCUPANCY_STOPS: readonly RGB[] = [[46, 160, 90], [240, 180, 40], [200, 30, 30]]
export const SHELTER_CLOSED_COLOR: RGB = [150, 150, 150]

export function occupancyColor (share: number): RGB {
  const s = Math.min(1, Math.max(0, share)) * (OCCUPANCY_STOPS.length - 1)
  const i = Math.min(OCCUPANCY_STOPS.length - 2, Math.floor(s))
  const f = s - i
  const a = OCCUPANCY_STOPS[i]
  const b = OCCUPANCY_STOPS[i + 1]
  return [0, 1, 2].map(k => Math.round(a[k] + (b[k] - a[k]) * f)) as RGB
}

export function shelterFill (shelter: { capacity: number, occupancy: number, is_open: boolean }): RGBA {
  if (!shelter.is_open) return [...SHELTER_CLOSED_COLOR, 200]
  return [...occupancyColor(occupancyShare(shelter.occupancy, shelter.capacity)), 225]
}

/** Rescue requests: always red, darker and larger the more urgent. */
export const URGENCY_COLORS: Record<Urgency, RGB> = {
  low: [244, 109, 109],
  high: [220, 30, 30],
  critical: [140, 0, 0]
}
export const URGENCY_RADIUS: Record<Urgency, number> = { low: 5, high: 7, critical: 9 }
export const URGENCY_ORDER: readonly Urgency[] = ['critical', 'high', 'low']

export function urgencyColor (urgency: string): RGB {
  return URGENCY_COLORS[urgency as Urgency] ?? URGENCY_COLORS.high
}
export function urgencyRadius (urgency: string): number {
  return URGENCY_RADIUS[urgency as Urgency] ?? URGENCY_RADIUS.high
}

/** Teams: one dark navy marker with a white ring, unlike any status or shelter colour. */
export const TEAM_COLOR: RGB = [24, 42, 86]

export function cssColor (rgb: RGB | RGBA): string {
  return rgb.length === 4 ? `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${(rgb[3] / 255).toFixed(2)})` : `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`
}
