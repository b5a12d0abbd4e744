/**
 * The signed-in user as `/api/auth/me` and `/api/auth/login` describe it, and pure helpers on
 * it: what the user may do (`can`), and which area the map asks the API about.
 * The server enforces every rule; the page only leaves out what the user cannot use.
 */

import type { Json } from '../api/types.ts'
import { CAPABILITIES, ROLES, type Capability, type Role } from '../api/vocabulary.ts'

export { CAPABILITIES, ROLES, type Capability, type Role }

/** The signed-in user of GET /api/auth/me and POST /api/auth/login (the generated contract). */
export type User = Json<'/api/auth/me', 'get'>['user']
export type Jurisdiction = User['jurisdiction']
export type JurisdictionKind = Jurisdiction['kind']

type BBox = [number, number, number, number]

/** A bbox of the API (`[minLon, minLat, maxLon, maxLat]`, or null) as a four-number tuple. */
function toBBox (bbox: readonly number[] | null | undefined): BBox | undefined {
  return bbox && bbox.length === 4 ? [bbox[0], bbox[1], bbox[2], bbox[3]] : undefined
}

export function isRole (value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

/** Whether the user holds a capability. No user, no capability. */
export function can (user: User | null | undefined, capability: Capability): boolean {
  return !!user && Array.isArray(user.capabilities) && user.capabilities.includes(capability)
}

/** The capabilities this page knows, in a stable order (unknown ones are left out). */
export function knownCapabilities (user: User | null | undefined): Capability[] {
  return user ? CAPABILITIES.filter(c => user.capabilities.includes(c)) : []
}

/** A commune-wide user (commune police, team member, a commune's coordinator). */
export function isCommuneScoped (user: User | null | undefined): boolean {
  return user?.jurisdiction.kind === 'commune' && !!user.jurisdiction.code
}

/** Province of the user's jurisdiction, if it is a province or a commune. */
export function jurisdictionProvince (user: User | null | undefined): string | undefined {
  if (!user) return undefined
  const j = user.jurisdiction
  if (j.kind === 'national') return undefined
  return j.province_code ?? (j.kind === 'province' ? j.code ?? undefined : undefined) ?? user.province_code ?? undefined
}

/**
 * The area of the user's hex and incident queries within a province: a commune user asks for
 * their commune (exact and small counts; the database would filter to it anyway), everyone else
 * for the chosen province.
 */
export function queryArea (user: User | null | undefined, provinceCode: string): { province: string } | { commune: string } {
  if (user && isCommuneScoped(user) && (jurisdictionProvince(user) ?? provinceCode) === provinceCode) {
    return { commune: user.jurisdiction.code! }
  }
  return { province: provinceCode }
}

/**
 * What the map should fit: the commune of a commune user (their jurisdiction's bbox), otherwise
 * the chosen province's extent (a province user's jurisdiction is that province).
 */
export function fitBBox (
  user: User | null | undefined,
  provinceCode: string | undefined,
  provinceBBox: readonly number[] | null | undefined
): BBox | undefined {
  if (user && isCommuneScoped(user) && user.jurisdiction.bbox && provinceCode !== undefined &&
    (jurisdictionProvince(user) ?? provinceCode) === provinceCode) {
    return toBBox(user.jurisdiction.bbox)
  }
  return toBBox(provinceBBox) ?? (user?.jurisdiction.kind === 'province' ? toBBox(user.jurisdiction.bbox) : undefined)
}

/** Commune to highlight on the map (a commune user's own), if any. */
export function highlightedCommune (user: User | null | undefined): string | undefined {
  return isCommuneScoped(user) ? user!.jurisdiction.code! : undefined
}
