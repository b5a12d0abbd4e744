import type { FastifyInstance, FastifyRequest } from 'fastify'
import { createReadStream } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import { pipeline, type Readable } from 'node:stream'
import { parse, type CsvError, type InfoRecord, type Options } from 'csv-parse'
import { errors } from '../errors.ts'
import type { Sql } from '../db/connection.ts'
import { storedCellOf } from '../h3/cells.ts'
import { areaAndWindowQuery, errorResponses } from '../http/schemas.ts'
import { scopeCoversPlace } from '../auth/area-scope.ts'
import { roleMay, scopeOf, type SessionUser } from '../auth/roles.ts'
import { recordAudit } from '../audit/record.ts'
import type { IncidentSnapshot } from '../events/bus.ts'
import { EXPORT_EXTRA_COLUMNS, IMPORT_COLUMNS, rowFromCsv, rowFromFeature, RowRejected, type ImportRow } from './validate.ts'
import { Rejections, rejectionSummarySchema, type RejectedRow } from './rejections.ts'
import { spoolBody, type SpooledBody } from './spool.ts'
import { streamExport, type ExportQuery } from './export.ts'

/** Largest import body. */
export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024
/** Rows per insert statement. */
export const IMPORT_BATCH_SIZE = 2_000
/** At most this many incident.created events are published per import (the feed is not a bulk channel). */
export const IMPORT_EVENT_CAP = 1_000
/** Longest CSV header line (the delimiter is read from it); the real one is about 110 bytes. */
export const HEADER_LINE_MAX_BYTES = 1_024

type Mode = 'valid_only' | 'all_or_nothing'

/** Thrown inside the transaction to roll back an all_or_nothing import. */
class ImportRejected extends Error {}

/** Collects rows into batches and stores each with its commune, in the caller's transaction. */
class Batcher {
  private batch: { key: RejectedRow, row: ImportRow }[] = []
  stored = 0
  readonly snapshots: IncidentSnapshot[] = []
  constructor (private tx: Sql, private user: SessionUser, private rejections: Rejections) {}

  async add (key: RejectedRow, row: ImportRow) {
    this.batch.push({ key, row })
    if (this.batch.length >= IMPORT_BATCH_SIZE) await this.flush()
  }

  async flush () {
    const batch = this.batch
    this.batch = []
    if (batch.length === 0) return
    const tx = this.tx
    // Point-in-polygon for the whole batch, like geography.locate for one point.
    const places = await tx<{ n: number, commune_code: string, province_code: string }[]>`
      select u.n, c.commune_code, c.province_code
      from unnest(${batch.map(b => b.row.lon)}::float8[], ${batch.map(b => b.row.lat)}::float8[]) with ordinality as u (lon, lat, n)
      cross join lateral (
        select p.commune_code, p.province_code from commune_parts p
        where st_intersects(p.geom, st_setsrid(st_makepoint(u.lon, u.lat), 4326))
        limit 1
      ) c`
    const placeOf = new Map(places.map(p => [Number(p.n) - 1, p]))
    const keep: { row: ImportRow, place: { commune_code: string, province_code: string } }[] = []
    batch.forEach(({ key, row }, i) => {
      const place = placeOf.get(i)
      if (!place) {
        this.rejections.add({ ...key, field: 'lon,lat', reason: 'outside_communes', message: `lon,lat: the point (${row.lon}, ${row.lat}) lies in no loaded Vietnamese commune` })
      } else if (!scopeCoversPlace(this.user, place)) {
        this.rejections.add({ ...key, field: 'lon,lat', reason: 'forbidden', message: `lon,lat: the point lies in commune ${place.commune_code}, outside your jurisdiction` })
      } else {
        keep.push({ row, place })
      }
    })
    if (keep.length === 0) return
    const rows = await tx<IncidentSnapshot[]>`
      with ins as (
        insert into incidents (province_code, commune_code, category, severity, status, occurred_at,
                               reported_at, description, geom, h3, is_generated)
        select u.province_code, u.commune_code, u.category, u.severity, 'reported', u.occurred_at,
               now(), u.description, st_setsrid(st_makepoint(u.lon, u.lat), 4326), u.h3, false
        from unnest(
          ${keep.map(k => k.row.lon)}::float8[], ${keep.map(k => k.row.lat)}::float8[],
          ${keep.map(k => k.row.category)}::text[], ${keep.map(k => k.row.severity)}::int2[],
          ${keep.map(k => k.row.occurred_at.toISOString())}::timestamptz[], ${keep.map(k => k.row.description)}::text[],
          ${keep.map(k => String(storedCellOf(k.row.lon, k.row.lat)))}::bigint[],
          ${keep.map(k => k.place.province_code)}::text[], ${keep.map(k => k.place.commune_code)}::text[]
        ) as u (lon, lat, category, severity, occurred_at, description, h3, province_code, commune_code)
        returning id, category, severity, status, occurred_at, st_x(geom) as lon, st_y(geom) as lat, commune_code, province_code
      ), events as (
        insert into incident_events (incident_id, province_code, commune_code, user_id, username, from_status, to_status, team_id, note)
        select ins.id, ins.province_code, ins.commune_code, ${this.user.id}, ${this.user.username}, null, 'reported', null, null from ins
      )
      select * from ins`
    this.stored += rows.length
    for (const row of rows) {
      if (this.snapshots.length >= IMPORT_EVENT_CAP) break
      this.snapshots.push({
        id: Number(row.id), category: row.category, severity: row.severity, status: row.status,
        occurred_at: new Date(row.occurred_at).toISOString(), lon: row.lon, lat: row.lat,
        commune_code: row.commune_code, province_code: row.province_code
      })
    }
  }
}

