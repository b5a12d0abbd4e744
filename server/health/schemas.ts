/** The contract of /api/health (json-schema-to-ts). */
export const Health = {
  type: 'object', additionalProperties: false,
  properties: { status: { type: 'string', enum: ['ok'] }, postgis: { type: 'string' }, database: { type: 'string', enum: ['embedded', 'server'] } },
  required: ['status', 'postgis', 'database']
} as const
