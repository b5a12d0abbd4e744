import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchBrowser, screenshotDir, signIn as signInAs } from './browser.ts'
import { testApp } from '../helpers/app.ts'


type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
let browser: Browser
let baseUrl: string
let coordinator: string

/** Phường Hải Dương (10525), Hải Phòng: two flood zones by the river, a school shelter, one team. */
const COMMUNE = '10525'
const CENTRE = { lon: 106.3313, lat: 20.9409 }
const ZONE_A = { name: 'Khu dân cư ven sông (e2e)', population: 200, households: 50, elderly: 12, disabled: 3, children: 30 }
const ZONE_B = { name: 'Xóm bãi giữa (e2e)', population: 100, households: 25 }
const SHELTER_CAPACITY = 40
let zoneA: string
let zoneB: string
let teamId: string
let shelterId: string

const square = (lon: number, lat: number, size: number) => ({
  type: 'Polygon',
  coordinates: [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]]
})

/** The commune's totals as the API counts them (the bar must show the same share). */
async function communeTotals () {
  const res = await t.injectAs(coordinator, `/api/evacuation/communes/${COMMUNE}`)
  expect(res.statusCode).toBe(200)
  const { totals } = res.json() as { totals: { population: number, moved: { people: number } } }
  return { population: totals.population, moved: totals.moved.people }
}

const signIn = (page: Page, username: string) => signInAs(t, page, baseUrl, username)

async function openEvacuation (page: Page, lang: 'vi' | 'en') {
  await page.goto(`${baseUrl}/?view=evacuation&lang=${lang}`)
  await page.waitForFunction(() => document.body.dataset.workspace === 'evacuation' &&
    document.body.dataset.hexesReady === 'true' && document.body.dataset.mapReady === 'true', null, { timeout: 90_000 })
}

/** Screen position of a lon/lat on the map. */
async function screenPoint (page: Page, lon: number, lat: number) {
  return page.evaluate(([lon, lat]) => {
    const map = (window as unknown as { __dashboard: { map: { project: (p: [number, number]) => { x: number, y: number }, getCanvas: () => HTMLCanvasElement } } }).__dashboard.map
    const p = map.project([lon!, lat!])
    const box = map.getCanvas().getBoundingClientRect()
    return { x: box.left + p.x, y: box.top + p.y }
  }, [lon, lat])
}

const bar = (page: Page) => page.locator(`[data-testid="evacuation-commune-progress"][data-commune="${COMMUNE}"]`)

beforeAll(async () => {
  t = await testApp()
  coordinator = await t.login('test.coordinator31')
  const teams = await t.sql<{ id: bigint }[]>`
    insert into teams (province_code, commune_code, name) values ('31', ${COMMUNE}, 'Tổ xung kích số 2 (e2e)') returning id`
  teamId = String(teams[0]!.id)

  const created = await t.injectAs(coordinator, {
    method: 'POST',
    url: '/api/evacuation/zones',
    payload: {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', geometry: square(CENTRE.lon + 0.0045, CENTRE.lat - 0.002, 0.004), properties: { commune_code: COMMUNE, risk_level: 3, ...ZONE_A } },
        { type: 'Feature', geometry: square(CENTRE.lon + 0.001, CENTRE.lat - 0.002, 0.003), properties: { commune_code: COMMUNE, risk_level: 2, ...ZONE_B } }
      ]
    }
  })
  expect(created.statusCode, created.body).toBe(201)
  const ids = created.json().zones.features.map((f: { properties: { id: string } }) => f.properties.id)
  ;[zoneA, zoneB] = ids

  const shelter = await t.injectAs(coordinator, {
    method: 'POST',
    url: '/api/evacuation/shelters',
    payload: { name: 'Trường THCS Hải Dương (e2e)', lon: CENTRE.lon - 0.001, lat: CENTRE.lat + 0.004, capacity: SHELTER_CAPACITY }
  })
  expect(shelter.statusCode, shelter.body).toBe(201)
  shelterId = shelter.json().properties.id

  const rescue = await t.injectAs(coordinator, {
    method: 'POST',
    url: `/api/evacuation/zones/${zoneB}/rescue-requests`,
    payload: { lon: CENTRE.lon + 0.0022, lat: CENTRE.lat - 0.0008, people: 4, urgency: 'critical', description: 'Cụ già mắc kẹt trên mái nhà (e2e)' }
  })
  expect(rescue.statusCode, rescue.body).toBe(201)

  const assigned = await t.injectAs(coordinator, { method: 'PUT', url: `/api/evacuation/zones/${zoneA}/teams`, payload: { team_ids: [teamId] } })
  expect(assigned.statusCode, assigned.body).toBeLessThan(300)

  baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 })
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await t?.close()
})

