import { areaAndWindowQuery, ErrorResponse, errorResponses } from '../http/schemas.ts'
import { REJECTION_LIST_CAP } from './rejections.ts'

/** The contract of the import and export of incidents: written once; handler types are derived from it (json-schema-to-ts). */

/** A client-chosen import job id (private to the user). */
export const JOB_ID = '^[A-Za-z0-9_-]{8,64}$'

export const ImportQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    mode: { type: 'string', enum: ['valid_only', 'all_or_nothing'], default: 'valid_only' },
    job: { type: 'string', pattern: JOB_ID, description: 'a client-chosen id, private to the user; GET /api/incidents/import/jobs/:job reports progress while the import runs' }
  }
} as const

const RejectedRow = {
  type: 'object', additionalProperties: false,
  properties: { line: { type: 'integer' }, feature: { type: 'integer' }, field: { type: 'string' }, reason: { type: 'string' }, message: { type: 'string' } },
  // A CSV row has its line, a GeoJSON feature its index.
  required: ['field', 'reason', 'message']
} as const

/** The properties of a RejectionSummary (spread into an answer's properties). */
const rejectionSummary = {
  rejected: {
    type: 'array',
    description: `the first ${REJECTION_LIST_CAP} rejected rows, by line (CSV, header = 1) or feature index (GeoJSON); see rejected_count for all`,
    items: RejectedRow
  },
  rejected_count: { type: 'integer', description: 'every rejected row, listed or not' },
  rejections_truncated: { type: 'boolean', description: `true when more than ${REJECTION_LIST_CAP} rows were rejected and the list stops there` },
  rejected_by_reason: { type: 'object', additionalProperties: { type: 'integer' }, description: 'rejected rows counted by reason (invalid_field, missing_field, invalid_row, outside_communes, forbidden, time_in_future, …)' }
} as const
const rejectionSummaryRequired = ['rejected', 'rejected_count', 'rejections_truncated', 'rejected_by_reason'] as const

export const ImportAnswer = {
  type: 'object', additionalProperties: false,
  properties: {
    mode: { type: 'string', enum: ['valid_only', 'all_or_nothing'] }, received: { type: 'integer' }, stored: { type: 'integer' },
    events_published: { type: 'integer' },
    ...rejectionSummary
  },
  required: ['mode', 'received', 'stored', 'events_published', ...rejectionSummaryRequired]
} as const

/** 400: a request error, or an all_or_nothing import rolled back (error import_rejected) with its rejections. */
export const ImportRefused = {
  type: 'object', additionalProperties: false,
  properties: { ...ErrorResponse.properties, ...rejectionSummary },
  required: ErrorResponse.required
} as const

export const importResponses = {
  200: ImportAnswer,
  ...errorResponses,
  408: { ...ErrorResponse, description: 'no byte of the body arrived for BODY_IDLE_TIMEOUT_MS (field body); the connection closes' },
  400: ImportRefused
} as const

export const ImportJobParams = {
  type: 'object', additionalProperties: false, properties: { job: { type: 'string', pattern: JOB_ID } }, required: ['job']
} as const

export const ImportJobStatus = {
  type: 'object', additionalProperties: false,
  properties: {
    job: { type: 'string' }, state: { type: 'string', enum: ['running', 'committed', 'rolled_back', 'failed'] },
    started_at: { type: 'string' }, finished_at: { type: ['string', 'null'] },
    staged: { type: 'integer', description: 'rows written so far in the import transaction (not visible to others until it commits)' },
    rejected: { type: 'integer', description: 'rows rejected so far (all of them, listed or not)' },
    stored: { type: ['integer', 'null'], description: 'rows committed, once finished' }
  },
  required: ['job', 'state', 'started_at', 'finished_at', 'staged', 'rejected', 'stored']
} as const

export const ExportQuery = {
  type: 'object', additionalProperties: false, properties: { ...areaAndWindowQuery }
} as const
