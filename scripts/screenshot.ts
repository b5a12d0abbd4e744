/**
 * Screenshot of the dashboard in Debian's headless Chromium, once the hex layer is drawn.
 *
 *   npx tsx scripts/screenshot.ts <url> <out.png> [width height]
 *
 * Waits up to 60 s for `document.body.dataset.hexesReady === 'true'`; on timeout it still saves
 * the picture and exits 1. Logs console errors, page errors, failed requests and any request to
 * a host other than this machine (the page must work offline). Signs in through the login form
 * as SCREENSHOT_USER / SCREENSHOT_PASSWORD (default: the embedded demo's admin).
 */
import { chromium } from 'playwright-core'

const READY_TIMEOUT_MS = 60_000
/** Time after readiness for the last tiles of text (glyphs) and the deck canvas to settle. */
const SETTLE_MS = 750
/** Longest extra wait for the province outline and the basemap after the hexes are ready. */
const EXTRA_WAIT_MS = 10_000
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

function usage (): never {
  console.error('usage: npx tsx scripts/screenshot.ts <url> <out.png> [width height]')
  process.exit(2)
}

function isLocal (url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url)
    if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true
    return LOCAL_HOSTS.has(hostname) || hostname.startsWith('127.')
  } catch {
    return true
  }
}

async function main (): Promise<number> {
  const [url, out, w, h] = process.argv.slice(2)
  if (!url || !out) usage()
  const width = w ? Number(w) : 1280
  const height = h ? Number(h) : 800
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) usage()

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync'
    ]
  })
  let exitCode = 0
  try {
    const page = await browser.newPage({ viewport: { width, height } })
    page.on('console', (msg) => {
      if (msg.type() === 'error') console.log(`[console.error] ${msg.text()}`)
    })
    page.on('pageerror', (err) => console.log(`[pageerror] ${err.message}`))
    page.on('request', (req) => {
      if (!isLocal(req.url())) console.log(`[external request] ${req.method()} ${req.url()}`)
    })
    page.on('requestfailed', (req) => {
      const reason = req.failure()?.errorText ?? 'failed'
      // Requests aborted on purpose (stale fetches) are expected.
      if (reason !== 'net::ERR_ABORTED') console.log(`[request failed] ${req.url()} ${reason}`)
    })
    page.on('response', (res) => {
      if (res.status() >= 400) console.log(`[http ${res.status()}] ${res.url()}`)
    })

    const started = Date.now()
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: READY_TIMEOUT_MS })
    // The page asks for a sign-in first: SCREENSHOT_USER / SCREENSHOT_PASSWORD (default: the demo admin).
    await page.waitForFunction(() => document.body.dataset.authState !== undefined, undefined, { timeout: READY_TIMEOUT_MS })
    if (await page.evaluate(() => document.body.dataset.authState === 'anonymous')) {
      await page.getByTestId('login-username').fill(process.env.SCREENSHOT_USER ?? 'admin')
      await page.getByTestId('login-password').fill(process.env.SCREENSHOT_PASSWORD ?? 'demo-admin-2025')
      await page.getByTestId('login-submit').click()
    }
    try {
      await page.waitForFunction(() => document.body.dataset.hexesReady === 'true',
        undefined, { timeout: Math.max(1_000, READY_TIMEOUT_MS - (Date.now() - started)) })
      // The province outline is dissolved in a worker and may come a moment later; wait a
      // little for it and for MapLibre to finish loading glyphs, but do not fail on either.
      await page.waitForFunction(() => document.body.dataset.outlineReady === 'true',
        undefined, { timeout: EXTRA_WAIT_MS }).catch(() => console.log('province outline not drawn yet'))
      await page.waitForFunction(() => {
        const map = (window as unknown as { __dashboard?: { map?: { loaded: () => boolean } } }).__dashboard?.map
        return map?.loaded() ?? true
      }, undefined, { timeout: EXTRA_WAIT_MS }).catch(() => console.log('map still loading'))
      await page.waitForTimeout(SETTLE_MS)
      const hexCount = await page.evaluate(() => document.body.dataset.hexCount)
      console.log(`ready after ${Date.now() - started} ms, ${hexCount} hexes drawn`)
    } catch {
      console.log(`timed out after ${READY_TIMEOUT_MS / 1000} s waiting for hexesReady`)
      exitCode = 1
    }
    await page.screenshot({ path: out })
    console.log(`saved ${out} (${width}×${height})`)
  } finally {
    await browser.close()
  }
  return exitCode
}

main().then(code => process.exit(code), (err) => {
  console.error(err)
  process.exit(1)
})
