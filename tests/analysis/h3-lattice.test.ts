import { describe, expect, it } from 'vitest'
import { cellToParent, getBaseCellNumber, getResolution, gridDisk, gridDistance, isPentagon, latLngToCell } from 'h3-js'
import { latticeDistance, latticeInBaseCell, latticePosition } from '../../server/analysis/h3-lattice.ts'
import { mulberry32 } from '../helpers/random-incidents.ts'


describe('H3 base-cell lattice positions', () => {
  it('read the base cell and resolution from the index like h3-js does', () => {
    const random = mulberry32(5)
    for (let t = 0; t < 500; t++) {
      const cell = latLngToCell(random() * 180 - 90, random() * 360 - 180, Math.floor(random() * 16))
      const at = latticePosition(cell)
      expect(at.baseCell).toBe(getBaseCellNumber(cell))
      expect(at.res).toBe(getResolution(cell))
    }
  })

  it('give the H3 grid distance between cells of one hexagon base cell, at every resolution, worldwide', () => {
    const random = mulberry32(9)
    let compared = 0
    for (let t = 0; t < 400; t++) {
      const res = 1 + (t % 15)
      const cell = latLngToCell(random() * 180 - 90, random() * 360 - 180, res)
      if (isPentagon(cellToParent(cell, 0))) continue
      const a = latticePosition(cell)
      for (const other of gridDisk(cell, 3)) {
        const b = latticePosition(other)
        if (b.baseCell !== a.baseCell) continue
        expect(latticeDistance(b.i - a.i, b.j - a.j)).toBe(gridDistance(cell, other))
        compared++
      }
    }
    expect(compared).toBeGreaterThan(5000)
  })

  it('place cells of one hexagon base cell that are not within k of each other more than k apart', () => {
    // The converse direction: lattice distance ≤ 2 must mean grid distance ≤ 2.
    const cells = gridDisk(latLngToCell(20.86, 106.68, 9), 8)
    const positions = cells.map(latticePosition)
    for (let i = 0; i < cells.length; i += 7) {
      for (let j = 0; j < cells.length; j++) {
        if (positions[i].baseCell !== positions[j].baseCell) continue
        const near = latticeDistance(positions[j].i - positions[i].i, positions[j].j - positions[i].j) <= 2
        expect(near).toBe(gridDistance(cells[i], cells[j]) <= 2)
      }
    }
  })

  it('tell exactly which positions around a cell are cells of its base cell, near base-cell edges too', () => {
    // Around random cells, every lattice position within 3 is inside the base cell exactly when a
    // cell of gridDisk(cell, 3) in that base cell sits there.
    const random = mulberry32(13)
    let inside = 0
    let outside = 0
    for (let t = 0; t < 1500; t++) {
      const res = 1 + (t % 15)
      const cell = latLngToCell(random() * 180 - 90, random() * 360 - 180, res)
      if (isPentagon(cellToParent(cell, 0))) continue
      const a = latticePosition(cell)
      expect(latticeInBaseCell(res, a.i, a.j)).toBe(true)
      const occupied = new Set<string>()
      for (const other of gridDisk(cell, 3)) {
        const b = latticePosition(other)
        if (b.baseCell === a.baseCell) occupied.add(`${b.i},${b.j}`)
      }
      for (let di = -3; di <= 3; di++) {
        for (let dj = -3; dj <= 3; dj++) {
          if (latticeDistance(di, dj) > 3) continue
          const isInside = latticeInBaseCell(res, a.i + di, a.j + dj)
          expect(isInside).toBe(occupied.has(`${a.i + di},${a.j + dj}`))
          if (isInside) inside++
          else outside++
        }
      }
    }
    // Low resolutions put many positions across a base-cell edge: both answers are exercised.
    expect(outside).toBeGreaterThan(1000)
    expect(inside).toBeGreaterThan(10000)
  })

  it('reject strings that are not canonical cell indexes', () => {
    expect(() => latticePosition('8841422B39FFFFF')).toThrow(/Not an H3 cell string/)
    expect(() => latticePosition('hello')).toThrow(/Not an H3 cell string/)
  })
})
