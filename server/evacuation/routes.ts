import type { FastifyInstance } from 'fastify'
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts'
import { parseArea } from '../http/params.ts'
import { errorResponses } from '../http/schemas.ts'
import {
  AreaQuery, Board, BoardParams, NearShelterCollection, NearSheltersQuery, ProgressBody, ProgressResult, RescueBody, RescueResult,
  ShelterBody, ShelterCollection, ShelterFeature, ShelterParams, ShelterPatch, Timeline, TimelineQuery, ZoneCollection, ZoneDetail,
  ZoneFeature, ZoneImportBody, ZoneImportResult, ZoneParams, ZoneStatusBody, ZoneTeamsBody
} from './schemas.ts'
import { evacuationService } from './service.ts'
import { parseZoneImport } from './zone-import.ts'

/** Flood evacuation: zones and their workflow, progress, teams, shelters, rescue calls, board and timeline. */
export default async function evacuationRoutes (fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>()
  const evacuation = evacuationService(fastify)

  // ---- zones ---------------------------------------------------------------------------------

  app.get('/api/evacuation/zones', {
    schema: { querystring: AreaQuery, response: { 200: ZoneCollection, ...errorResponses } }
  }, async (request) => evacuation.zones(request, parseArea(request.query)))

  app.get('/api/evacuation/zones/:id', {
    schema: { params: ZoneParams, response: { 200: ZoneDetail, ...errorResponses } }
  }, async (request) => evacuation.zone(request, String(request.params.id)))

  app.post('/api/evacuation/zones', {
    schema: {
      description: 'Imports zones: a GeoJSON Feature or FeatureCollection of Polygons/MultiPolygons with properties commune_code?, name, risk_level (1–3), households?, population?, elderly?, disabled?, children?. Each polygon is clipped to its commune (the given one, else the commune holding most of it); missing figures are estimated by area share. A single Feature is features[0] in error fields.',
      body: ZoneImportBody,
      response: { 201: ZoneImportResult, ...errorResponses }
    }
  }, async (request, reply) => reply.status(201).send(await evacuation.importZones(request, parseZoneImport(request.body))))

  app.patch('/api/evacuation/zones/:id/status', {
    schema: {
      description: 'Moves a zone along the workflow (see README); an illegal change is 409 illegal_transition naming both statuses and the allowed next ones.',
      params: ZoneParams, body: ZoneStatusBody, response: { 200: ZoneFeature, ...errorResponses }
    }
  }, async (request) => evacuation.changeStatus(request, String(request.params.id), request.body))

  app.post('/api/evacuation/zones/:id/progress', {
    schema: {
      description: 'Reports households and people moved out of a zone (vulnerable groups counted separately). Moved totals may not exceed those at risk (400). Only while evacuate_now or evacuating (409); the first report moves evacuate_now → evacuating. With shelter_id the people are added to the shelter; beyond its capacity is 409 shelter_capacity_exceeded unless force: true with a reason.',
      params: ZoneParams, body: ProgressBody, response: { 201: ProgressResult, ...errorResponses }
    }
  }, async (request, reply) => reply.status(201).send(await evacuation.reportProgress(request, String(request.params.id), request.body)))

  app.put('/api/evacuation/zones/:id/teams', {
    schema: {
      description: 'Sets the teams assigned to a zone (teams of the zone\'s commune only).',
      params: ZoneParams, body: ZoneTeamsBody, response: { 200: ZoneFeature, ...errorResponses }
    }
  }, async (request) => evacuation.setTeams(request, String(request.params.id), request.body.team_ids))

  app.get('/api/evacuation/zones/:id/shelters', {
    schema: {
      description: 'Open shelters with free places, nearest the zone first (PostGIS geography distance from the zone polygon, metres).',
      params: ZoneParams, querystring: NearSheltersQuery, response: { 200: NearShelterCollection, ...errorResponses }
    }
  }, async (request) => evacuation.nearestShelters(request, String(request.params.id), request.query.limit ?? 5))

  app.post('/api/evacuation/zones/:id/rescue-requests', {
    schema: {
      description: 'A call for rescue from a zone: becomes a `rescue` incident (severity 3/4/5 for low/high/critical) linked to the zone; open until the incident is resolved, closed or cancelled.',
      params: ZoneParams, body: RescueBody, response: { 201: RescueResult, ...errorResponses }
    }
  }, async (request, reply) => reply.status(201).send(await evacuation.requestRescue(request, String(request.params.id), request.body)))

  // ---- shelters ------------------------------------------------------------------------------

  app.get('/api/evacuation/shelters', {
    schema: { querystring: AreaQuery, response: { 200: ShelterCollection, ...errorResponses } }
  }, async (request) => evacuation.shelters(request, parseArea(request.query)))

  app.post('/api/evacuation/shelters', {
    schema: {
      description: 'Adds a shelter; its commune is the one holding the point (commune_code, if given, must agree). Occupancy beyond capacity needs force: true with a reason.',
      body: ShelterBody, response: { 201: ShelterFeature, ...errorResponses }
    }
  }, async (request, reply) => reply.status(201).send(await evacuation.createShelter(request, request.body)))

  app.patch('/api/evacuation/shelters/:id', {
    schema: {
      description: 'Changes a shelter\'s capacity, occupancy or open state. Occupancy beyond capacity is 409 shelter_capacity_exceeded unless force: true with a reason.',
      params: ShelterParams, body: ShelterPatch, response: { 200: ShelterFeature, ...errorResponses }
    }
  }, async (request) => evacuation.updateShelter(request, String(request.params.id), request.body))

  // ---- board and timeline --------------------------------------------------------------------

  app.get('/api/evacuation/communes/:code', {
    schema: {
      description: 'The commune\'s evacuation board: zones with progress, totals, shelters, teams and open rescue requests.',
      params: BoardParams, response: { 200: Board, ...errorResponses }
    }
  }, async (request) => evacuation.board(request, request.params.code))

  app.get('/api/evacuation/timeline', {
    schema: {
      description: 'Progress over time: at each step boundary from `from` to `to` (hours, or Vietnam-local days), the cumulative households, people and vulnerable moved by reports before that instant, and the population of zones then under an evacuation order. Defaults: the last 24 hours (step=hour) or 30 days (step=day).',
      querystring: TimelineQuery, response: { 200: Timeline, ...errorResponses }
    }
  }, async (request) => evacuation.timeline(request, parseArea(request.query), request.query))
}
