import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream'
import { parse, type CsvError, type InfoRecord, type Options } from 'csv-parse'
import { errors } from '../errors.ts'
import type { Sql } from '../db/connection.ts'
import { storedCellOf, bigintToH3 } from '../h3/cells.ts'
import { areaAndWindowQuery, errorResponses } from '../http/schemas.ts'
import { parseIncidentFilter } from '../incidents/routes.ts'
import { assertAreaVisible, scopeCoversPlace } from '../auth/area-scope.ts'
import { roleMay, scopeOf, type SessionUser } from '../auth/roles.ts'
import { recordAudit } from '../audit/record.ts'
import type { IncidentSnapshot } from '../events/bus.ts'
import type { IncidentFilter } from '../incidents/repository.ts'
import { csvField, EXPORT_EXTRA_COLUMNS, IMPORT_COLUMNS, rowFromCsv, rowFromFeature, RowRejected, type ImportRow } from './validate.ts'

/** Largest import body. */
export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024
/** Rows per insert statement. */
export const IMPORT_BATCH_SIZE = 2_000
/** At most this many incident.created events are published per import (the feed is not a bulk channel). */
export const IMPORT_EVENT_CAP = 1_000
const EXPORT_CURSOR_ROWS = 5_000

type Mode = 'valid_only' | 'all_or_nothing'
interface RejectedRow { line?: number, feature?: number, field: string, reason: string, message: string }

/** Thrown inside the transaction to roll back an all_or_nothing import. */
class ImportRejected extends Error {}

/** Yields the body's chunks, failing once it grows past the limit (custom parsers skip bodyLimit). */
async function * limited (chunks: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let size = 0
  for await (const chunk of chunks) {
    size += chunk.length
    if (size > limit) throw errors.bodyTooLarge(limit)
    yield chunk
  }
}

/** Collects rows into batches and stores each with its commune, in the caller's transaction. */
class Batcher {
  private batch: { key: RejectedRow, row: ImportRow }[] = []
  stored = 0
  readonly snapshots: IncidentSnapshot[] = []
  constructor (private tx: Sql, private user: SessionUser, private rejected: RejectedRow[]) {}

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
        this.rejected.push({ ...key, field: 'lon,lat', reason: 'outside_communes', message: `lon,lat: the point (${row.lon}, ${row.lat}) lies in no loaded Vietnamese commune` })
      } else if (!scopeCoversPlace(this.user, place)) {
        this.rejected.push({ ...key, field: 'lon,lat', reason: 'forbidden', message: `lon,lat: the point lies in commune ${place.commune_code}, outside your jurisdiction` })
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

/** Streams a CSV body through csv-parse, validating and batching each record. Returns rows received. */
async function importCsv (body: Readable, batcher: Batcher, rejected: RejectedRow[]): Promise<number> {
  const chunks = limited(body as AsyncIterable<Buffer>, IMPORT_BODY_LIMIT)
  // The delimiter is read from the header line: a semicolon header has no comma.
  let head = Buffer.alloc(0)
  while (!head.includes(10)) {
    const next = await chunks.next()
    if (next.done) break
    head = Buffer.concat([head, next.value])
  }
  const firstLine = head.toString('utf8').split(/\r?\n/, 1)[0]!.replace(/^\uFEFF/, '')
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
      rejected.push({ line, field: 'row', reason: 'invalid_row', message: `row: ${error?.message ?? 'cannot be read'}` })
      return undefined
    }
  } as unknown as Options)
  const source = Readable.from((async function * () { if (head.length) yield head; yield * chunks })())
  let streamError: unknown = null
  pipeline(source, parser, (error) => { if (error) streamError = error })
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
        if (!ok) throw errors.invalidField('header', `the first line must be exactly ${IMPORT_COLUMNS.join(',')} (optionally followed by ${EXPORT_EXTRA_COLUMNS.join(',')}); got "${names.join(',')}"`)
        continue
      }
      received++
      try {
        await batcher.add({ line, field: '', reason: '', message: '' }, rowFromCsv(record))
      } catch (error) {
        if (!(error instanceof RowRejected)) throw error
        rejected.push({ line, ...error.rejection })
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

/** Reads a GeoJSON FeatureCollection (held in memory, up to the body limit) and batches its features. */
async function importGeoJson (body: Readable, batcher: Batcher, rejected: RejectedRow[]): Promise<number> {
  const parts: Buffer[] = []
  for await (const chunk of limited(body as AsyncIterable<Buffer>, IMPORT_BODY_LIMIT)) parts.push(chunk)
  let collection: { type?: unknown, features?: unknown }
  try {
    collection = JSON.parse(Buffer.concat(parts).toString('utf8').replace(/^\uFEFF/, ''))
  } catch (error) {
    throw errors.invalidJson((error as Error).message)
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
      rejected.push({ feature: i, ...error.rejection })
    }
  }
  return features.length
}

