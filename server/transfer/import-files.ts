import type { FastifyRequest } from 'fastify'
import { createReadStream } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import { pipeline } from 'node:stream'
import { parse, type CsvError, type InfoRecord, type Options } from 'csv-parse'
import { errors } from '../errors.ts'
import type { Sql } from '../db/connection.ts'
import type { SessionUser } from '../domain/roles.ts'
import { scopeCoversPlace } from '../auth/area-scope.ts'
import { incidentRepository, type IncidentRow, type NewIncident } from '../incidents/repository.ts'
import { reportIncidents } from '../incidents/service.ts'
import { EXPORT_EXTRA_COLUMNS, IMPORT_COLUMNS, rowFromCsv, rowFromFeature, RowRejected, type ImportRow } from './validate.ts'
import type { Rejections, RejectedRow } from './rejections.ts'
import type { SpooledBody } from './spool.ts'

/** Rows per insert statement. */
export const IMPORT_BATCH_SIZE = 2_000
/** At most this many incident.created events are published per import (the feed is not a bulk channel). */
export const IMPORT_EVENT_CAP = 1_000
/** Longest CSV header line (the delimiter is read from it); the real one is about 110 bytes. */
export const HEADER_LINE_MAX_BYTES = 1_024

/** Collects rows into batches and stores each with its commune, in the caller's transaction. */
export class Batcher {
  private batch: { key: RejectedRow, row: ImportRow }[] = []
  stored = 0
  /** The first IMPORT_EVENT_CAP stored rows: published on the feed after the commit. */
  readonly toPublish: IncidentRow[] = []
  constructor (private tx: Sql, private request: FastifyRequest, private user: SessionUser, private rejections: Rejections) {}

  async add (key: RejectedRow, row: ImportRow) {
    this.batch.push({ key, row })
    if (this.batch.length >= IMPORT_BATCH_SIZE) await this.flush()
  }

  async flush () {
    const batch = this.batch
    this.batch = []
    if (batch.length === 0) return
    // Point-in-polygon for the whole batch, like geography.locate for one point.
    const placeOf = await incidentRepository(this.tx).placesOf(batch.map(b => b.row))
    const keep: NewIncident[] = []
    batch.forEach(({ key, row }, i) => {
      const place = placeOf.get(i)
      if (!place) {
        this.rejections.add({ ...key, field: 'lon,lat', reason: 'outside_communes', message: `lon,lat: the point (${row.lon}, ${row.lat}) lies in no loaded Vietnamese commune` })
      } else if (!scopeCoversPlace(this.user, place)) {
        this.rejections.add({ ...key, field: 'lon,lat', reason: 'forbidden', message: `lon,lat: the point lies in commune ${place.commune_code}, outside your jurisdiction` })
      } else {
        keep.push({ ...row, ...place })
      }
    })
    // One incident.import audit row is written for the whole import, not one per row.
    const rows = await reportIncidents(this.tx, this.request, this.user, keep, { auditEach: false })
    this.stored += rows.length
    this.toPublish.push(...rows.slice(0, Math.max(0, IMPORT_EVENT_CAP - this.toPublish.length)))
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
export async function importCsv (body: SpooledBody, batcher: Batcher, rejections: Rejections): Promise<number> {
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
export async function importGeoJson (body: SpooledBody, batcher: Batcher, rejections: Rejections): Promise<number> {
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
