import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cellToParent, getResolution, latLngToCell } from 'h3-js'
import { inject } from 'vitest'
import { openDatabase, type Database } from '../../../server/db/connection.ts'
import { bigintToH3, h3ToBigintString } from '../../../server/h3/cells.ts'
import { mulberry32 } from '../../helpers/random-incidents.ts'


describe('SQL h3_parent(bigint, int)', () => {
  let db: Database
  beforeAll(async () => { db = await openDatabase({ databaseUrl: inject('databaseUrl'), pgliteDir: '' }) })
  afterAll(async () => { await db.close() })

  it('equals h3-js cellToParent on 3,000 cells at every resolution 0–10', async () => {
    const random = mulberry32(42)
    const cells: string[] = []
    // Worldwide points, including both poles' neighbourhoods and the antimeridian, plus Vietnam.
    for (let i = 0; i < 2_000; i++) cells.push(latLngToCell(random() * 180 - 90, random() * 360 - 180, 10))
    for (let i = 0; i < 1_000; i++) cells.push(latLngToCell(8 + random() * 16, 102 + random() * 8, 10))
    const ints = cells.map(h3ToBigintString)
    const rows = await db.sql<{ cell: bigint, res: number, parent: bigint, cell_res: number }[]>`
      select c.cell, r.res, h3_parent(c.cell, r.res) as parent, h3_resolution(c.cell) as cell_res
      from unnest(${ints}::bigint[]) as c (cell) cross join generate_series(0, 10) as r (res)`
    expect(rows).toHaveLength(cells.length * 11)
    let mismatches = 0
    for (const row of rows) {
      const cell = bigintToH3(row.cell)
      expect(row.cell_res).toBe(getResolution(cell))
      if (bigintToH3(row.parent) !== cellToParent(cell, row.res)) mismatches++
    }
    expect(mismatches).toBe(0)
  })

  it('returns the cell itself at its own resolution and null for a finer one', async () => {
    const cell = latLngToCell(20.86, 106.68, 7)
    const [row] = await db.sql<{ same: bigint, finer: bigint | null }[]>`
      select h3_parent(${h3ToBigintString(cell)}::bigint, 7) as same, h3_parent(${h3ToBigintString(cell)}::bigint, 8) as finer`
    expect(bigintToH3(row!.same)).toBe(cell)
    expect(row!.finer).toBeNull()
  })
})
