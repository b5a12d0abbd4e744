import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchBrowser, screenshotDir, signIn as signInAs } from './browser.ts'
import { testApp } from '../helpers/app.ts'


type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
let browser: Browser
let baseUrl: string
let teamId: string
let patrolId: string
let walkEnd: [number, number]

/** A point well inside Phường Hải Dương (10525), where the walk and the route start. */
const START: [number, number] = [106.3400, 20.9410]
/** Colours of patrol-layers.ts: the planned route (violet) and the playback trail and head (orange). */
const ROUTE_RGB = [106, 27, 154]
const TRIP_RGB = [245, 130, 0]

const signIn = (page: Page, username: string) => signInAs(t, page, baseUrl, username)

/** Waits until the workspace's layers of the current state are drawn (the dashboard's hook). */
async function drawn (page: Page) {
  await page.waitForFunction(() => document.body.dataset.hexesReady === 'true' && document.body.dataset.mapReady === 'true' &&
    document.querySelector('[data-testid="patrol-overlay"]')?.getAttribute('data-status') === 'ready', null, { timeout: 90_000 })
}

/** Page coordinates of a [lon, lat] on the map. */
async function project (page: Page, lonLat: [number, number]) {
  return page.evaluate(([lon, lat]) => {
    const map = (window as unknown as { __dashboard: { map: { project: (p: [number, number]) => { x: number, y: number }, getCanvas: () => HTMLCanvasElement } } }).__dashboard.map
    const p = map.project([lon!, lat!])
    const box = map.getCanvas().getBoundingClientRect()
    return { x: box.left + p.x, y: box.top + p.y }
  }, lonLat)
}

/**
 * Pixels of a colour (± tolerance per channel) in a square of the screenshot around a point:
 * proof that a layer really drew there, not only that its data arrived.
 */
async function pixelsNear (page: Page, at: { x: number, y: number }, rgb: number[], radius = 14, tolerance = 40): Promise<number> {
  const clip = { x: Math.max(0, at.x - radius), y: Math.max(0, at.y - radius), width: radius * 2, height: radius * 2 }
  const png = (await page.screenshot({ clip })).toString('base64')
  return page.evaluate(async ({ png, rgb, tolerance }) => {
    // From bytes, not a data: URL: the page's CSP forbids fetching those.
    const bytes = Uint8Array.from(atob(png), c => c.charCodeAt(0))
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }))
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height)
    const context = canvas.getContext('2d')!
    context.drawImage(bitmap, 0, 0)
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height)
    let n = 0
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - rgb[0]) <= tolerance && Math.abs(data[i + 1] - rgb[1]) <= tolerance && Math.abs(data[i + 2] - rgb[2]) <= tolerance) n++
    }
    return n
  }, { png, rgb, tolerance })
}

beforeAll(async () => {
  t = await testApp()
  const [team] = await t.sql<{ id: string }[]>`
    insert into teams (province_code, commune_code, name) values ('31', '10525', 'Tổ tuần tra số 1 (e2e)') returning id::text as id`
  teamId = team!.id
  // Incidents of the last days around two places of the commune: the planner's priorities.
  const now = Date.now()
  for (let i = 0; i < 14; i++) {
    const [lon, lat] = i % 2 === 0 ? [106.3440, 20.9440] : [106.3370, 20.9380]
    const res = await t.inject({
      method: 'POST', url: '/api/incidents',
      payload: {
        lon: lon + (i % 3) * 0.0003, lat: lat + (i % 4) * 0.0002, category: i % 3 === 0 ? 'traffic' : 'security', severity: 3,
        occurred_at: new Date(now - (1 + i % 5) * 86_400_000).toISOString(), description: 'e2e tuần tra'
      }
    })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().properties.commune_code).toBe('10525')
  }
  // A ten-minute walk from the start, east then north, a fix every 15 s, five hours ago.
  const t0 = now - 5 * 3600_000
  const fixes: string[] = []
  for (let i = 0; i <= 40; i++) {
    const lon = START[0] + Math.min(i, 20) * 0.00015
    const lat = START[1] + Math.max(0, i - 20) * 0.00013
    fixes.push(`${lon.toFixed(6)},${lat.toFixed(6)},${new Date(t0 + i * 15_000).toISOString()}`)
    walkEnd = [Number(lon.toFixed(6)), Number(lat.toFixed(6))]
  }
  const upload = await t.inject({
    method: 'POST', url: `/api/patrols?team=${teamId}`, headers: { 'content-type': 'text/csv' }, payload: `lon,lat,time\n${fixes.join('\n')}\n`
  })
  expect(upload.statusCode, upload.body).toBe(201)
  patrolId = String(upload.json().patrol.id)

  baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 })
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await t?.close()
})

