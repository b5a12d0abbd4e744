import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchBrowser, screenshotDir, signIn as signInAs } from './browser.ts'
import { cellToLatLng, cellToParent, latLngToCell } from 'h3-js'
import { testApp, TEST_PASSWORD } from '../helpers/app.ts'
import { loadDemoData } from '../../server/demo/load-demo.ts'
import { inject } from 'vitest'
import { bulkInsertIncidents } from '../../server/incidents/bulk-insert.ts'


type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
let browser: Browser
let baseUrl: string

// A known cluster in Phường Đông Hải (port district), in a June 2025 window no other test writes.
const CLUSTER = { lon: 106.7480, lat: 20.8270 }
const CLUSTER_SIZE = 60
const WINDOW = { from: '2025-06-01', to: '2025-07-01' }

const signIn = (page: Page, username = 'test.admin') => signInAs(t, page, baseUrl, username)

async function openMap (page: Page, query: string) {
  await page.goto(`${baseUrl}/?${query}`)
  await page.waitForFunction(() => document.body.dataset.hexesReady === 'true' && document.body.dataset.mapReady === 'true', null, { timeout: 90_000 })
}

beforeAll(async () => {
  t = await testApp()
  // Realistic background: the generated demo month for Hải Phòng, then the known cluster on top.
  // Incidents only: this file is about the incident map (patrols have their own browser test).
  await loadDemoData(t.db, { provinceCode: '31', seed: 5, days: 30, patrolDays: 0, end: new Date(`${WINDOW.to}T00:00:00+07:00`), geoDir: inject('geoDir') })
  const at = new Date('2025-06-14T20:30:00+07:00')
  await bulkInsertIncidents(t.db, Array.from({ length: CLUSTER_SIZE }, (_, i) => ({
    lon: CLUSTER.lon + (i % 5) * 0.00005, lat: CLUSTER.lat + Math.floor(i / 5) * 0.00003,
    category: 'security' as const, severity: 3, status: 'closed' as const,
    occurred_at: at, reported_at: at, description: 'e2e cluster'
  })), { isGenerated: false })
  baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 })
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await t?.close()
})

