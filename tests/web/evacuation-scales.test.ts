import { describe, expect, it } from 'vitest'
import {
  LEGEND_STATUSES, SHELTER_CLOSED_COLOR, SHELTER_MAX_RADIUS, SHELTER_MIN_RADIUS, STATUS_COLORS, STATUS_PRIORITY,
  URGENCY_RADIUS, cssColor, occupancyColor, occupancyShare, shelterFill, shelterRadius, statusColor, statusRank,
  urgencyColor, urgencyRadius, zoneFill
} from '../../web/src/lib/evacuation/evacuation-scales.ts'
import { ZONE_STATUSES } from '../../web/src/lib/api/evacuation.ts'
import { ZONE_STATUSES as SERVER_STATUSES, ZONE_TRANSITIONS } from '../../server/domain/zone-status.ts'
import { vi } from '../../web/src/lib/i18n/vi.ts'
import { en } from '../../web/src/lib/i18n/en.ts'

describe('zone status colours and labels', () => {
  it('knows exactly the server\'s statuses, in workflow order', () => {
    expect([...ZONE_STATUSES]).toEqual([...SERVER_STATUSES])
    expect([...LEGEND_STATUSES]).toEqual([...SERVER_STATUSES])
    expect([...STATUS_PRIORITY].sort()).toEqual([...SERVER_STATUSES].sort())
  })

  it('gives every status its own colour', () => {
    const colours = ZONE_STATUSES.map(s => STATUS_COLORS[s].join(','))
    expect(new Set(colours).size).toBe(ZONE_STATUSES.length)
  })

  it('colours the evacuation order the reddest of all', () => {
    const redness = (s: typeof ZONE_STATUSES[number]) => STATUS_COLORS[s][0] - (STATUS_COLORS[s][1] + STATUS_COLORS[s][2]) / 2
    for (const s of ZONE_STATUSES) if (s !== 'evacuate_now') expect(redness('evacuate_now')).toBeGreaterThan(redness(s))
  })

  it('escalates watch → warning → evacuate_now from yellow to red (the green channel falls)', () => {
    expect(STATUS_COLORS.watch[1]).toBeGreaterThan(STATUS_COLORS.warning[1])
    expect(STATUS_COLORS.warning[1]).toBeGreaterThan(STATUS_COLORS.evacuate_now[1])
  })

  it('falls back to the normal colour for an unknown status, and fills the selected zone more strongly', () => {
    expect(statusColor('flooded')).toEqual(STATUS_COLORS.normal)
    expect(zoneFill('warning', true)[3]).toBeGreaterThan(zoneFill('warning')[3])
    expect(zoneFill('warning').slice(0, 3)).toEqual(STATUS_COLORS.warning)
  })

  it('lists zones that need people moved first', () => {
    expect(statusRank('evacuate_now')).toBe(0)
    expect(statusRank('evacuating')).toBe(1)
    expect(statusRank('normal')).toBe(STATUS_PRIORITY.length - 1)
    expect(statusRank('unknown')).toBe(STATUS_PRIORITY.length)
  })

  it('has the Vietnamese legend labels and an English label for every status and next-step action', () => {
    expect(ZONE_STATUSES.map(s => vi[`evacuation.status.${s}`])).toEqual(
      ['Bình thường', 'Theo dõi', 'Cảnh báo', 'Lệnh sơ tán', 'Đang sơ tán', 'Đã sơ tán', 'An toàn trở lại'])
    for (const s of ZONE_STATUSES) {
      expect(en[`evacuation.status.${s}`]).toMatch(/^[A-Z]/)
      expect(en[`evacuation.status.${s}`]).not.toBe(vi[`evacuation.status.${s}`])
    }
    const targets = new Set(Object.values(ZONE_TRANSITIONS).flat())
    for (const s of targets) {
      expect(vi[`evacuation.action.${s}` as keyof typeof vi]).toBeTruthy()
      expect(en[`evacuation.action.${s}` as keyof typeof en]).toBeTruthy()
    }
  })

  it('keeps the English catalogue in step with the Vietnamese one (same keys, same placeholders)', () => {
    const keys = Object.keys(vi).filter(k => k.startsWith('evacuation.'))
    expect(keys.length).toBeGreaterThan(50)
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map(m => m[1]).sort()
    for (const key of keys) {
      const k = key as keyof typeof vi
      expect(en[k], key).toBeTruthy()
      expect(placeholders(en[k]), key).toEqual(placeholders(vi[k]))
    }
  })
})

describe('shelter scales', () => {
  it('grows the circle area with capacity (radius ∝ √capacity), clamped at both ends', () => {
    expect(shelterRadius(400) / shelterRadius(100)).toBeCloseTo(2, 5)
    expect(shelterRadius(0)).toBe(SHELTER_MIN_RADIUS)
    expect(shelterRadius(-5)).toBe(SHELTER_MIN_RADIUS)
    expect(shelterRadius(1_000_000)).toBe(SHELTER_MAX_RADIUS)
    expect(shelterRadius(300)).toBeGreaterThan(shelterRadius(200))
  })

  it('computes the occupancy share, counting a shelter without capacity as full once anyone is in it', () => {
    expect(occupancyShare(50, 200)).toBe(0.25)
    expect(occupancyShare(250, 200)).toBe(1.25)
    expect(occupancyShare(0, 0)).toBe(0)
    expect(occupancyShare(3, 0)).toBe(1)
  })

  it('runs the fill from green (empty) through amber to red (full), and clamps beyond', () => {
    expect(occupancyColor(0)).toEqual([46, 160, 90])
    expect(occupancyColor(0.5)).toEqual([240, 180, 40])
    expect(occupancyColor(1)).toEqual([200, 30, 30])
    expect(occupancyColor(1.7)).toEqual(occupancyColor(1))
    expect(occupancyColor(-1)).toEqual(occupancyColor(0))
    const quarter = occupancyColor(0.25)
    expect(quarter[0]).toBe(Math.round((46 + 240) / 2))
  })

  it('greys out closed shelters whatever their occupancy', () => {
    expect(shelterFill({ capacity: 100, occupancy: 100, is_open: false }).slice(0, 3)).toEqual(SHELTER_CLOSED_COLOR)
    expect(shelterFill({ capacity: 100, occupancy: 100, is_open: true }).slice(0, 3)).toEqual(occupancyColor(1))
  })
})

describe('rescue request scales', () => {
  it('draws more urgent requests larger and darker red', () => {
    expect(urgencyRadius('critical')).toBeGreaterThan(urgencyRadius('high'))
    expect(urgencyRadius('high')).toBeGreaterThan(urgencyRadius('low'))
    expect(urgencyRadius('unknown')).toBe(URGENCY_RADIUS.high)
    const sum = (c: number[]) => c[0] + c[1] + c[2]
    expect(sum(urgencyColor('critical'))).toBeLessThan(sum(urgencyColor('high')))
    expect(sum(urgencyColor('high'))).toBeLessThan(sum(urgencyColor('low')))
    for (const u of ['low', 'high', 'critical']) {
      const [r, g, b] = urgencyColor(u)
      expect(r).toBeGreaterThan(g + 60)
      expect(r).toBeGreaterThan(b + 60)
    }
  })

  it('writes CSS colours with and without alpha', () => {
    expect(cssColor([1, 2, 3])).toBe('rgb(1, 2, 3)')
    expect(cssColor([1, 2, 3, 255])).toBe('rgba(1, 2, 3, 1.00)')
  })
})
