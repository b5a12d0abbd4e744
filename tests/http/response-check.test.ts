import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { buildApp } from '../../server/app.ts'
import { openDatabase, type Database } from '../../server/db/connection.ts'
import { closedSchema } from '../../server/plugins/response-check.ts'

describe('response check (tests validate every response against its schema)', () => {
  let db: Database
  let app: Awaited<ReturnType<typeof buildApp>>

  beforeAll(async () => {
    db = await openDatabase({ databaseUrl: inject('databaseUrl'), pgliteDir: '' })
    app = await buildApp({ db, geoDir: inject('geoDir'), checkResponses: true })
    const schema = {
      response: {
        200: {
          type: 'object', required: ['name', 'report'],
          properties: { name: { type: 'string' }, report: { type: 'object', properties: { kept: { type: 'integer' } } } }
        }
      }
    }
    app.get('/api/test/declared', { config: { public: true }, schema }, async () => ({ name: 'a', report: { kept: 3 } }))
    // A handler that returns a property its schema lacks: the serializer would drop it silently.
    app.get('/api/test/undeclared', { config: { public: true }, schema }, async () => ({ name: 'a', report: { kept: 3, short_segment: 2 } }))
    app.get('/api/test/wrong-type', { config: { public: true }, schema }, async () => ({ name: 'a', report: { kept: '3' } }))
    app.get('/api/test/unlisted-status', { config: { public: true }, schema }, async (_request, reply) => { void reply.status(201 as never); return { name: 'a', report: {} } })
    await app.ready()
  })
  afterAll(async () => { await app.close(); await db.close() })

  it('passes a response that matches its schema', async () => {
    const res = await app.inject('/api/test/declared')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ name: 'a', report: { kept: 3 } })
  })

  it('fails a response with a property its schema lacks, naming it', async () => {
    const before = app.responseViolations.length
    const res = await app.inject('/api/test/undeclared')
    expect(res.statusCode).toBe(500)
    const violation = app.responseViolations[before]!
    expect(violation.route).toBe('GET /api/test/undeclared')
    expect(violation.problems.join(' ')).toContain('short_segment')
  })

  it('fails a wrong type and a status the schema does not list', async () => {
    expect((await app.inject('/api/test/wrong-type')).statusCode).toBe(500)
    expect((await app.inject('/api/test/unlisted-status')).statusCode).toBe(500)
    expect(app.responseViolations.at(-1)!.problems[0]).toContain('status 201')
  })

  it('closes object schemas without touching ones that say otherwise', () => {
    const closed = closedSchema({
      type: 'object', properties: { a: { type: 'array', items: { type: 'object', properties: { b: { type: 'string' } } } }, c: { type: 'object', additionalProperties: true, properties: {} } }
    }) as { additionalProperties: boolean, properties: { a: { items: { additionalProperties: boolean } }, c: { additionalProperties: boolean } } }
    expect(closed.additionalProperties).toBe(false)
    expect(closed.properties.a.items.additionalProperties).toBe(false)
    expect(closed.properties.c.additionalProperties).toBe(true)
  })
})
