import { errors } from '../errors.ts'
import { AT_RISK_FIELDS, type AtRiskField } from './estimate.ts'

/** One feature of a zone import, as sent. */
export interface ZoneImportFeature { type?: unknown, geometry?: unknown, properties?: Record<string, unknown> | null }
/** One feature of a zone import, checked: what the import needs of it. */
export type CheckedZoneFeature = ReturnType<typeof checkImportFeature>

/**
 * The features of a zone import body (a Feature or a FeatureCollection), each checked; a 400
 * names the field (`features[i].…`; a single Feature is features[0]).
 */
export function parseZoneImport (body: { type: string, features?: unknown[] }): CheckedZoneFeature[] {
  if (body.type === 'FeatureCollection' && !body.features) throw errors.missingField('features')
  const raw = (body.type === 'FeatureCollection' ? body.features! : [body]) as ZoneImportFeature[]
  return raw.map(checkImportFeature)
}

function isPosition (p: unknown): boolean {
  return Array.isArray(p) && p.length >= 2 && p.length <= 3 && p.every(v => typeof v === 'number' && Number.isFinite(v)) &&
    Math.abs(p[0] as number) <= 180 && Math.abs(p[1] as number) <= 90
}
function isRing (ring: unknown): boolean {
  return Array.isArray(ring) && ring.length >= 4 && ring.every(isPosition)
}
function isPolygonCoordinates (rings: unknown): boolean {
  return Array.isArray(rings) && rings.length >= 1 && rings.every(isRing)
}

/** Checks one imported feature's shape; throws a 400 naming features[i].… */
export function checkImportFeature (feature: ZoneImportFeature, i: number) {
  const at = `features[${i}]`
  if (!feature || typeof feature !== 'object' || feature.type !== 'Feature') throw errors.invalidField(`${at}.type`, 'must be "Feature"')
  const geometry = feature.geometry as { type?: unknown, coordinates?: unknown } | null | undefined
  if (!geometry || typeof geometry !== 'object') throw errors.missingField(`${at}.geometry`)
  const valid = geometry.type === 'Polygon' ? isPolygonCoordinates(geometry.coordinates)
    : geometry.type === 'MultiPolygon' ? Array.isArray(geometry.coordinates) && geometry.coordinates.length >= 1 && geometry.coordinates.every(isPolygonCoordinates)
      : false
  if (!valid) throw errors.invalidField(`${at}.geometry`, 'must be a Polygon or MultiPolygon with closed rings of [lon, lat] positions')
  const p = feature.properties ?? {}
  if (typeof p !== 'object' || Array.isArray(p)) throw errors.invalidField(`${at}.properties`, 'must be an object')
  const known = ['commune_code', 'name', 'risk_level', ...AT_RISK_FIELDS]
  for (const key of Object.keys(p)) if (!known.includes(key)) throw errors.invalidField(`${at}.properties.${key}`, 'is not a known field')
  if (p.commune_code !== undefined && p.commune_code !== null && !(typeof p.commune_code === 'string' && /^\d{5}$/.test(p.commune_code))) {
    throw errors.invalidField(`${at}.properties.commune_code`, 'must be a five-digit commune code')
  }
  if (p.name === undefined) throw errors.missingField(`${at}.properties.name`)
  if (typeof p.name !== 'string' || p.name.trim() === '' || p.name.length > 200) throw errors.invalidField(`${at}.properties.name`, 'must be a non-empty string of at most 200 characters')
  if (p.risk_level === undefined) throw errors.missingField(`${at}.properties.risk_level`)
  if (![1, 2, 3].includes(p.risk_level as number)) throw errors.invalidField(`${at}.properties.risk_level`, 'must be 1, 2 or 3')
  for (const field of AT_RISK_FIELDS) {
    const value = p[field]
    if (value === undefined || value === null) continue
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 10_000_000) {
      throw errors.invalidField(`${at}.properties.${field}`, 'must be a whole number ≥ 0')
    }
  }
  return {
    geometry, commune_code: (p.commune_code as string | undefined) ?? null, name: (p.name as string).trim(), risk_level: p.risk_level as number,
    given: Object.fromEntries(AT_RISK_FIELDS.map(f => [f, p[f] as number | null | undefined])) as Partial<Record<AtRiskField, number | null>>
  }
}
