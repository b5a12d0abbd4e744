import { describe, expect, it } from 'vitest'
import { cellArea, gridDisk, polygonToCells } from 'h3-js'
import { MAX_ANALYSIS_CELLS, MAX_ANALYSIS_WORK, checkWorkBudget, estimateCells, estimateWork, ringSize } from '../../server/analysis/work-budget.ts'

const province = { kind: 'province' as const, code: '31' }
const commune = { kind: 'commune' as const, code: '10525' }
const HAI_PHONG_KM2 = 3088
const all = ['res', 'k', 'steps'] as const

describe('ringSize', () => {
  it('is the number of cells gridDisk returns', () => {
    for (const k of [0, 1, 2, 3, 4]) expect(ringSize(k)).toBe(gridDisk('8941422b3a3ffff', k).length)
  })
})

describe('estimateCells', () => {
  it('is within 15 % of polygonToCells on a 0.1° square in Hải Phòng, and not below it', () => {
    const square = [[[106.6, 20.8], [106.7, 20.8], [106.7, 20.9], [106.6, 20.9], [106.6, 20.8]]]
    for (const res of [7, 8, 9]) {
      const cells = polygonToCells(square, res, true)
      const km2 = cells.reduce((sum, cell) => sum + cellArea(cell, 'km2'), 0)
      const estimate = estimateCells(km2, res)
      expect(estimate, `res ${res}`).toBeGreaterThanOrEqual(cells.length)
      expect(estimate / cells.length, `res ${res}`).toBeLessThan(1.15)
    }
  })
})

describe('checkWorkBudget', () => {
  it('accepts the web default over a province (res 9, k 1, 12 steps) and a commune at res 10, k 3, 52 steps', () => {
    expect(checkWorkBudget({ area: province, areaKm2: HAI_PHONG_KM2, res: 9, k: 1, steps: 12, parameters: all, minRes: 5 }).ok).toBe(true)
    expect(checkWorkBudget({ area: commune, areaKm2: 30, res: 10, k: 3, steps: 52, parameters: all, minRes: 5 }).ok).toBe(true)
  })

  it('refuses the issue\'s request (province, res 10, k 3, 52 steps) on the cell count, suggesting res 9 and a commune', () => {
    const verdict = checkWorkBudget({ area: province, areaKm2: HAI_PHONG_KM2, res: 10, k: 3, steps: 52, parameters: all, minRes: 5 })
    expect(verdict.ok).toBe(false)
    if (verdict.ok) return
    expect(verdict.cells).toBe(Math.ceil(HAI_PHONG_KM2 / 0.01504750190766435))
    expect(verdict.work).toBe(verdict.cells * 52 * 37)
    expect(verdict.field).toBe('res')
    expect(verdict.message).toContain(`${MAX_ANALYSIS_CELLS.toLocaleString('en-US')} cells`)
    // At res 9 the cells fit but 52 steps × 37 do not; res 7 is the first that fits with k 3 and 52 steps.
    expect(verdict.message).toContain('res=7 or coarser')
    expect(verdict.message).toContain('a commune instead of the province')
  })

  it('prices cells × steps × ring exactly at the boundary', () => {
    // 4,189 cells at res 8: 4189 × 37 = 154,993 per step, so 25 steps fit and 26 do not.
    const cells = estimateCells(HAI_PHONG_KM2, 8)
    expect(cells).toBe(4189)
    const most = Math.floor(MAX_ANALYSIS_WORK / (cells * 37))
    expect(most).toBe(25)
    expect(checkWorkBudget({ area: province, areaKm2: HAI_PHONG_KM2, res: 8, k: 3, steps: most, parameters: all, minRes: 5 }).ok).toBe(true)
    const over = checkWorkBudget({ area: province, areaKm2: HAI_PHONG_KM2, res: 8, k: 3, steps: most + 1, parameters: all, minRes: 5 })
    expect(over.ok).toBe(false)
    if (over.ok) return
    expect(over.field).toBe('res,k,steps')
    expect(over.message).toMatch(/^res, k, steps: province 31 needs ~4,189 cells × 26 steps × 37 cells in the k=3 ring = 4,029,818, over the budget of 4,000,000/)
    expect(over.message).toContain('steps=25 or fewer')
    expect(over.message).toContain('k=2')
    expect(over.message).toContain('res=7 or coarser')
  })

  it('suggests only the parameters the endpoint has', () => {
    const verdict = checkWorkBudget({ area: province, areaKm2: HAI_PHONG_KM2, res: 10, k: 1, steps: 1, parameters: ['res'], minRes: 7 })
    expect(verdict.ok).toBe(false)
    if (verdict.ok) return
    expect(verdict.message).toContain('res=9 or coarser')
    expect(verdict.message).not.toMatch(/k=|steps=/)
    // A commune already: nothing about communes, and nothing coarser than minRes.
    const huge = checkWorkBudget({ area: commune, areaKm2: 1e6, res: 7, k: 1, steps: 1, parameters: ['res'], minRes: 7 })
    expect(huge.ok).toBe(false)
    if (!huge.ok) expect(huge.message).toMatch(/narrow it: a smaller area$/)
  })

  it('is monotone: a finer res, a larger k or more steps never fits when a cheaper one does not', () => {
    for (const areaKm2 of [30, 500, HAI_PHONG_KM2, 16_000]) {
      for (let res = 5; res <= 10; res++) {
        for (const k of [1, 2, 3]) {
          for (const steps of [1, 2, 12, 52]) {
            const { cells, work } = estimateWork(areaKm2, res, k, steps)
            const ok = checkWorkBudget({ area: province, areaKm2, res, k, steps, parameters: all, minRes: 5 }).ok
            expect(ok).toBe(cells <= MAX_ANALYSIS_CELLS && work <= MAX_ANALYSIS_WORK)
            if (!ok && res < 10) expect(checkWorkBudget({ area: province, areaKm2, res: res + 1, k, steps, parameters: all, minRes: 5 }).ok).toBe(false)
            if (!ok && k < 3) expect(checkWorkBudget({ area: province, areaKm2, res, k: k + 1, steps, parameters: all, minRes: 5 }).ok).toBe(false)
          }
        }
      }
    }
  })
})