describe('evacuation workspace in headless Chromium', () => {
  it('draws the zones, orders an evacuation from a zone\'s card, records progress and moves the commune\'s bar', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    const consoleErrors: string[] = []
    page.on('console', message => { if (message.type() === 'error') consoleErrors.push(message.text()) })
    await signIn(page, 'test.coordinator31')
    await openEvacuation(page, 'vi')

    // Every zone of the province is drawn (other test files may have added some).
    const zones = (await t.injectAs(coordinator, '/api/evacuation/zones?province=31')).json()
    expect(zones.features.length).toBeGreaterThanOrEqual(2)
    expect(Number(await page.evaluate(() => document.body.dataset.hexCount))).toBe(zones.features.length)
    expect(await page.getByTestId('evacuation-legend').textContent()).toContain('Lệnh sơ tán')

    // The commune's bar starts at the API's share.
    const before = await communeTotals()
    expect(before.population).toBeGreaterThanOrEqual(ZONE_A.population + ZONE_B.population)
    expect(Number(await bar(page).getAttribute('aria-valuenow'))).toBe(Math.floor((100 * before.moved) / before.population))

    // A click on the map inside zone B opens its card; then zone A from the list.
    await page.evaluate(([lon, lat]) => {
      (window as unknown as { __dashboard: { map: { jumpTo: (o: object) => void } } }).__dashboard.map.jumpTo({ center: [lon, lat], zoom: 14 })
    }, [CENTRE.lon, CENTRE.lat])
    const inB = await screenPoint(page, CENTRE.lon + 0.0025, CENTRE.lat - 0.0005)
    await page.mouse.click(inB.x, inB.y)
    const card = page.getByTestId('evacuation-zone-card')
    await page.locator(`[data-testid="evacuation-zone-card"][data-zone-id="${zoneB}"]`).waitFor({ timeout: 15_000 })
    await page.locator(`[data-testid="evacuation-zone-item"][data-zone-id="${zoneA}"]`).click()
    await page.locator(`[data-testid="evacuation-zone-card"][data-zone-id="${zoneA}"][data-status="normal"]`).waitFor()
    expect(await card.textContent()).toContain('Chưa có lệnh sơ tán')

    // Order the evacuation from the card.
    await card.locator('[data-testid="evacuation-next"][data-status="evacuate_now"]').click()
    await page.locator(`[data-testid="evacuation-zone-card"][data-zone-id="${zoneA}"][data-status="evacuate_now"]`).waitFor({ timeout: 15_000 })
    expect(await page.getByTestId('evacuation-card-status').textContent()).toContain('Lệnh sơ tán')

    // Report more people than the shelter holds: the server's 409 is shown, with the offer to force it.
    const people = 57
    await page.getByTestId('evacuation-report-households').fill('15')
    await page.getByTestId('evacuation-report-people').fill(String(people))
    await page.getByTestId('evacuation-report-elderly').fill('4')
    await page.getByTestId('evacuation-report-team').selectOption(teamId)
    await page.getByTestId('evacuation-report-shelter').selectOption(shelterId)
    await page.getByTestId('evacuation-report-submit').click()
    const error = page.getByTestId('evacuation-report-error')
    await error.waitFor({ timeout: 15_000 })
    expect(await error.getAttribute('data-code')).toBe('shelter_capacity_exceeded')
    expect(Number(await bar(page).getAttribute('aria-valuenow'))).toBe(Math.floor((100 * before.moved) / before.population))
    await page.getByTestId('evacuation-report-reason').fill('Dựng thêm lều bạt ở sân trường')
    await page.screenshot({ path: resolve(screenshotDir, 'evacuation-force.png') })
    await page.getByTestId('evacuation-report-force-submit').click()
    await page.getByTestId('evacuation-report-sent').waitFor({ timeout: 15_000 })

    // The commune's bar moves to the share of the numbers sent.
    const expected = Math.floor((100 * (before.moved + people)) / before.population)
    expect(expected).toBeGreaterThan(Math.floor((100 * before.moved) / before.population))
    await page.waitForFunction(([code, value]) =>
      document.querySelector(`[data-testid="evacuation-commune-progress"][data-commune="${code}"]`)?.getAttribute('aria-valuenow') === String(value),
    [COMMUNE, expected] as const, { timeout: 15_000 })
    const after = await communeTotals()
    expect(after.moved).toBe(before.moved + people)
    const widths = await bar(page).evaluate((el) => {
      const fill = el.firstElementChild as HTMLElement
      return { fill: fill.style.width }
    })
    expect(parseFloat(widths.fill)).toBeCloseTo((100 * after.moved) / after.population, 1)
    // The first report moves the zone on to "evacuating".
    await page.locator(`[data-testid="evacuation-zone-card"][data-zone-id="${zoneA}"][data-status="evacuating"]`).waitFor({ timeout: 15_000 })
    expect(Number(await page.getByTestId('evacuation-card-moved').textContent().then(s => s!.replace(/\D/g, '')))).toBe(people)

    // More people than remain at risk: the server's 400 names it, nothing changes.
    await page.getByTestId('evacuation-report-households').fill('1')
    await page.getByTestId('evacuation-report-people').fill(String(ZONE_A.population))
    await page.getByTestId('evacuation-report-submit').click()
    await page.locator('[data-testid="evacuation-report-error"][data-code="moved_exceeds_at_risk"]').waitFor({ timeout: 15_000 })
    await page.waitForFunction(() => document.body.dataset.hexesReady === 'true', null, { timeout: 30_000 })
    await page.screenshot({ path: resolve(screenshotDir, 'evacuation-vi.png') })

    // The browser logs the two refusals this test provoked (409 over capacity, 400 over at risk); nothing else.
    expect(consoleErrors.filter(text => !/WebGL|GPU stall|swiftshader/i.test(text))).toEqual([
      'Failed to load resource: the server responded with a status of 409 (Conflict)',
      'Failed to load resource: the server responded with a status of 400 (Bad Request)'
    ])
    await page.close()
  })

  it('refreshes on evacuation events of the live stream, and speaks English on the switch', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await signIn(page, 'test.coordinator31')
    await openEvacuation(page, 'vi')
    await page.locator('[data-testid="evacuation-live"][data-live="true"]').waitFor({ timeout: 30_000 })

    // Someone else records progress (the API, not this page): the bar follows without a reload.
    const before = await communeTotals()
    const zone = (await t.injectAs(coordinator, `/api/evacuation/zones?commune=${COMMUNE}`)).json()
      .features.find((f: { properties: { id: string } }) => f.properties.id === zoneA)
    expect(zone.properties.status).toBe('evacuating')
    const reported = await t.injectAs(coordinator, {
      method: 'POST', url: `/api/evacuation/zones/${zoneA}/progress`, payload: { households: 5, people: 20 }
    })
    expect(reported.statusCode, reported.body).toBe(201)
    const expected = Math.floor((100 * (before.moved + 20)) / before.population)
    await page.waitForFunction(([code, value]) =>
      document.querySelector(`[data-testid="evacuation-commune-progress"][data-commune="${code}"]`)?.getAttribute('aria-valuenow') === String(value),
    [COMMUNE, expected] as const, { timeout: 30_000 })

    // The timeline by day: the API's 30 days plus today, drawn up to the people moved so far.
    const timeline = page.getByTestId('evacuation-timeline')
    const daily = (await t.injectAs(coordinator, '/api/evacuation/timeline?province=31&step=day')).json()
    await timeline.getByRole('button', { name: 'Theo ngày' }).click()
    await page.waitForFunction((n) => document.querySelector('[data-testid="evacuation-timeline"]')?.getAttribute('data-points') === String(n),
      daily.points.length, { timeout: 15_000 })
    expect(Number(await timeline.getAttribute('data-last'))).toBe(daily.points[daily.points.length - 1].people_moved)
    expect(await timeline.getAttribute('open')).not.toBeNull()
    await page.screenshot({ path: resolve(screenshotDir, 'evacuation-overview-vi.png') })

    await page.getByTestId('lang-en').click()
    await page.waitForFunction(() => document.querySelector('[data-testid="evacuation-legend"]')?.textContent?.includes('Evacuate now'))
    expect(await page.getByTestId('evacuation-panel').textContent()).toContain('Progress by commune')
    await page.locator(`[data-testid="evacuation-zone-item"][data-zone-id="${zoneA}"]`).click()
    await page.locator(`[data-testid="evacuation-zone-card"][data-zone-id="${zoneA}"]`).waitFor()
    expect(await page.getByTestId('evacuation-card-status').textContent()).toContain('Evacuating')
    // Close to the zones: team, shelter and the rescue request are drawn beside them.
    const overlay = page.getByTestId('evacuation-overlay')
    expect(Number(await overlay.getAttribute('data-rescue'))).toBeGreaterThanOrEqual(1)
    expect(Number(await overlay.getAttribute('data-teams'))).toBeGreaterThanOrEqual(1)
    expect(Number(await overlay.getAttribute('data-shelters'))).toBeGreaterThanOrEqual(1)
    await page.evaluate(([lon, lat]) => new Promise<void>((done) => {
      const map = (window as unknown as { __dashboard: { map: { jumpTo: (o: object) => void, once: (e: string, f: () => void) => void } } }).__dashboard.map
      map.once('idle', () => done())
      map.jumpTo({ center: [lon, lat], zoom: 15 })
    }), [CENTRE.lon + 0.003, CENTRE.lat])
    await page.screenshot({ path: resolve(screenshotDir, 'evacuation-en.png') })
    await page.close()
  })
})
