import { existsSync, mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { TEST_PASSWORD, type testApp } from '../helpers/app.ts'

/** Screenshots the browser tests save for a person to look at (gitignored). */
export const screenshotDir = resolve('tests/e2e/screenshots')
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Debian's Chromium, headless, with WebGL2 through SwiftShader and no background traffic. */
export async function launchBrowser (): Promise<Browser> {
  if (!existsSync(resolve('dist/web/index.html'))) throw new Error('dist/web is missing: run `npm run build` (npm test does) before the browser tests')
  mkdirSync(screenshotDir, { recursive: true })
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--no-sandbox', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync']
  })
}

/** Signs the page's browser context in through the API (the login form has its own test). */
export async function signIn (t: Awaited<ReturnType<typeof testApp>>, page: Page, baseUrl: string, username: string): Promise<void> {
  const res = await t.injectAs(null, { method: 'POST', url: '/api/auth/login', payload: { username, password: TEST_PASSWORD } })
  const cookie = res.cookies.find(c => c.name === 'vnpm_session')!
  await page.context().addCookies([{ name: cookie.name, value: cookie.value, url: baseUrl }])
}
