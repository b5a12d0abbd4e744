/**
 * The signed-in user as `/api/auth/me` and `/api/auth/login` describe it, and pure helpers on
 * it: what the user may do (`can`), and which area the map asks the API about.
 * The server enforces every rule; the page only leaves out what the user cannot use.
 */

export const CAPABILITIES = ['incidents:read', 'incidents:write', 'patrols:write', 'evacuation:write', 'audit:read', 'users:manage'] as const
export type Capability = typeof CAPABILITIES[number]

export const ROLES = ['admin', 'province_command', 'commune_police', 'team_member', 'disaster_coordinator'] as const
export type Role = typeof ROLES[number]

export type JurisdictionKind = 'national' | 'province' | 'commune'

export interface Jurisdiction {
  kind: JurisdictionKind
  /** Province or commune code; null for national. */
  code: string | null
  name: string
  name_en: string
  /** [minLon, minLat, maxLon, maxLat]; null when unknown (or national). */
  bbox: [number, number, number, number] | null
  /** The province of a commune jurisdiction, or the province itself; null for national. */
  province_code: string | null
}

export interface User {
  id: number | string
  username: string
  full_name: string
  /** One of ROLES; a newer server may send a role this page does not know yet. */
  role: Role | string
  province_code: string | null
  commune_code: string | null
  team_id: number | string | null
  capabilities: string[]
  jurisdiction: Jurisdiction
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
  provinceBBox: [number, number, number, number] | null | undefined
): [number, number, number, number] | undefined {
  if (user && isCommuneScoped(user) && user.jurisdiction.bbox && provinceCode !== undefined &&
    (jurisdictionProvince(user) ?? provinceCode) === provinceCode) {
    return user.jurisdiction.bbox
  }
  return provinceBBox ?? (user?.jurisdiction.kind === 'province' ? user.jurisdiction.bbox ?? undefined : undefined)
}

/** Commune to highlight on the map (a commune user's own), if any. */
export function highlightedCommune (user: User | null | undefined): string | undefined {
  return isCommuneScoped(user) ? user!.jurisdiction.code! : undefined
}
