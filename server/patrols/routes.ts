import type { FastifyInstance } from 'fastify'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import type { Fix } from '../domain/fix.ts'
import { errors } from '../errors.ts'
import { FUTURE_TOLERANCE_MS, parseArea, parseTime, parseTimeWindow } from '../http/params.ts'
import { errorResponses } from '../http/schemas.ts'
import { detectTrackFormat } from './track-formats.ts'
import {
  LiveBody, PatrolDetail, PatrolList, PatrolListQuery, PatrolParams, PatrolSummary, PositionsBody, PositionsResult,
  TRACK_BODY_LIMIT, UploadQuery, UploadResult
} from './schemas.ts'
import { patrolService, type PatrolServiceOptions } from './service.ts'

export type PatrolRouteOptions = PatrolServiceOptions

/** Patrols: whole-track uploads, live patrols fed in batches, lists and playback. */
export default async function patrolRoutes (fastify: FastifyInstance, options: PatrolRouteOptions) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>()
  const patrols = patrolService(fastify, options)

  // Uploads of whole tracks take the body as text, whatever the type (GPX, GeoJSON, CSV); in
  // their own context so the JSON routes below keep the normal JSON parser.
  await app.register(async function trackUploads (context) {
    const upload = context.withTypeProvider<JsonSchemaToTsProvider>()
    upload.removeContentTypeParser('application/json')
    upload.addContentTypeParser(
      ['application/gpx+xml', 'application/xml', 'text/xml', 'text/csv', 'application/geo+json', 'application/json'],
      { parseAs: 'string', bodyLimit: TRACK_BODY_LIMIT },
      (_request, body, done) => { done(null, body) })

    upload.post('/api/patrols', {
      bodyLimit: TRACK_BODY_LIMIT,
      schema: {
        description: 'Records a patrol from a whole track: GPX 1.0/1.1 (every trkseg a segment), GeoJSON LineString/MultiLineString with properties.coordTimes, or CSV with a lon,lat,time header. The track is cleaned (see README), binned into res-10 H3 cells with dwell time and added to the team\'s coverage. The same fixes for the same team again return the existing patrol (200, duplicate: true).',
        querystring: UploadQuery,
        response: { 200: UploadResult, 201: UploadResult, ...errorResponses }
      }
    }, async (request, reply) => {
      const text = typeof request.body === 'string' ? request.body : ''
      if (text.trim() === '') throw errors.invalidField('body', 'is empty: send a GPX, GeoJSON or CSV track')
      const format = request.query.format ?? detectTrackFormat(request.headers['content-type'], text)
      if (!format) throw errors.unsupportedMediaType(String(request.headers['content-type'] ?? ''))
      const result = await patrols.upload(request, { teamId: String(request.query.team), mode: request.query.mode ?? null, format, text })
      reply.code(result.duplicate ? 200 : 201)
      return result
    })
  })

  app.post('/api/patrols/live', {
    schema: {
      description: 'Starts a live patrol: fixes follow in batches (POST /api/patrols/:id/positions) until POST /api/patrols/:id/end.',
      body: LiveBody,
      response: { 201: PatrolSummary, ...errorResponses }
    }
  }, async (request, reply) => {
    const patrol = await patrols.startLive(request, { teamId: String(request.body.team_id), mode: request.body.mode ?? null })
    reply.code(201)
    return patrol
  })

  app.post('/api/patrols/:id/positions', {
    schema: {
      description: 'Adds a batch of fixes to a live patrol. The whole patrol is cleaned and binned again, so repeated or late fixes are dropped as in a file.',
      params: PatrolParams,
      body: PositionsBody,
      response: { 200: PositionsResult, ...errorResponses }
    }
  }, async (request) => {
    const now = Date.now()
    const fixes: Fix[] = request.body.fixes.map((fix, i) => {
      const time = parseTime(`fixes[${i}].time`, fix.time).getTime()
      if (time > now + FUTURE_TOLERANCE_MS) throw errors.futureTime(`fixes[${i}].time`, fix.time)
      return { lon: fix.lon, lat: fix.lat, time }
    })
    return patrols.addPositions(request, String(request.params.id), fixes)
  })

  app.post('/api/patrols/:id/end', {
    schema: { description: 'Ends a live patrol (its end time is its last kept fix).', params: PatrolParams, response: { 200: PatrolSummary, ...errorResponses } }
  }, async (request) => patrols.end(request, String(request.params.id)))

  app.get('/api/patrols', {
    schema: { description: 'Patrols of an area or team, newest first.', querystring: PatrolListQuery, response: { 200: PatrolList, ...errorResponses } }
  }, async (request) => patrols.list(request, {
    area: parseArea(request.query),
    team: request.query.team === undefined ? null : String(request.query.team),
    window: parseTimeWindow(request.query),
    limit: request.query.limit
  }))

  app.get('/api/patrols/:id', {
    schema: {
      description: 'A patrol with its cleaned track (for playback): `times` holds each coordinate\'s epoch seconds, parallel to track.coordinates.',
      params: PatrolParams,
      response: { 200: PatrolDetail, ...errorResponses }
    }
  }, async (request) => patrols.detail(request, String(request.params.id)))
}
