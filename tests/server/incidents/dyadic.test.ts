import { describe, expect, it } from 'vitest'
import { dayNumber, dyadicBuckets, ROLLUP_SPANS } from '../../../server/incidents/dyadic.ts'
import { mulberry32 } from '../../helpers/random-incidents.ts'

describe('dyadicBuckets', () => {
  it('covers every window exactly, with aligned buckets, at most two per span', () => {
    const random = mulberry32(5)
    for (let trial = 0; trial < 2_000; trial++) {
      const from = 19_000 + Math.floor(random() * 2_000)
      const to = from + 1 + Math.floor(random() * 400)
      const buckets = dyadicBuckets(from, to)
      let day = from
      for (const { span, bucket } of buckets) {
        expect(bucket).toBe(day)
        expect(bucket % span).toBe(0)
        expect((ROLLUP_SPANS as readonly number[]).includes(span)).toBe(true)
        day += span
      }
      expect(day).toBe(to)
      for (const span of ROLLUP_SPANS) {
        if (span < 128) expect(buckets.filter(b => b.span === span).length).toBeLessThanOrEqual(2)
      }
    }
  })

  it('splits a hand-worked window: days 20000–20009 are one 8-day and one 2-day bucket', () => {
    expect(20000 % 32).toBe(0)
    expect(dyadicBuckets(20000, 20010)).toEqual([{ span: 8, bucket: 20000 }, { span: 2, bucket: 20008 }])
    expect(dyadicBuckets(20003, 20004)).toEqual([{ span: 1, bucket: 20003 }])
    expect(dyadicBuckets(20005, 20005)).toEqual([])
  })

  it('numbers local days from 1970-01-01', () => {
    expect(dayNumber('1970-01-01')).toBe(0)
    expect(dayNumber('2025-07-01')).toBe(20270)
  })
})
