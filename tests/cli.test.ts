import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'
import { testApp } from './helpers/app.ts'

const run = promisify(execFile)
const tsx = resolve('node_modules/.bin/tsx')

/** Runs `npm run cli -- …` (the same entry point) against the run's test database. */
async function cli (...args: string[]) {
  try {
    const { stdout, stderr } = await run(tsx, ['server/cli.ts', ...args], {
      env: { ...process.env, DATABASE_URL: inject('databaseUrl'), GEO_DIR: inject('geoDir') }, timeout: 240_000
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number, stdout: string, stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp
beforeAll(async () => { t = await testApp() })
afterAll(async () => { await t.close() })

describe('npm run cli', () => {
  const hue = resolve(inject('geoDir'), 'hue_wards_2025.geojson')

  it('imports another province\'s communes, and re-importing updates them in place', async () => {
    const first = await cli('import-communes', hue)
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain('Imported 40 communes of province 46: 40 new, 0 updated')
    const second = await cli('import-communes', hue)
    expect(second.stdout).toContain('Imported 40 communes of province 46: 0 new, 40 updated')
    const [row] = await t.sql<{ n: number, parts: number }[]>`
      select count(*)::int as n, (select count(distinct commune_code)::int from commune_parts where province_code = '46') as parts
      from communes where province_code = '46'`
    expect(row).toEqual({ n: 40, parts: 40 })
  })

  it('generates demo data for that province and its hexes are served', async () => {
    const result = await cli('generate-demo', '--province', '46', '--seed', '11', '--days', '20')
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/Generated for province 46: \d+ teams/)
    const hexes = (await t.app.inject({ url: '/api/hexes?province=46&res=8' })).json()
    expect(hexes.cells.length).toBeGreaterThan(10)
    const [row] = await t.sql<{ n: number, other: number, unlabelled: number }[]>`
      select count(*)::int as n,
             count(*) filter (where commune_code not in (select code from communes where province_code = '46'))::int as other,
             count(*) filter (where not is_generated or description not like '[Dữ liệu mô phỏng / generated]%')::int as unlabelled
      from incidents where province_code = '46'`
    expect(hexes.total).toBe(row!.n)
    expect(row!.other).toBe(0)
    expect(row!.unlabelled).toBe(0)
    // Running it again replaces the generated set instead of adding to it.
    await cli('generate-demo', '--province', '46', '--seed', '11', '--days', '20')
    const [again] = await t.sql<{ n: number }[]>`select count(*)::int as n from incidents where province_code = '46'`
    expect(again!.n).toBe(row!.n)
  })

  it('explains a wrong command or a missing argument with exit code 2', async () => {
    for (const args of [['frobnicate'], ['import-communes'], ['generate-demo'], ['generate-demo', '--province', '46', '--days', 'many']]) {
      const result = await cli(...args)
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toMatch(/Error: .+\n\nUsage:/)
    }
  })
})
