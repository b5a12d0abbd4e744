/** Roles, what each may do, and the jurisdiction it covers. Mirrors app_role_may() in SQL (migration 0005). */
export const ROLES = ['admin', 'province_command', 'commune_police', 'team_member', 'disaster_coordinator'] as const
export type Role = typeof ROLES[number]

export const CAPABILITIES = ['incidents:read', 'incidents:write', 'patrols:write', 'evacuation:write', 'audit:read', 'users:manage'] as const
export type Capability = typeof CAPABILITIES[number]

const capabilitiesByRole: Record<Role, Capability[]> = {
  admin: ['incidents:read', 'incidents:write', 'patrols:write', 'evacuation:write', 'audit:read', 'users:manage'],
  province_command: ['incidents:read', 'incidents:write', 'patrols:write', 'evacuation:write', 'audit:read'],
  commune_police: ['incidents:read', 'incidents:write', 'patrols:write'],
  team_member: ['incidents:read', 'incidents:write', 'patrols:write'],
  disaster_coordinator: ['incidents:read', 'evacuation:write']
}

export function capabilitiesOf (role: Role): Capability[] {
  return capabilitiesByRole[role]
}

export function roleMay (role: Role, capability: Capability): boolean {
  return capabilitiesByRole[role].includes(capability)
}

export interface SessionUser {
  id: string
  username: string
  full_name: string
  role: Role
  province_code: string | null
  commune_code: string | null
  team_id: string | null
}

export type Scope =
  | { kind: 'national' }
  | { kind: 'province', province: string }
  | { kind: 'commune', commune: string, province: string | null }

/** The jurisdiction a user's queries are limited to. */
export function scopeOf (user: SessionUser): Scope {
  switch (user.role) {
    case 'admin': return { kind: 'national' }
    case 'province_command': return { kind: 'province', province: user.province_code! }
    case 'commune_police':
    case 'team_member': return { kind: 'commune', commune: user.commune_code!, province: user.province_code }
    case 'disaster_coordinator':
      return user.commune_code ? { kind: 'commune', commune: user.commune_code, province: user.province_code } : { kind: 'province', province: user.province_code! }
  }
}
