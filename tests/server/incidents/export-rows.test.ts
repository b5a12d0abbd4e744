import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp } from '../../helpers/app.ts'
import { incidentRepository } from '../../../server/incidents/repository.ts'
import { storedCellOf } from '../../../server/h3/cells.ts'
import { sleep } from '../transfer/raw-http.ts'

type TestApp = Awaited<ReturnType<typeof testApp>>
let t: TestApp

const FROM = new Date('2017-03-01T00:00:00+07:00')
const TO = new Date('2017-04-01T00:00:00+07:00')
const filter = { area: { kind: 'commune' as const, code: '10525' }, categories: null, from: FROM, to: TO }

beforeAll(async () => {
  t = await testApp()
  await t.sql`delete from incidents where occurred_at >= ${FROM} and occurred_at < ${TO}`
  const h3 = String(storedCellOf(106.3313, 20.9409))
  await t.sql`
    insert into incidents (province_code, commune_code, category, severity, occurred_at, description, geom, h3)
    select '31', '10525', 'other', 1, ${FROM}::timestamptz + n * interval '1 hour', 'row ' || n,
           st_setsrid(st_makepoint(106.3313, 20.9409), 4326), ${h3}::bigint
    from generate_series(1, 25) as n`
})
afterAll(async () => {
  await t.sql`delete from incidents where occurred_at >= ${FROM} and occurred_at < ${TO}`
  await t.close()
})

describe('incidentRepository.exportRows', () => {
  // Regression: postgres.js does not await the cursor callback of the last (partial) page, so an
  // export whose reader was slow at the end finished (and ended the response) before its last rows
  // were written: a complete-looking file with its tail missing.
  it('returns only after the callback of the last, partial page has finished', async () => {
    const written: string[] = []
    await t.sql.begin(async tx => {
      await incidentRepository(tx as never).exportRows(filter, 10, async rows => {
        await sleep(150) // a reader that takes a while
        for (const row of rows) written.push(row.description)
      })
    })
    // 25 rows in pages of 10: two full pages and a last one of 5, all written, in export order.
    expect(written).toEqual(Array.from({ length: 25 }, (_, i) => `row ${i + 1}`))
  })
})
