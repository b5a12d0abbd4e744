import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../server/app.ts'
import { runScoped } from '../../server/auth/scoped.ts'
import { openDatabase, type Database } from '../../server/db/connection.ts'
import { POSTGRES_CLIENT_ERRORS } from '../../server/errors.ts'
import { inject } from 'vitest'
import { testApp } from '../helpers/app.ts'

/** Opens a raw socket, writes `text`, and resolves when the server closes it (with what it sent). */
function holdSocket (port: number, text: string) {
  const socket = connect(port, '127.0.0.1')
  const started = performance.now()
  let received = ''
  socket.on('data', chunk => { received += chunk.toString() })
  socket.write(text)
  const closed = new Promise<{ afterMs: number, received: string }>(resolve => {
    socket.on('close', () => resolve({ afterMs: performance.now() - started, received }))
    socket.on('error', () => {})
  })
  return { socket, closed }
}

describe('HTTP server timeouts', () => {
  let db: Database
  let app: Awaited<ReturnType<typeof buildApp>>
  let port: number

  beforeAll(async () => {
    db = await openDatabase({ databaseUrl: inject('databaseUrl'), pgliteDir: '' })
    app = await buildApp({ db, geoDir: inject('geoDir'), httpTimeouts: { headersMs: 1_000, socketIdleMs: 4_000 } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    port = (app.server.address() as { port: number }).port
  })
  afterAll(async () => { await app.close(); await db.close() })

  it('drops a client that never finishes its headers, and answers others meanwhile', async () => {
    const slow = holdSocket(port, 'GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ')
    const health = await fetch(`http://127.0.0.1:${port}/api/health`)
    expect(health.status).toBe(200)
    const { afterMs, received } = await slow.closed
    // headersTimeout 1 s, checked every ≤ 1 s: closed by it, before the 4 s socket idle timeout.
    expect(afterMs).toBeGreaterThanOrEqual(900)
    expect(afterMs).toBeLessThan(3_500)
    expect(received).not.toMatch(/200 OK/)
  })

  it('destroys a socket that goes silent after a complete request line and headers (no body)', async () => {
    const silent = holdSocket(port, 'POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user')
    const { afterMs } = await silent.closed
    // The socket idle timeout (4 s) closes it: the headers had arrived in time.
    expect(afterMs).toBeGreaterThanOrEqual(3_900)
    expect(afterMs).toBeLessThan(10_000)
  })
})

describe('statement timeout of scoped transactions', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  beforeAll(async () => { t = await testApp() })
  afterAll(async () => { await t.close() })

  it('cancels a statement that runs longer than the limit, with SQLSTATE 57014, and the connection stays usable', async () => {
    const user = { id: '1', username: 'x', full_name: 'x', role: 'admin', province_code: null, commune_code: null, team_id: null } as never
    const started = performance.now()
    const error = await runScoped(t.sql, user, tx => tx`select pg_sleep(5)`, 300).catch((e: unknown) => e)
    expect((error as { code?: string }).code).toBe('57014')
    expect(performance.now() - started).toBeLessThan(3_000)
    // A statement under the limit runs; the limit is local to its transaction.
    const [row] = await runScoped(t.sql, user, tx => tx<{ ok: number }[]>`select 1 as ok from pg_sleep(0.05)`, 300)
    expect(row!.ok).toBe(1)
    const [setting] = await t.sql<{ statement_timeout: string }[]>`show statement_timeout`
    expect(setting!.statement_timeout).toBe('0')
  })

  it('maps the cancelled statement to a 503 with Retry-After, not a 500', () => {
    const apiError = POSTGRES_CLIENT_ERRORS['57014']!()
    expect(apiError.statusCode).toBe(503)
    expect(apiError.retryAfter).toBeGreaterThan(0)
  })
})
