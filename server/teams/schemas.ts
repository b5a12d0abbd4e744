import { communeCode, provinceCode } from '../http/schemas.ts'

/** The contract of /api/teams: written once; handler types are derived from it (json-schema-to-ts). */
export const TeamsQuery = {
  type: 'object', additionalProperties: false, properties: { province: provinceCode, commune: communeCode }
} as const

export const Team = {
  type: 'object', additionalProperties: false,
  properties: {
    id: { type: 'string' }, name: { type: 'string' }, commune_code: { type: 'string' }, province_code: { type: 'string' },
    members: { type: 'integer' }, is_generated: { type: 'boolean' }
  },
  required: ['id', 'name', 'commune_code', 'province_code', 'members', 'is_generated']
} as const

export const TeamList = {
  type: 'object', additionalProperties: false, properties: { teams: { type: 'array', items: Team } }, required: ['teams']
} as const
