import { describe, expect, it } from 'vitest'
import { mergeItem, streamUrl, type FeedItem } from '../../web/src/lib/state/live-feed.svelte.ts'
import { durationParts, formatRelative, relativeParts, sortRows } from '../../web/src/lib/format.ts'
import { NEXT_STATUSES } from '../../web/src/lib/api/client.ts'
import { vi } from '../../web/src/lib/i18n/vi.ts'
import { en } from '../../web/src/lib/i18n/en.ts'

const item = (id: string, at: string, status = 'reported'): FeedItem =>
  ({ id, category: 'fire', severity: 3, status, occurred_at: at, commune_code: '11383' })

describe('live feed', () => {
  it('keeps items newest first, replaces an item by id and caps the list', () => {
    let items: FeedItem[] = []
    items = mergeItem(items, item('1', '2025-06-01T10:00:00Z'))
    items = mergeItem(items, item('3', '2025-06-01T12:00:00Z'))
    items = mergeItem(items, item('2', '2025-06-01T11:00:00Z'))
    expect(items.map(i => i.id)).toEqual(['3', '2', '1'])
    items = mergeItem(items, item('2', '2025-06-01T11:00:00Z', 'dispatched'))
    expect(items.map(i => `${i.id}:${i.status}`)).toEqual(['3:reported', '2:dispatched', '1:reported'])
    expect(mergeItem(items, item('4', '2025-06-02T00:00:00Z'), 2).map(i => i.id)).toEqual(['4', '3'])
  })

  it('scopes the stream like the map', () => {
    expect(streamUrl({ area: { commune: '11383' }, categories: undefined })).toBe('/api/stream?commune=11383')
    expect(streamUrl({ area: { province: '31' }, categories: ['fire', 'rescue'] })).toBe('/api/stream?province=31&category=fire%2Crescue')
  })

  it('knows the legal status moves', () => {
    expect(NEXT_STATUSES.reported).toEqual(['dispatched', 'cancelled'])
    expect(NEXT_STATUSES.resolved).toEqual(['closed'])
    expect(NEXT_STATUSES.closed).toEqual([])
  })
})

describe('formatting', () => {
  const now = Date.parse('2025-06-01T12:00:00Z')
  it('says how long ago, in Vietnamese and English', () => {
    expect(relativeParts('2025-06-01T11:58:00Z', now)).toEqual({ value: -2, unit: 'minute' })
    expect(formatRelative('2025-06-01T11:58:00Z', now, 'vi-VN')).toBe('2 phút trước')
    expect(formatRelative('2025-06-01T11:58:00Z', now, 'en-GB')).toBe('2 minutes ago')
    expect(relativeParts('2025-06-01T09:00:00Z', now)).toEqual({ value: -3, unit: 'hour' })
    expect(relativeParts('2025-05-29T12:00:00Z', now)).toEqual({ value: -3, unit: 'day' })
  })

  it('splits durations and sorts with missing values last', () => {
    expect(durationParts(3900)).toEqual({ h: 1, m: 5, s: 0 })
    const rows = [{ v: 2 }, { v: null }, { v: 5 }, { v: 1 }]
    expect(sortRows(rows, r => r.v, 'desc').map(r => r.v)).toEqual([5, 2, 1, null])
    expect(sortRows(rows, r => r.v, 'asc').map(r => r.v)).toEqual([1, 2, 5, null])
    expect(sortRows([{ n: 'Xã Ân Thi' }, { n: 'Phường An Biên' }], r => r.n, 'asc').map(r => r.n)).toEqual(['Phường An Biên', 'Xã Ân Thi'])
  })

  it('has every new string in both catalogues', () => {
    for (const key of Object.keys(vi)) expect(en[key as keyof typeof en], key).toBeTruthy()
    expect(vi['status.on_scene']).toBe('Có mặt tại hiện trường')
  })
})