/**
 * Reads the CSV header line from the start of the spooled file: the delimiter is taken from it.
 * A first line longer than HEADER_LINE_MAX_BYTES is refused before anything is parsed.
 */
async function readHeaderLine (body: SpooledBody): Promise<string> {
  const handle = await open(body.file, 'r')
  let head: Buffer
  try {
    const buffer = Buffer.alloc(Math.min(body.size, HEADER_LINE_MAX_BYTES + 1))
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    head = buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
  const end = head.indexOf(10)
  if (end < 0 && head.length > HEADER_LINE_MAX_BYTES) {
    throw errors.invalidField('header', `the first line is longer than ${HEADER_LINE_MAX_BYTES} bytes: it must be ${IMPORT_COLUMNS.join(',')}`)
  }
  return head.subarray(0, end < 0 ? head.length : end).toString('utf8').replace(/\r$/, '').replace(/^\uFEFF/, '')
}

/** Streams the spooled CSV through csv-parse, validating and batching each record. Returns rows received. */
async function importCsv (body: SpooledBody, batcher: Batcher, rejections: Rejections): Promise<number> {
  const firstLine = await readHeaderLine(body)
  const delimiter = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ','
  // Line numbers are counted here from each record's raw text (csv-parse's own count takes a CRLF
  // inside a quoted value for two lines); both callbacks run in file order.
  let nextLine = 1
  let skipped = 0
  const breaks = (raw: string | undefined) => Math.max(1, (raw ?? '').match(/\r\n|\r|\n/g)?.length ?? 0)
  const parser = parse({
    delimiter, bom: true, relax_column_count: false, skip_records_with_error: true, raw: true,
    on_record: (value: string[] | { record: string[], raw?: string }, context: InfoRecord & { raw?: string }) => {
      const record = Array.isArray(value) ? value : value.record
      const raw = context.raw ?? (Array.isArray(value) ? undefined : value.raw)
      const line = nextLine
      nextLine += breaks(raw)
      return { record, line }
    },
    on_skip: (error: CsvError | undefined, raw: string | undefined): undefined => {
      const line = nextLine
      nextLine += breaks(raw)
      skipped++
      rejections.add({ line, field: 'row', reason: 'invalid_row', message: `row: ${error?.message ?? 'cannot be read'}` })
      return undefined
    }
  } as unknown as Options)
  let streamError: unknown = null
  pipeline(createReadStream(body.file), parser, (error) => { if (error) streamError = error })
  let received = 0
  let header = true
  try {
    for await (const { record, line } of parser as AsyncIterable<{ record: string[], line: number }>) {
      if (header) {
        header = false
        const names = record.map(name => name.trim())
        const extra = names.slice(IMPORT_COLUMNS.length)
        const ok = IMPORT_COLUMNS.every((name, i) => names[i] === name) &&
          extra.length <= EXPORT_EXTRA_COLUMNS.length && extra.every((name, i) => name === EXPORT_EXTRA_COLUMNS[i])
        if (!ok) throw errors.invalidField('header', `the first line must be exactly ${IMPORT_COLUMNS.join(',')} (optionally followed by ${EXPORT_EXTRA_COLUMNS.join(',')}); got "${names.join(',').slice(0, 200)}"`)
        continue
      }
      received++
      try {
        await batcher.add({ line, field: '', reason: '', message: '' }, rowFromCsv(record))
      } catch (error) {
        if (!(error instanceof RowRejected)) throw error
        rejections.add({ line, ...error.rejection })
      }
    }
  } catch (error) {
    if (streamError) throw streamError
    throw error
  }
  if (streamError) throw streamError
  if (header) throw errors.invalidField('header', `the file is empty: the first line must be ${IMPORT_COLUMNS.join(',')}`)
  return received + skipped
}

/** Reads a spooled GeoJSON FeatureCollection (whole, within the body limit) and batches its features. */
async function importGeoJson (body: SpooledBody, batcher: Batcher, rejections: Rejections): Promise<number> {
  let collection: { type?: unknown, features?: unknown }
  try {
    collection = JSON.parse((await readFile(body.file, 'utf8')).replace(/^\uFEFF/, ''))
  } catch (error) {
    throw errors.invalidJson((error as Error).message.slice(0, 200))
  }
  if (!collection || collection.type !== 'FeatureCollection' || !Array.isArray(collection.features)) {
    throw errors.invalidField('body', 'must be a GeoJSON FeatureCollection')
  }
  const features = collection.features as unknown[]
  for (let i = 0; i < features.length; i++) {
    try {
      await batcher.add({ feature: i, field: '', reason: '', message: '' }, rowFromFeature(features[i]))
    } catch (error) {
      if (!(error instanceof RowRejected)) throw error
      rejections.add({ feature: i, ...error.rejection })
    }
  }
  return features.length
}

/** Progress of an import that named a job id, for a client polling while its upload runs. */
interface ImportJob {
  state: 'running' | 'committed' | 'rolled_back' | 'failed'
  started_at: string
  finished_at: string | null
  progress: () => { staged: number, rejected: number }
  final: { stored: number, rejected: number } | null
}
/** How long a finished job's figures stay available. */
const JOB_RETENTION_MS = 60 * 60_000
/** Jobs kept per user; past it the oldest finished ones are forgotten first. */
const JOBS_PER_USER = 100
const JOB_ID = '^[A-Za-z0-9_-]{8,64}$'

/**
 * Import jobs, one namespace per user: a job id names a job of the user who chose it only, so no
 * one can read another user's progress or take an id another user means to use.
 */
class ImportJobs {
  private byUser = new Map<string, Map<string, ImportJob>>()

  get (userId: string, id: string): ImportJob | undefined {
    return this.byUser.get(userId)?.get(id)
  }

  has (userId: string, id: string): boolean {
    return this.byUser.get(userId)?.has(id) ?? false
  }

  /** Adds a job, forgetting finished jobs past the retention time or past the per-user count. */
  add (userId: string, id: string, job: ImportJob): boolean {
    const jobs = this.byUser.get(userId) ?? new Map<string, ImportJob>()
    this.byUser.set(userId, jobs)
    const cutoff = Date.now() - JOB_RETENTION_MS
    for (const [key, old] of jobs) if (old.finished_at && Date.parse(old.finished_at) < cutoff) jobs.delete(key)
    // A Map iterates in insertion order: the first finished job is the oldest one.
    for (const [key, old] of jobs) {
      if (jobs.size < JOBS_PER_USER) break
      if (old.finished_at) jobs.delete(key)
    }
    if (jobs.size >= JOBS_PER_USER) return false
    jobs.set(id, job)
    return true
  }
}

const ImportAnswer = {
  type: 'object',
  properties: {
    mode: { type: 'string' }, received: { type: 'integer' }, stored: { type: 'integer' },
    events_published: { type: 'integer' },
    ...rejectionSummarySchema
  }
} as const

/**
 * Bulk import (CSV or GeoJSON) and streamed export (CSV or GeoJSON) of incidents. Registered without
 * fastify-plugin, so its content-type parsers (raw streams) stay inside this plugin.
 * `idleTimeoutMs`: an upload that sends nothing, or an export reader that takes nothing, for this long is cut.
 */
export default async function transferRoutes (app: FastifyInstance, options: { idleTimeoutMs?: number }) {
  const idleMs = options.idleTimeoutMs ?? 30_000
  const jobs = new ImportJobs()

  const raw = (_request: FastifyRequest, payload: unknown, done: (error: Error | null, body?: unknown) => void) => { done(null, payload) }
  app.addContentTypeParser('text/csv', raw)
  app.addContentTypeParser('application/geo+json', raw)
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', raw)

  app.post<{ Querystring: { mode: Mode, job?: string } }>('/api/incidents/import', {
    bodyLimit: IMPORT_BODY_LIMIT,
    schema: {
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          mode: { type: 'string', enum: ['valid_only', 'all_or_nothing'], default: 'valid_only' },
          job: { type: 'string', pattern: JOB_ID, description: 'a client-chosen id, private to the user; GET /api/incidents/import/jobs/:job reports progress while the import runs' }
        }
      },
      response: {
        200: ImportAnswer,
        ...errorResponses,
        408: { ...errorResponses[400], description: 'no byte of the body arrived for BODY_IDLE_TIMEOUT_MS (field body); the connection closes' },
        400: {
          type: 'object',
          properties: { error: { type: 'string' }, message: { type: 'string' }, field: { type: ['string', 'null'] }, ...rejectionSummarySchema }
        }
      }
    }
  }, async (request, reply) => {
    const user = request.user!
    if (!roleMay(user.role, 'incidents:write')) throw errors.forbidden(null, `the role ${user.role} may not report incidents`)
    const mode = request.query.mode
    const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    const body = request.body as Readable | undefined
    if (!body || typeof (body as Readable).pipe !== 'function') throw errors.invalidField('body', 'is empty')
    const jobId = request.query.job
    if (jobId && jobs.has(user.id, jobId)) throw errors.invalidField('job', `job ${jobId} already exists: choose a new id`)
    const declared = Number(request.headers['content-length'])
    if (declared > IMPORT_BODY_LIMIT) {
      // Refused before reading; the unread body makes the connection unusable, so it closes.
      reply.header('connection', 'close')
      throw errors.bodyTooLarge(IMPORT_BODY_LIMIT)
    }
    const scope = scopeOf(user)
    const rejections = new Rejections()
    let staged = () => 0
    const job: ImportJob | null = jobId
      ? { state: 'running', started_at: new Date().toISOString(), finished_at: null, progress: () => ({ staged: staged(), rejected: rejections.count }), final: null }
      : null
    if (jobId && job && !jobs.add(user.id, jobId, job)) throw errors.invalidField('job', `you have ${JOBS_PER_USER} imports running: wait for one to finish`)
    const finish = (state: ImportJob['state'], final: ImportJob['final']) => {
      if (!job) return
      job.state = state
      job.finished_at = new Date().toISOString()
      job.final = final
    }

    // The whole body is read before the transaction opens: a stalled client holds no connection.
    let spooled: SpooledBody
    try {
      spooled = await spoolBody(body, { limit: IMPORT_BODY_LIMIT, idleMs })
    } catch (error) {
      finish('failed', { stored: 0, rejected: 0 })
      // The rest of the body was not read: the connection closes after the answer.
      reply.header('connection', 'close')
      throw error
    }
    let result: { received: number, stored: number, snapshots: IncidentSnapshot[] }
    try {
      result = await request.scoped(async tx => {
        const batcher = new Batcher(tx, user, rejections)
        staged = () => batcher.stored
        const received = type === 'text/csv' ? await importCsv(spooled, batcher, rejections) : await importGeoJson(spooled, batcher, rejections)
        await batcher.flush()
        if (mode === 'all_or_nothing' && rejections.count > 0) throw new ImportRejected()
        await recordAudit(tx, request, user, {
          action: 'incident.import', entity: 'incident', entity_id: null,
          province_code: scope.kind === 'province' ? scope.province : scope.kind === 'commune' ? (scope.province ?? null) : null,
          commune_code: scope.kind === 'commune' ? scope.commune : null,
          before: null, after: { stored: batcher.stored, rejected: rejections.count, format: type === 'text/csv' ? 'csv' : 'geojson', mode }
        })
        return { received, stored: batcher.stored, snapshots: batcher.snapshots }
      })
    } catch (error) {
      finish(error instanceof ImportRejected ? 'rolled_back' : 'failed', { stored: 0, rejected: rejections.count })
      if (!(error instanceof ImportRejected)) throw error
      return reply.status(400).send({
        error: 'import_rejected',
        message: `${rejections.count} row(s) rejected; nothing was stored (mode all_or_nothing)`,
        field: null,
        ...rejections.summary()
      })
    } finally {
      await spooled.remove()
    }
    finish('committed', { stored: result.stored, rejected: rejections.count })
    // Published after the commit, so the feed never shows what was rolled back.
    for (const snapshot of result.snapshots) app.incidentEvents.publish('incident.created', snapshot)
    return { mode, received: result.received, stored: result.stored, events_published: result.snapshots.length, ...rejections.summary() }
  })

  app.get<{ Params: { job: string } }>('/api/incidents/import/jobs/:job', {
    schema: {
      params: { type: 'object', properties: { job: { type: 'string', pattern: JOB_ID } } },
      response: {
        200: {
          type: 'object',
          properties: {
            job: { type: 'string' }, state: { type: 'string', enum: ['running', 'committed', 'rolled_back', 'failed'] },
            started_at: { type: 'string' }, finished_at: { type: ['string', 'null'] },
            staged: { type: 'integer', description: 'rows written so far in the import transaction (not visible to others until it commits)' },
            rejected: { type: 'integer', description: 'rows rejected so far (all of them, listed or not)' },
            stored: { type: ['integer', 'null'], description: 'rows committed, once finished' }
          }
        },
        ...errorResponses
      }
    }
  }, async (request) => {
    // Only the user's own jobs are looked up: another user's job of the same id does not exist here.
    const job = jobs.get(request.user!.id, request.params.job)
    if (!job) throw errors.notFound(`import job ${request.params.job}`)
    const now = job.final ? { staged: job.final.stored, rejected: job.final.rejected } : job.progress()
    return { job: request.params.job, state: job.state, started_at: job.started_at, finished_at: job.finished_at, staged: now.staged, rejected: now.rejected, stored: job.final?.stored ?? null }
  })

  const exportSchema = {
    querystring: { type: 'object', additionalProperties: false, properties: { ...areaAndWindowQuery } },
    response: { ...errorResponses }
  }
  app.get<{ Querystring: ExportQuery }>('/api/incidents/export.csv', { schema: exportSchema }, async (request, reply) => {
    await streamExport(request, reply, app, 'csv', idleMs)
  })
  app.get<{ Querystring: ExportQuery }>('/api/incidents/export.geojson', { schema: exportSchema }, async (request, reply) => {
    await streamExport(request, reply, app, 'geojson', idleMs)
  })
}