describe('patrol workspace in headless Chromium', () => {
  it('draws the coverage of a commune account, then plans a 60-minute foot route from a clicked start', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const consoleErrors: string[] = []
    page.on('console', message => { if (message.type() === 'error') consoleErrors.push(message.text()) })
    const coverageRequests: string[] = []
    page.on('request', request => { if (request.url().includes('/api/coverage')) coverageRequests.push(request.url()) })

    await signIn(page, 'test.commune10525')
    await page.goto(`${baseUrl}/?view=patrols&lang=vi`)
    await drawn(page)
    expect(await page.evaluate(() => document.body.dataset.workspace)).toBe('patrols')

    // Coverage: the commune's cells, every one of the answer drawn.
    const last = new URL(coverageRequests[coverageRequests.length - 1]!)
    expect(last.searchParams.get('commune')).toBe('10525')
    const coverage = (await t.inject(`/api/coverage?${last.searchParams}`)).json()
    expect(coverage.cells.length).toBeGreaterThan(0)
    expect(Number(await page.evaluate(() => document.body.dataset.hexCount))).toBe(coverage.cells.length)
    const overlay = page.getByTestId('patrol-overlay')
    expect(Number(await overlay.getAttribute('data-gap-cells'))).toBe(coverage.gaps.length)
    expect(coverage.gaps.length).toBeGreaterThan(0)
    await page.getByTestId('patrol-legend').waitFor({ state: 'visible' })
    expect(await page.getByTestId('patrol-legend-gap').textContent()).toContain('Ô cần tăng cường')
    expect(await page.getByTestId('patrol-team-table').textContent()).toContain('Tổ tuần tra số 1 (e2e)')

    // Plan: team, start on the map, 60 minutes on foot. A start outside the commune is refused first.
    await page.getByTestId('plan-team').selectOption(teamId)
    const outside = await project(page, [106.3250, 20.9409])
    await page.mouse.click(outside.x, outside.y)
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-start"]')?.getAttribute('data-set') === 'true')
    await page.getByTestId('plan-submit').click()
    await page.getByTestId('plan-error').waitFor({ state: 'visible', timeout: 30_000 })
    expect(await page.getByTestId('plan-error').getAttribute('data-field')).toBe('start')
    expect(await page.getByTestId('plan-error').textContent()).toContain('ngoài địa bàn')
    expect(await overlay.getAttribute('data-waypoints')).toBe('0')
    const start = await project(page, START)
    await page.mouse.click(start.x, start.y)
    await page.waitForFunction(() => document.querySelector('[data-testid="plan-start"]')?.getAttribute('data-set') === 'true')
    await page.getByTestId('plan-minutes').fill('60')
    await page.getByTestId('plan-minutes').press('Tab')
    await page.getByTestId('plan-mode').getByText('Đi bộ').click()
    const planned = page.waitForResponse(r => r.url().endsWith('/api/patrol-plans') && r.request().method() === 'POST')
    await page.getByTestId('plan-submit').click()
    const answer = await planned
    expect(answer.status()).toBe(201)
    const plan = await answer.json()
    const sent = JSON.parse(answer.request().postData()!)
    expect(sent).toMatchObject({ team_id: teamId, minutes: 60, mode: 'foot' })
    // The click lands within a pixel of the projected point (~0.0001° at this zoom).
    expect(Math.abs(sent.start[0] - START[0])).toBeLessThan(0.0002)
    expect(Math.abs(sent.start[1] - START[1])).toBeLessThan(0.0002)
    await page.getByTestId('plan-result').waitFor({ state: 'visible', timeout: 30_000 })
    await drawn(page)

    const waypoints = plan.properties.waypoints as { lon: number, lat: number, order: number }[]
    expect(waypoints.length).toBeGreaterThan(0)
    expect(Number(await overlay.getAttribute('data-waypoints'))).toBe(waypoints.length)
    expect(Number(await page.getByTestId('plan-result').getAttribute('data-waypoints'))).toBe(waypoints.length)
    expect(Number(await overlay.getAttribute('data-route-points'))).toBe(plan.geometry.coordinates.length)
    expect(await page.getByTestId('plan-legs-note').textContent()).toMatch(/đường thẳng/)

    // Pixels: the first waypoint's numbered circle is drawn in the route colour.
    await page.mouse.move(5, 5)
    const first = waypoints.find(w => w.order === 1)!
    expect(await pixelsNear(page, await project(page, [first.lon, first.lat]), ROUTE_RGB)).toBeGreaterThan(30)

    // The GPX link downloads the plan.
    const href = await page.getByTestId('plan-gpx').getAttribute('href')
    expect(href).toBe(`/api/patrol-plans/${plan.properties.id}.gpx`)
    const gpx = await page.request.get(`${baseUrl}${href}`)
    expect(gpx.status()).toBe(200)
    expect(await gpx.text()).toContain('<gpx')

    // Nothing below the fold of the panel may make the page itself scroll (the header would go).
    expect(await page.evaluate(() => document.scrollingElement!.scrollHeight)).toBe(800)
    await page.screenshot({ path: resolve(screenshotDir, 'patrols-plan-vi.png') })
    await page.getByTestId('lang-en').click()
    await page.getByTestId('plan-legs-note').getByText('straight lines').waitFor({ state: 'visible' })
    await page.screenshot({ path: resolve(screenshotDir, 'patrols-plan-en.png') })
    // The refused start's 400 is logged by the browser itself, once; nothing else may be.
    expect(consoleErrors.filter(text => !/WebGL|GPU stall|swiftshader/i.test(text)))
      .toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)'])
    await page.close()
  }, 180_000)

  it('plays back an uploaded patrol with its time slider, in English too', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await signIn(page, 'test.commune10525')
    await page.goto(`${baseUrl}/?view=patrols&lang=vi`)
    await drawn(page)

    await page.locator(`[data-testid="patrol-list"] [data-patrol="${patrolId}"]`).click()
    const overlay = page.getByTestId('patrol-overlay')
    await page.waitForFunction((id) => document.querySelector('[data-testid="patrol-overlay"]')?.getAttribute('data-playback-patrol') === id, patrolId)
    await drawn(page)
    expect(Number(await overlay.getAttribute('data-trip-segments'))).toBeGreaterThanOrEqual(1)
    const playback = page.getByTestId('patrol-playback')
    await playback.waitFor({ state: 'visible' })

    // Pause and move the slider to the end: the trail ends at the walk's last fix, with the head there.
    if (await playback.getAttribute('data-playing') === 'true') await page.getByTestId('playback-toggle').click()
    expect(await playback.getAttribute('data-playing')).toBe('false')
    const duration = Number(await playback.getAttribute('data-duration'))
    expect(duration).toBe(600)
    await page.getByTestId('playback-slider').fill(String(duration))
    await page.waitForFunction(() => document.querySelector('[data-testid="patrol-playback"]')?.getAttribute('data-time') === '600')
    expect(await page.getByTestId('playback-clock').textContent()).toMatch(/^\d{2}:\d{2}:\d{2}$/)
    await page.mouse.move(5, 5)
    expect(await pixelsNear(page, await project(page, walkEnd), TRIP_RGB)).toBeGreaterThan(30)
    await page.screenshot({ path: resolve(screenshotDir, 'patrols-playback-vi.png') })

    // Play again from the end: it restarts and runs.
    await page.getByTestId('playback-toggle').click()
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="patrol-playback"]')?.getAttribute('data-time')) < 600)

    await page.getByTestId('lang-en').click()
    await page.getByTestId('patrol-plan').getByText('Plan a patrol route').waitFor({ state: 'visible' })
    expect(await page.getByTestId('patrol-legend').textContent()).toContain('Cells to reinforce')
    await page.getByTestId('playback-toggle').click()
    await page.screenshot({ path: resolve(screenshotDir, 'patrols-playback-en.png') })
    await page.close()
  }, 180_000)

  it('opens a province account on the commune with most incidents and lets it choose another', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const summaryRequests: string[] = []
    page.on('request', request => { if (request.url().includes('/api/provinces/31/summary')) summaryRequests.push(request.url()) })
    await signIn(page, 'test.province31')
    await page.goto(`${baseUrl}/?view=patrols&lang=vi`)
    await drawn(page)
    const panel = page.getByTestId('patrol-panel')
    await page.waitForFunction(() => document.querySelector('[data-testid="patrol-panel"]')?.getAttribute('data-commune') !== '')

    // The default is the summary's busiest commune of the same window.
    const summary = (await t.inject(`/api/provinces/31/summary?${new URL(summaryRequests[0]!).searchParams}`)).json()
    const busiest = [...summary.communes].sort((a: { total: number }, b: { total: number }) => b.total - a.total)[0].code
    expect(await panel.getAttribute('data-commune')).toBe(busiest)
    expect(await page.getByTestId('patrol-commune').inputValue()).toBe(busiest)

    // Another commune: its coverage is asked for and drawn.
    const other = busiest === '10507' ? '10525' : '10507'
    const coverage = page.waitForResponse(r => r.url().includes('/api/coverage') && r.url().includes(`commune=${other}`))
    await page.getByTestId('patrol-commune').selectOption(other)
    expect((await coverage).status()).toBe(200)
    await drawn(page)
    expect(await panel.getAttribute('data-commune')).toBe(other)
    await page.screenshot({ path: resolve(screenshotDir, 'patrols-province.png') })
    await page.close()
  }, 180_000)
})