describe('map page in headless Chromium', () => {
  it('draws the hexes, shows the tooltip of a known cluster, and asks nothing of the outside world', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const outside: string[] = []
    const consoleErrors: string[] = []
    page.on('request', request => { if (!request.url().startsWith(baseUrl) && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) outside.push(request.url()) })
    page.on('console', message => { if (message.type() === 'error') consoleErrors.push(message.text()) })

    const res = 8
    await signIn(page)
    await openMap(page, `from=${WINDOW.from}&to=${WINDOW.to}&res=${res}&category=security`)
    const expected = (await t.inject({ url: `/api/hexes?province=31&res=${res}&from=${WINDOW.from}&to=${WINDOW.to}&category=security` })).json()
    expect(Number(await page.evaluate(() => document.body.dataset.hexCount))).toBe(expected.cells.length)

    // Hover the centre of the cluster's cell and read the tooltip.
    const cell = cellToParent(latLngToCell(CLUSTER.lat, CLUSTER.lon, 10), res)
    const cellCount = expected.cells.find((c: { h3: string }) => c.h3 === cell)?.count
    expect(cellCount).toBeGreaterThanOrEqual(CLUSTER_SIZE)
    const [lat, lon] = cellToLatLng(cell)
    await page.evaluate(([lon, lat]) => {
      const map = (window as unknown as { __dashboard: { map: { jumpTo: (o: object) => void } } }).__dashboard.map
      map.jumpTo({ center: [lon, lat], zoom: 12 })
    }, [lon, lat])
    await page.waitForFunction(() => document.body.dataset.hexesReady === 'true', null, { timeout: 60_000 })
    await page.waitForTimeout(500)
    const point = await page.evaluate(([lon, lat]) => {
      const map = (window as unknown as { __dashboard: { map: { project: (p: [number, number]) => { x: number, y: number }, getCanvas: () => HTMLCanvasElement } } }).__dashboard.map
      const p = map.project([lon!, lat!])
      const box = map.getCanvas().getBoundingClientRect()
      return { x: box.left + p.x, y: box.top + p.y }
    }, [lon, lat])
    await page.mouse.move(point.x - 5, point.y - 5)
    await page.mouse.move(point.x, point.y)
    const tooltip = page.getByTestId('hex-tooltip')
    await tooltip.waitFor({ state: 'visible', timeout: 15_000 })
    expect(Number((await page.getByTestId('hex-tooltip-count').textContent())!.replace(/\D/g, ''))).toBe(cellCount)
    expect(await page.getByTestId('hex-tooltip-commune').textContent()).toMatch(/Phường|Xã|Đặc khu/)
    await page.screenshot({ path: resolve(screenshotDir, 'map-tooltip.png') })

    expect(outside).toEqual([])
    expect(consoleErrors.filter(text => !/WebGL|GPU stall|swiftshader/i.test(text))).toEqual([])
    await page.close()
  })

  it('signs in through the login form and opens a commune account on its own commune', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const hexRequests: string[] = []
    page.on('request', request => { if (request.url().includes('/api/hexes')) hexRequests.push(request.url()) })
    await page.goto(`${baseUrl}/?from=${WINDOW.from}&to=${WINDOW.to}`)
    await page.getByTestId('login-form').waitFor({ state: 'visible', timeout: 60_000 })
    await page.getByTestId('login-username').fill('test.commune10525')
    await page.getByTestId('login-password').fill('wrong password')
    await page.getByTestId('login-submit').click()
    await page.getByTestId('login-error').waitFor({ state: 'visible' })
    expect(await page.getByTestId('login-error').textContent()).toMatch(/không đúng/)
    await page.getByTestId('login-password').fill(TEST_PASSWORD)
    await page.getByTestId('login-submit').click()
    await page.waitForFunction(() => document.body.dataset.authState === 'signed-in' && document.body.dataset.hexesReady === 'true' && document.body.dataset.mapReady === 'true', null, { timeout: 90_000 })
    expect(await page.getByTestId('user-jurisdiction').textContent()).toContain('Phường Hải Dương')
    // The map asks for the commune's hexes only and draws every cell of the answer.
    const last = new URL(hexRequests[hexRequests.length - 1]!)
    expect(last.searchParams.get('commune')).toBe('10525')
    expect(last.searchParams.get('province')).toBeNull()
    const expected = (await t.inject(`/api/hexes?${last.searchParams}`)).json()
    expect(expected.cells.length).toBeGreaterThan(0)
    expect(Number(await page.evaluate(() => document.body.dataset.hexCount))).toBe(expected.cells.length)
    const center = await page.evaluate(() => (window as unknown as { __dashboard: { map: { getCenter: () => { lng: number, lat: number } } } }).__dashboard.map.getCenter())
    expect(center.lng).toBeCloseTo(106.33, 1)
    expect(center.lat).toBeCloseTo(20.94, 1)
    await page.screenshot({ path: resolve(screenshotDir, 'map-commune-account.png') })
    await page.getByTestId('logout').click()
    await page.waitForFunction(() => document.body.dataset.authState === 'anonymous')
    await page.close()
  })

  it('draws every study-area cell in hotspot mode, with the classes in the legend', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await signIn(page)
    await openMap(page, `mode=hotspots&from=${WINDOW.from}&to=${WINDOW.to}&res=8&k=1`)
    expect(await page.evaluate(() => document.body.dataset.mode)).toBe('hotspots')
    const expected = (await t.inject(`/api/hotspots?province=31&res=8&k=1&from=${WINDOW.from}&to=${WINDOW.to}`)).json()
    expect(Number(await page.evaluate(() => document.body.dataset.hexCount))).toBe(expected.n_cells)
    const hot99 = expected.cells.filter((c: { class: string }) => c.class === 'hot_99').length
    expect(hot99).toBeGreaterThan(0)
    const legendRow = page.locator('[data-testid="hotspot-legend-classes"] [data-class="hot_99"]')
    expect(Number(await legendRow.getAttribute('data-count'))).toBe(hot99)
    await page.screenshot({ path: resolve(screenshotDir, 'map-hotspots.png') })
    await page.close()
  })

  it('switches the interface between Vietnamese and English', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await signIn(page)
    await openMap(page, `from=${WINDOW.from}&to=${WINDOW.to}&lang=vi`)
    const header = page.getByTestId('app-header')
    expect(await header.textContent()).toContain('Bản đồ')
    await page.getByTestId('lang-en').click()
    await page.waitForFunction(() => document.querySelector('[data-testid="app-header"]')?.textContent?.includes('map'))
    expect(await header.textContent()).not.toContain('Bản đồ')
    expect(await page.getByTestId('legend').textContent()).toMatch(/generated/i)
    await page.screenshot({ path: resolve(screenshotDir, 'map-english.png') })
    await page.close()
  })

  it('shows a new incident in the live feed and on the map without reload, and moves it on from its drawer', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await signIn(page)
    // The default window (a preset ending on the newest data day), so that today's incident counts.
    await openMap(page, 'lang=vi')
    const feed = page.getByTestId('live-feed')
    await feed.waitFor({ state: 'visible', timeout: 30_000 })
    await page.locator('[data-testid="live-feed-state"][data-connected="true"]').waitFor({ timeout: 30_000 })
    const before = {
      hexCount: await page.evaluate(() => document.body.dataset.hexCount),
      total: Number(await page.getByTestId('legend-total').getAttribute('data-value'))
    }

    const created = await t.inject({
      method: 'POST',
      url: '/api/incidents',
      // Now: other browser tests may have reported incidents (rescue requests) in the last minute,
      // and the feed puts the latest occurrence first.
      payload: { lon: 106.7482, lat: 20.8272, category: 'fire', severity: 4, occurred_at: new Date().toISOString(), description: 'Cháy kho hàng (e2e)' }
    })
    expect(created.statusCode).toBe(201)
    const id = String(created.json().properties.id)

    // The feed shows it first, with its Vietnamese category label and a relative time.
    const item = page.locator(`[data-testid="feed-item"][data-incident-id="${id}"]`)
    await item.waitFor({ state: 'visible', timeout: 30_000 })
    expect(await page.locator('[data-testid="feed-item"]').first().getAttribute('data-incident-id')).toBe(id)
    expect(await item.textContent()).toContain('Cháy nổ')
    expect(await item.textContent()).toMatch(/phút trước|bây giờ/)

    // The map reloads its counts: the window now ends today and the new incident is counted.
    await page.waitForFunction((b) => document.body.dataset.hexesReady === 'true' &&
      (document.body.dataset.hexCount !== b.hexCount ||
        Number(document.querySelector('[data-testid="legend-total"]')?.getAttribute('data-value')) !== b.total),
    before, { timeout: 30_000 })
    expect(Number(await page.getByTestId('legend-total').getAttribute('data-value'))).toBeGreaterThanOrEqual(1)

    // Its drawer: details, history, and the moves the status allows.
    await item.click()
    const drawer = page.getByTestId('incident-drawer')
    await drawer.waitFor({ state: 'visible' })
    await page.getByTestId('status-dispatched').waitFor({ state: 'visible', timeout: 15_000 })
    expect(await drawer.textContent()).toContain('Cháy kho hàng (e2e)')
    expect(await page.getByTestId('status-closed').count()).toBe(0)
    const historyBefore = await page.getByTestId('history-entry').count()
    await page.getByTestId('drawer-note').fill('Điều tổ tuần tra (e2e)')
    await page.getByTestId('status-dispatched').click()
    await page.locator('[data-testid="incident-drawer"][data-status="dispatched"]').waitFor({ timeout: 15_000 })
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="history-entry"]').length > n, historyBefore, { timeout: 15_000 })
    expect(await drawer.textContent()).toContain('Điều tổ tuần tra (e2e)')
    await page.getByTestId('status-on_scene').waitFor({ state: 'visible' })
    // The stream's update refreshes the feed item too.
    await page.locator(`[data-testid="feed-item"][data-incident-id="${id}"][data-status="dispatched"]`).waitFor({ timeout: 15_000 })
    await page.screenshot({ path: resolve(screenshotDir, 'map-live-feed.png') })
    await page.close()
  })
})
