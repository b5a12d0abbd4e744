/** Incident vocabulary: categories, statuses and the moves between them. */
export const CATEGORIES = ['security', 'social_order', 'traffic', 'fire', 'rescue', 'flood', 'other'] as const
export type Category = typeof CATEGORIES[number]

export const STATUSES = ['reported', 'dispatched', 'on_scene', 'resolved', 'closed', 'cancelled'] as const
export type IncidentStatus = typeof STATUSES[number]

/**
 * Where an incident may go from each status: reported → dispatched → on_scene → resolved →
 * closed, and cancelled from any open state. Closed and cancelled are final.
 */
export const TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  reported: ['dispatched', 'cancelled'],
  dispatched: ['on_scene', 'cancelled'],
  on_scene: ['resolved', 'cancelled'],
  resolved: ['closed'],
  closed: [],
  cancelled: []
}

export function canMove (from: IncidentStatus, to: IncidentStatus): boolean {
  return TRANSITIONS[from].includes(to)
}

/** The column that records when an incident reached a status. */
export const STATUS_TIME_COLUMN: Partial<Record<IncidentStatus, string>> = {
  dispatched: 'dispatched_at',
  on_scene: 'on_scene_at',
  resolved: 'resolved_at',
  closed: 'closed_at',
  cancelled: 'cancelled_at'
}

/** Seconds between two instants, or null when either is missing. */
export function secondsBetween (from: Date | null, to: Date | null): number | null {
  return from && to ? Math.round((to.getTime() - from.getTime()) / 1000) : null
}
