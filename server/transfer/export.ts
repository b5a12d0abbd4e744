import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ServerResponse } from 'node:http'
import { bigintToH3 } from '../h3/cells.ts'
import type { IncidentFilter } from '../domain/area.ts'
import { assertAreaVisible } from '../auth/area-scope.ts'
import { incidentRepository, type ExportRow } from '../incidents/repository.ts'
import { csvField, EXPORT_EXTRA_COLUMNS, IMPORT_COLUMNS, spreadsheetText } from './validate.ts'

/** Rows per cursor fetch (PostgreSQL server) or per page in its own transaction (embedded). */
export const EXPORT_PAGE_ROWS = 5_000
/** Text gathered before a write: small enough that a slow reader that keeps reading drains it well within the idle time. */
const WRITE_CHUNK_CHARS = 32 * 1024
/** Ids read per fetch when the embedded export lists what it will send. */
const ID_FETCH_ROWS = 20_000

type Format = 'csv' | 'geojson'

/** The client went away or read nothing for the idle time: the export stops (and its transaction rolls back). */
class ExportAborted extends Error {}

/**
 * Writes to a response that may have a slow or vanished reader: a write the socket cannot take
 * waits for 'drain', at most idleMs, and every write after the client went away fails.
 */
class ResponseSink {
  private gone: ExportAborted | null = null
  constructor (private res: ServerResponse, private idleMs: number) {
    res.on('close', () => { if (!res.writableFinished) this.gone ??= new ExportAborted('the client went away') })
  }

  write (text: string): Promise<void> {
    if (this.gone) return Promise.reject(this.gone)
    if (this.res.write(text)) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer)
        this.res.off('drain', onDrain)
        this.res.off('close', onClose)
      }
      const onDrain = () => { cleanup(); resolve() }
      const onClose = () => { cleanup(); reject(this.gone ?? new ExportAborted('the client went away')) }
      const timer = setTimeout(() => {
        cleanup()
        reject(this.gone ??= new ExportAborted(`the client read nothing for ${this.idleMs} ms`))
      }, this.idleMs)
      this.res.on('drain', onDrain)
      this.res.on('close', onClose)
    })
  }
}

/** Turns rows into the export's text, handing it to the sink in chunks of about WRITE_CHUNK_CHARS. */
class ExportWriter {
  private first = true
  private text = ''
  constructor (private format: Format, private sink: ResponseSink) {}

  async rows (rows: ExportRow[]) {
    for (const r of rows) {
      if (this.format === 'csv') {
        // description is the only free-text cell; the others are codes, numbers and times.
        this.text += [r.lon, r.lat, r.category, r.severity, r.occurred_at.toISOString(), spreadsheetText(r.description), String(r.id), r.status,
          r.commune_code, r.province_code, bigintToH3(r.h3)].map(v => csvField(v)).join(',') + '\r\n'
      } else {
        this.text += (this.first ? '' : ',\n') + JSON.stringify({
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [r.lon, r.lat] },
          properties: {
            category: r.category, severity: r.severity, occurred_at: r.occurred_at.toISOString(), description: r.description,
            id: Number(r.id), status: r.status, commune_code: r.commune_code, province_code: r.province_code, h3: bigintToH3(r.h3)
          }
        })
        this.first = false
      }
      if (this.text.length >= WRITE_CHUNK_CHARS) await this.flush()
    }
  }

  async flush () {
    const text = this.text
    this.text = ''
    if (text) await this.sink.write(text)
  }
}

/**
 * PostgreSQL server: one cursor in one scoped transaction, a consistent snapshot. When the client
 * goes away or stalls, the write throws inside the cursor callback and the transaction rolls back.
 */
async function exportByCursor (request: FastifyRequest, filter: IncidentFilter, writer: ExportWriter) {
  // postgres.js awaits what the cursor callback returns for every batch but the last, which it
  // hands over as the query completes: the writes are chained and the chain awaited here, inside
  // the transaction, or the last batch's rows could still be on their way when the body ends.
  let written: Promise<void> = Promise.resolve()
  await request.scoped(async tx => {
    await incidentRepository(tx).exportRows(filter, EXPORT_PAGE_ROWS, rows => {
      written = written.then(() => writer.rows(rows))
      // If the query fails while a write waits for the reader, the chain is awaited nowhere else:
      // its later rejection must not become an unhandled one.
      written.catch(() => {})
      return written
    })
    await written
  })
}

/**
 * Embedded database (one connection for every request): a first short scoped transaction lists the
 * ids to send, in export order; then each page of EXPORT_PAGE_ROWS is read in its own short scoped
 * transaction and written to the client with no transaction open, so other requests get the
 * connection between pages and a slow reader holds nothing. The export has the rows that matched
 * when it started; a row changed meanwhile comes with its newer values, one deleted meanwhile is
 * left out.
 */
async function exportByPages (request: FastifyRequest, filter: IncidentFilter, writer: ExportWriter) {
  const ids: number[] = []
  await request.scoped(tx => incidentRepository(tx).exportIds(filter, ID_FETCH_ROWS, fetched => { for (const id of fetched) ids.push(id) }))
  for (let start = 0; start < ids.length; start += EXPORT_PAGE_ROWS) {
    const page = ids.slice(start, start + EXPORT_PAGE_ROWS)
    const rows = await request.scoped(tx => incidentRepository(tx).exportPage(page))
    await writer.rows(rows)
    await writer.flush()
  }
}

/**
 * Streams the filtered incidents (oldest first) as a CSV or GeoJSON attachment, within the user's
 * jurisdiction. A client that goes away, or reads nothing for idleMs, ends the export: the
 * connection is cut (a broken download, never a short file that looks whole).
 */
export async function streamExport (
  request: FastifyRequest, filter: IncidentFilter, reply: FastifyReply, app: FastifyInstance,
  format: Format, idleMs: number
) {
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
  const sink = new ResponseSink(res, idleMs)
  const writer = new ExportWriter(format, sink)
  try {
    await sink.write(format === 'csv' ? [...IMPORT_COLUMNS, ...EXPORT_EXTRA_COLUMNS].join(',') + '\r\n' : '{"type":"FeatureCollection","features":[\n')
    if (app.db.backend === 'embedded') await exportByPages(request, filter, writer)
    else await exportByCursor(request, filter, writer)
    await writer.flush()
    if (format === 'geojson') await sink.write('\n]}\n')
    res.end()
  } catch (error) {
    if (error instanceof ExportAborted) request.log.info({ reason: error.message }, 'export stopped')
    else request.log.error({ err: error }, 'export failed')
    // The status line is gone: cut the body short so the client sees a broken download, not a short file.
    res.destroy()
  }
}
