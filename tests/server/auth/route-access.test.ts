import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../../helpers/app.ts'
import type { RouteAccess } from '../../../server/plugins/auth.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
let port: number

/**
 * One raw HTTP/1.1 request: the target goes on the request line exactly as given (absolute form,
 * encodings and doubled slashes included), which app.inject would normalise. Returns the status.
 */
function rawStatus (method: string, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    })
    let head = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      head += chunk
      const line = /^HTTP\/1\.1 (\d{3})/.exec(head)
      if (line) { resolve(Number(line[1])); socket.destroy() }
    })
    socket.on('error', reject)
    socket.on('close', () => reject(new Error(`${method} ${target}: connection closed without a status line`)))
  })
}

/** The route's URL with every parameter filled (`:id` → 1, `*` → x). */
const filled = (url: string) => url.replace(/:[A-Za-z_]+/g, '1').replace(/\*$/, 'x')

/** Encodes the first letter of each segment as %XX: the router decodes it, a prefix test does not. */
const encodedLetters = (path: string) => path.replace(/\/([A-Za-z])/g, (_m, c: string) => `/%${c.charCodeAt(0).toString(16).toUpperCase()}`)

beforeAll(async () => {
  t = await testApp()
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  const address = t.app.server.address()
  port = typeof address === 'object' && address ? address.port : 0
})
afterAll(async () => { await t.close() })

describe('sign-in by route', () => {
  let routes: RouteAccess[]
  beforeAll(() => { routes = t.app.routeAccess().filter(r => r.method !== 'OPTIONS') })

  it('keeps every route private but health, login, logout, the docs and the files', () => {
    const publicApi = routes.filter(r => r.public && r.url.startsWith('/api/')).map(r => `${r.method} ${r.url}`).sort()
    expect(publicApi).toEqual(['GET /api/health', 'HEAD /api/health', 'POST /api/auth/login', 'POST /api/auth/logout'])
    const publicOther = routes.filter(r => r.public && !r.url.startsWith('/api/'))
    expect(publicOther.length).toBeGreaterThan(0)
    expect(publicOther.every(r => /^\/(docs|geo\/)/.test(r.url) || r.url === '/' || r.url === '/*')).toBe(true)
    expect(routes.some(r => r.public && r.url.startsWith('/docs'))).toBe(true)
    expect(routes.some(r => r.public && r.url.startsWith('/geo/glyphs/'))).toBe(true)
    // Everything else under /api is private, including routes that nobody marked either way.
    const privateApi = routes.filter(r => !r.public)
    expect(privateApi.length).toBeGreaterThan(30)
    expect(privateApi.every(r => r.url.startsWith('/api/'))).toBe(true)
  })

  it('answers 401 to anonymous requests on every private route, whatever form the path takes, never 5xx', async () => {
    const failures: string[] = []
    let checked = 0
    for (const route of routes.filter(r => !r.public)) {
      const path = filled(route.url)
      const variants: [string, number[]][] = [
        [path, [401]],
        [encodedLetters(path), [401]],
        [`http://localhost${path}`, [401]],
        [`http://evil.example:8080${encodedLetters(path)}?x=1`, [401]],
        [`${path}/`, [401]],
        [path.replace(/\//g, '//'), [401]],
        [`${path}?${encodeURIComponent('a/b')}=%2F`, [401]],
        // %2F is not a separator: either it sits inside a parameter (401) or no route matches (404).
        [path.replace(/\/(?=[^/]*$)/, '%2F'), [401, 404]]
      ]
      if (/:[A-Za-z_]+/.test(route.url)) variants.push([route.url.replace(/:[A-Za-z_]+/g, '%2F%2E%2E'), [401]])
      for (const [target, allowed] of variants) {
        const status = await rawStatus(route.method, target)
        checked += 1
        if (!allowed.includes(status)) failures.push(`${route.method} ${target} → ${status} (route ${route.url})`)
      }
    }
    expect(failures).toEqual([])
    expect(checked).toBeGreaterThan(200)
  })

  it('closes the requests of the finding: /%61pi/auth/me, /%61pi/provinces and GET http://host/api/provinces', async () => {
    expect(await rawStatus('GET', '/%61pi/auth/me')).toBe(401)
    expect(await rawStatus('GET', '/%61pi/provinces')).toBe(401)
    expect(await rawStatus('GET', 'http://host/api/provinces')).toBe(401)
    // Signed in, the same encoded path reaches the same route.
    const res = await t.inject('/%61pi/provinces')
    expect(res.statusCode).toBe(200)
  })

  it('serves the public routes without a session', async () => {
    expect(await rawStatus('GET', '/api/health')).toBe(200)
    expect(await rawStatus('GET', '/%61pi/health')).toBe(200)
    expect(await rawStatus('GET', '/docs/json')).toBe(200)
    expect(await rawStatus('GET', '/geo/naturalearth/does-not-exist.geojson')).toBe(404)
    expect(await rawStatus('GET', '/api/no-such-route')).toBe(404)
    // A malformed escape is the client's error.
    for (const target of ['/api/%zz', '/%E0%A4%A/provinces', '/api/incidents/%E0%A4%A']) {
      const status = await rawStatus('GET', target)
      expect(status, target).toBeGreaterThanOrEqual(400)
      expect(status, target).toBeLessThan(500)
    }
  })
})
