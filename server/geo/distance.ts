/** Mean Earth radius (IUGG), the one Turf uses, in metres. */
export const EARTH_RADIUS_METERS = 6_371_008.8
export const RADIANS_PER_DEGREE = Math.PI / 180

/**
 * Great-circle distance in metres between two points given as longitudes and latitudes in
 * degrees (haversine). Four numbers rather than two arrays: track cleaning calls it per fix.
 *
 * @example
 * greatCircleMeters(106.3313, 20.9409, 106.3413, 20.9409) // ≈ 1,039
 */
export function greatCircleMeters (lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * RADIANS_PER_DEGREE
  const dLon = (lon2 - lon1) * RADIANS_PER_DEGREE
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RADIANS_PER_DEGREE) * Math.cos(lat2 * RADIANS_PER_DEGREE) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)))
}
