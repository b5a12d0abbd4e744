import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Readable } from 'node:stream'
import { errors } from '../errors.ts'
import { roleMay, scopeOf } from '../domain/roles.ts'
import { recordAudit } from '../audit/record.ts'
import type { IncidentRow } from '../incidents/repository.ts'
import { publishCreated } from '../incidents/service.ts'
import { Batcher, importCsv, importGeoJson } from './import-files.ts'
import { ImportJobs, JOBS_PER_USER, type ImportJob } from './jobs.ts'
import { Rejections } from './rejections.ts'
import { spoolBody, type SpooledBody } from './spool.ts'
import { streamExport } from './export.ts'
import type { IncidentFilter } from '../domain/area.ts'

/** Largest import body. */
export const IMPORT_BODY_LIMIT = 50 * 1024 * 1024

export type ImportMode = 'valid_only' | 'all_or_nothing'

/** Thrown inside the transaction to roll back an all_or_nothing import. */
class ImportRejected extends Error {}

export interface ImportRequest {
  mode: ImportMode
  /** The media type, without parameters: text/csv, or GeoJSON. */
  type: string
  body: Readable | undefined
  /** Content-Length as declared, if any. */
  declaredLength: number
  jobId: string | undefined
}

/**
 * Bulk import (CSV or GeoJSON) and streamed export (CSV or GeoJSON) of incidents.
 * `idleMs`: an upload that sends nothing, or an export reader that takes nothing, for this long is cut.
 */
export function transferService (app: FastifyInstance, options: { idleMs: number }) {
  const jobs = new ImportJobs()

  return {
    /**
     * Imports a file: spooled whole before the transaction opens (a stalled client holds no
     * connection), then read, checked and stored in one scoped transaction with one audit row; the
     * stored incidents go on the feed after the commit. `closeConnection` is called when the body
     * is left unread, so the connection cannot serve another request. Answers either the import's
     * figures or, for an all_or_nothing import with rejections, the refusal (nothing stored).
     */
    async importIncidents (request: FastifyRequest, input: ImportRequest, closeConnection: () => void) {
      const user = request.user!
      if (!roleMay(user.role, 'incidents:write')) throw errors.forbidden(null, `the role ${user.role} may not report incidents`)
      const { mode, type, body, jobId } = input
      if (!body || typeof body.pipe !== 'function') throw errors.invalidField('body', 'is empty')
      if (jobId && jobs.has(user.id, jobId)) throw errors.invalidField('job', `job ${jobId} already exists: choose a new id`)
      if (input.declaredLength > IMPORT_BODY_LIMIT) {
        // Refused before reading; the unread body makes the connection unusable, so it closes.
        closeConnection()
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

      let spooled: SpooledBody
      try {
        spooled = await spoolBody(body, { limit: IMPORT_BODY_LIMIT, idleMs: options.idleMs })
      } catch (error) {
        finish('failed', { stored: 0, rejected: 0 })
        // The rest of the body was not read: the connection closes after the answer.
        closeConnection()
        throw error
      }
      let result: { received: number, stored: number, toPublish: IncidentRow[] }
      try {
        result = await request.scoped(async tx => {
          const batcher = new Batcher(tx, request, user, rejections)
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
          return { received, stored: batcher.stored, toPublish: batcher.toPublish }
        })
      } catch (error) {
        finish(error instanceof ImportRejected ? 'rolled_back' : 'failed', { stored: 0, rejected: rejections.count })
        if (!(error instanceof ImportRejected)) throw error
        return {
          refused: {
            error: 'import_rejected',
            message: `${rejections.count} row(s) rejected; nothing was stored (mode all_or_nothing)`,
            field: null,
            ...rejections.summary()
          }
        }
      } finally {
        await spooled.remove()
      }
      finish('committed', { stored: result.stored, rejected: rejections.count })
      publishCreated(app, result.toPublish)
      return { answer: { mode, received: result.received, stored: result.stored, events_published: result.toPublish.length, ...rejections.summary() } }
    },

    /** Progress of one of the user's own jobs: another user's job of the same id does not exist here. */
    job (request: FastifyRequest, id: string) {
      const job = jobs.get(request.user!.id, id)
      if (!job) throw errors.notFound(`import job ${id}`)
      const now = job.final ? { staged: job.final.stored, rejected: job.final.rejected } : job.progress()
      return { job: id, state: job.state, started_at: job.started_at, finished_at: job.finished_at, staged: now.staged, rejected: now.rejected, stored: job.final?.stored ?? null }
    },

    /** Streams the filtered incidents (oldest first) within the user's jurisdiction; see export.ts. */
    async exportIncidents (request: FastifyRequest, filter: IncidentFilter, reply: FastifyReply, format: 'csv' | 'geojson') {
      await streamExport(request, filter, reply, app, format, options.idleMs)
    }
  }
}
