/**
 * The zone status workflow: normal → watch → warning → evacuate_now → evacuating → evacuated →
 * all_clear → normal, one step at a time; a sudden flood may skip forward to evacuate_now from
 * normal, watch or warning; the warning chain may step back down (warning → watch, watch →
 * normal), and an evacuation order may be withdrawn (evacuate_now → warning) before anyone moved.
 */
export const ZONE_STATUSES = ['normal', 'watch', 'warning', 'evacuate_now', 'evacuating', 'evacuated', 'all_clear'] as const
export type ZoneStatus = typeof ZONE_STATUSES[number]

export const ZONE_TRANSITIONS: Record<ZoneStatus, readonly ZoneStatus[]> = {
  normal: ['watch', 'evacuate_now'],
  watch: ['warning', 'evacuate_now', 'normal'],
  warning: ['evacuate_now', 'watch'],
  evacuate_now: ['evacuating', 'warning'],
  evacuating: ['evacuated'],
  evacuated: ['all_clear'],
  all_clear: ['normal']
}

/** Statuses in which progress may be reported. */
export const REPORTING_STATUSES: readonly ZoneStatus[] = ['evacuate_now', 'evacuating']

/**
 * Where a zone may go next. Withdrawing an order (evacuate_now → warning) is only possible while
 * no one has been moved under it.
 */
export function allowedNext (from: ZoneStatus, movedPeople: number): ZoneStatus[] {
  return ZONE_TRANSITIONS[from].filter(to => !(from === 'evacuate_now' && to === 'warning' && movedPeople > 0))
}

export function canMoveZone (from: ZoneStatus, to: ZoneStatus, movedPeople: number): boolean {
  return allowedNext(from, movedPeople).includes(to)
}
