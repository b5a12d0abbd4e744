import { latLngToCell, isValidCell } from 'h3-js'

/** The finest resolution stored for incidents (about 15,000 m² per cell). */
export const STORED_RESOLUTION = 10
export const MIN_QUERY_RESOLUTION = 5
export const MAX_QUERY_RESOLUTION = STORED_RESOLUTION

/** H3 string index ("8a65a6b2d0cffff") → decimal string of the 64-bit integer, for a bigint column. */
export function h3ToBigintString (h3: string): string {
  return BigInt('0x' + h3).toString()
}

/** 64-bit integer (bigint, or its decimal string) → H3 string index. */
export function bigintToH3 (value: bigint | string | number): string {
  return BigInt(value).toString(16)
}

/** Cell of a point at the stored resolution, as the decimal string of its integer. */
export function storedCellOf (lon: number, lat: number): string {
  return h3ToBigintString(latLngToCell(lat, lon, STORED_RESOLUTION))
}

export function isH3Index (value: string): boolean {
  return /^[0-9a-f]{15,16}$/i.test(value) && isValidCell(value)
}