const RejectedList = {
  type: 'array',
  items: { type: 'object', properties: { line: { type: 'integer' }, feature: { type: 'integer' }, field: { type: 'string' }, reason: { type: 'string' }, message: { type: 'string' } } }
} as const

const sortKey = (r: RejectedRow) => r.line ?? r.feature ?? 0

interface ExportQuery { province?: string, commune?: string, bbox?: string, from?: string, to?: string, category?: string }

/** Streams the filtered incidents through a cursor in the user's scoped transaction. */
async function streamExport (
  request: FastifyRequest<{ Querystring: ExportQuery }>, reply: FastifyReply, app: FastifyInstance,
  format: 'csv' | 'geojson'
) {
  const filter: IncidentFilter = parseIncidentFilter(request.query)
  await assertAreaVisible(app, request.user!, filter.area)
  const stamp = new Date().toISOString().slice(0, 10)
  reply.hijack()
  const res = reply.raw
  res.writeHead(200, {
    'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/geo+json; charset=utf-8',
    'content-disposition': `attachment; filename="incidents-${stamp}.${format === 'csv' ? 'csv' : 'geojson'}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff'
  })
  const write = (text: string) => res.write(text) ? Promise.resolve() : new Promise<void>(resolve => res.once('drain', resolve))
  let first = true
  try {
    await write(format === 'csv' ? [...IMPORT_COLUMNS, ...EXPORT_EXTRA_COLUMNS].join(',') + '\r\n' : '{"type":"FeatureCollection","features":[\n')
    await request.scoped(async tx => {
      const area = filter.area
      await tx<{ id: bigint, lon: number, lat: number, category: string, severity: number, occurred_at: Date, description: string, status: string, commune_code: string, province_code: string, h3: bigint }[]>`
        select i.id, st_x(i.geom) as lon, st_y(i.geom) as lat, i.category, i.severity, i.occurred_at, i.description,
               i.status, i.commune_code, i.province_code, i.h3
        from incidents i
        where true
          ${area.kind === 'province' ? tx`and i.province_code = ${area.code}` : tx``}
          ${area.kind === 'commune' ? tx`and i.commune_code = ${area.code}` : tx``}
          ${area.kind === 'bbox' ? tx`and i.geom && st_makeenvelope(${area.bbox[0]}, ${area.bbox[1]}, ${area.bbox[2]}, ${area.bbox[3]}, 4326)` : tx``}
          ${filter.from ? tx`and i.occurred_at >= ${filter.from}` : tx``}
          ${filter.to ? tx`and i.occurred_at < ${filter.to}` : tx``}
          ${filter.categories ? tx`and i.category in ${tx(filter.categories)}` : tx``}
        order by i.occurred_at, i.id`.cursor(EXPORT_CURSOR_ROWS, async rows => {
        let text = ''
        for (const r of rows) {
          if (format === 'csv') {
            text += [r.lon, r.lat, r.category, r.severity, r.occurred_at.toISOString(), r.description, String(r.id), r.status,
              r.commune_code, r.province_code, bigintToH3(r.h3)].map(v => csvField(v)).join(',') + '\r\n'
          } else {
            text += (first ? '' : ',\n') + JSON.stringify({
              type: 'Feature',
              geometry: { type: 'Point', coordinates: [r.lon, r.lat] },
              properties: {
                category: r.category, severity: r.severity, occurred_at: r.occurred_at.toISOString(), description: r.description,
                id: Number(r.id), status: r.status, commune_code: r.commune_code, province_code: r.province_code, h3: bigintToH3(r.h3)
              }
            })
            first = false
          }
        }
        await write(text)
      })
    })
    if (format === 'geojson') await write('\n]}\n')
    res.end()
  } catch (error) {
    // The status line is gone: cut the body short so the client sees a broken download, not a short file.
    request.log.error({ err: error }, 'export failed')
    res.destroy(error as Error)
  }
}

/**
 * Bulk import (CSV or GeoJSON) and streamed export (CSV or GeoJSON) of incidents. Registered without
 * fastify-plugin, so its content-type parsers (raw streams) stay inside this plugin.
 */
/** Progress of an import that named a job id, for a client polling while its upload runs. */
interface ImportJob {
  user_id: string
  state: 'running' | 'committed' | 'rolled_back' | 'failed'
  started_at: string
  finished_at: string | null
  progress: () => { staged: number, rejected: number }
  final: { stored: number, rejected: number } | null
}
/** How long a finished job's figures stay available. */
const JOB_RETENTION_MS = 60 * 60_000

export default async function transferRoutes (app: FastifyInstance) {
  const jobs = new Map<string, ImportJob>()
  const pruneJobs = () => {
    const cutoff = Date.now() - JOB_RETENTION_MS
    for (const [id, job] of jobs) if (job.finished_at && Date.parse(job.finished_at) < cutoff) jobs.delete(id)
  }

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
          job: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$', description: 'a client-chosen id; GET /api/incidents/import/jobs/:job reports progress while the import runs' }
        }
      },
      response: {
        200: {
          type: 'object',
          properties: {
            mode: { type: 'string' }, received: { type: 'integer' }, stored: { type: 'integer' },
            events_published: { type: 'integer' },
            rejected: RejectedList
          }
        },
        ...errorResponses,
        400: {
          type: 'object',
          properties: { error: { type: 'string' }, message: { type: 'string' }, field: { type: ['string', 'null'] }, rejected: RejectedList }
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
    const scope = scopeOf(user)
    const rejected: RejectedRow[] = []
    let result: { received: number, stored: number, snapshots: IncidentSnapshot[] }
    const jobId = request.query.job
    if (jobId && jobs.has(jobId)) throw errors.invalidField('job', `job ${jobId} already exists: choose a new id`)
    pruneJobs()
    let staged = () => 0
    const job: ImportJob | null = jobId
      ? { user_id: user.id, state: 'running', started_at: new Date().toISOString(), finished_at: null, progress: () => ({ staged: staged(), rejected: rejected.length }), final: null }
      : null
    if (jobId && job) jobs.set(jobId, job)
    const finish = (state: ImportJob['state'], final: ImportJob['final']) => {
      if (!job) return
      job.state = state
      job.finished_at = new Date().toISOString()
      job.final = final
    }
    try {
      result = await request.scoped(async tx => {
        const batcher = new Batcher(tx, user, rejected)
        staged = () => batcher.stored
        const received = type === 'text/csv' ? await importCsv(body, batcher, rejected) : await importGeoJson(body, batcher, rejected)
        await batcher.flush()
        if (mode === 'all_or_nothing' && rejected.length > 0) throw new ImportRejected()
        await recordAudit(tx, request, user, {
          action: 'incident.import', entity: 'incident', entity_id: null,
          province_code: scope.kind === 'province' ? scope.province : scope.kind === 'commune' ? (scope.province ?? null) : null,
          commune_code: scope.kind === 'commune' ? scope.commune : null,
          before: null, after: { stored: batcher.stored, rejected: rejected.length, format: type === 'text/csv' ? 'csv' : 'geojson', mode }
        })
        return { received, stored: batcher.stored, snapshots: batcher.snapshots }
      })
    } catch (error) {
      finish(error instanceof ImportRejected ? 'rolled_back' : 'failed', { stored: 0, rejected: rejected.length })
      if (!(error instanceof ImportRejected)) {
        // Drain what is left of the body so the connection stays usable.
        if (!body.readableEnded) body.resume()
        throw error
      }
      rejected.sort((a, b) => sortKey(a) - sortKey(b))
      return reply.status(400).send({
        error: 'import_rejected',
        message: `${rejected.length} row(s) rejected; nothing was stored (mode all_or_nothing)`,
        field: null,
        rejected
      })
    }
    finish('committed', { stored: result.stored, rejected: rejected.length })
    // Published after the commit, so the feed never shows what was rolled back.
    for (const snapshot of result.snapshots) app.incidentEvents.publish('incident.created', snapshot)
    rejected.sort((a, b) => sortKey(a) - sortKey(b))
    return { mode, received: result.received, stored: result.stored, events_published: result.snapshots.length, rejected }
  })

  app.get<{ Params: { job: string } }>('/api/incidents/import/jobs/:job', {
    schema: {
      params: { type: 'object', properties: { job: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' } } },
      response: {
        200: {
          type: 'object',
          properties: {
            job: { type: 'string' }, state: { type: 'string', enum: ['running', 'committed', 'rolled_back', 'failed'] },
            started_at: { type: 'string' }, finished_at: { type: ['string', 'null'] },
            staged: { type: 'integer', description: 'rows written so far in the import transaction (not visible to others until it commits)' },
            rejected: { type: 'integer' }, stored: { type: ['integer', 'null'], description: 'rows committed, once finished' }
          }
        },
        ...errorResponses
      }
    }
  }, async (request) => {
    const job = jobs.get(request.params.job)
    // Another user's job is as invisible as one that does not exist.
    if (!job || job.user_id !== request.user!.id) throw errors.notFound(`import job ${request.params.job}`)
    const now = job.final ? { staged: job.final.stored, rejected: job.final.rejected } : job.progress()
    return { job: request.params.job, state: job.state, started_at: job.started_at, finished_at: job.finished_at, staged: now.staged, rejected: now.rejected, stored: job.final?.stored ?? null }
  })

  const exportSchema = {
    querystring: { type: 'object', additionalProperties: false, properties: { ...areaAndWindowQuery } },
    response: { ...errorResponses }
  }
  app.get<{ Querystring: ExportQuery }>('/api/incidents/export.csv', { schema: exportSchema }, async (request, reply) => {
    await streamExport(request, reply, app, 'csv')
  })
  app.get<{ Querystring: ExportQuery }>('/api/incidents/export.geojson', { schema: exportSchema }, async (request, reply) => {
    await streamExport(request, reply, app, 'geojson')
  })
}

