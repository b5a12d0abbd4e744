import { CAPABILITIES, ROLES } from '../domain/roles.ts'

/** The contract of /api/auth/*: written once; handler types are derived from it (json-schema-to-ts). */

/** Devices (bearer sign-ins) send their device token back in this header. */
export const DEVICE_HEADER = 'x-device-token'

const nullableText = { type: ['string', 'null'] } as const

export const Jurisdiction = {
  type: 'object', additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['national', 'province', 'commune'] }, code: nullableText, name: { type: 'string' }, name_en: { type: 'string' },
    province_code: nullableText, bbox: { type: ['array', 'null'], items: { type: 'number' }, description: 'minLon, minLat, maxLon, maxLat' }
  },
  required: ['kind', 'code', 'name', 'name_en', 'province_code', 'bbox']
} as const

export const UserProfile = {
  type: 'object', additionalProperties: false,
  properties: {
    id: { type: 'string' }, username: { type: 'string' }, full_name: { type: 'string' }, role: { type: 'string', description: `one of ${ROLES.join(', ')} (clients treat others as having no capability)` },
    province_code: nullableText, commune_code: nullableText, team_id: nullableText,
    capabilities: { type: 'array', items: { type: 'string' }, description: `what the role may do: ${CAPABILITIES.join(', ')} (clients ignore ones they do not know)` },
    jurisdiction: Jurisdiction
  },
  required: ['id', 'username', 'full_name', 'role', 'province_code', 'commune_code', 'team_id', 'capabilities', 'jurisdiction']
} as const

export const LoginBody = {
  type: 'object', additionalProperties: false, required: ['username', 'password'],
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 100 },
    password: { type: 'string', minLength: 1, maxLength: 1000 },
    kind: { type: 'string', enum: ['cookie', 'bearer'], default: 'cookie', description: 'bearer: return a device token instead of setting a cookie' }
  }
} as const

export const LoginHeaders = {
  type: 'object',
  properties: { [DEVICE_HEADER]: { type: 'string', description: 'device token from an earlier bearer sign-in to this account (browsers send the vnpm_device cookie instead)' } }
} as const

export const LoginResult = {
  type: 'object', additionalProperties: false,
  properties: {
    user: UserProfile,
    token: { type: 'string', description: 'bearer only: send it as Authorization: Bearer <token>' },
    device_token: { type: 'string', description: 'bearer only: send it as X-Device-Token on later sign-ins, so a stranger\'s failures do not slow this device' }
  },
  required: ['user']
} as const

export const Me = {
  type: 'object', additionalProperties: false, properties: { user: UserProfile }, required: ['user']
} as const

export const PasswordBody = {
  type: 'object', additionalProperties: false, required: ['current_password', 'new_password'],
  properties: { current_password: { type: 'string', maxLength: 1000 }, new_password: { type: 'string', maxLength: 1000 } }
} as const

export const NoContent = { type: 'null' } as const
