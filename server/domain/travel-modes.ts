/** How a patrol moves: on foot or by motorbike (the two modes tracks are classified into and routes planned for). */
export const TRAVEL_MODE_NAMES = ['foot', 'motorbike'] as const
export type TravelMode = typeof TRAVEL_MODE_NAMES[number]

/**
 * Effective straight-line speeds and the time spent checking each waypoint. Legs are straight lines
 * between cell centres while real paths follow lanes and roads, so the speeds are below the usual
 * walking (5 km/h) and urban motorbike (30 km/h) speeds to absorb the detour factor (~1.3–1.5).
 */
export const TRAVEL_MODES: Record<TravelMode, { speedMetersPerSecond: number, visitSeconds: number }> = {
  foot: { speedMetersPerSecond: 4000 / 3600, visitSeconds: 180 },
  motorbike: { speedMetersPerSecond: 20000 / 3600, visitSeconds: 120 }
}
