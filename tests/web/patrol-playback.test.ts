import { describe, expect, it } from 'vitest'
import {
  MIN_SPEED, PLAYBACK_SECONDS, advance, clampTime, clockLabel, elapsedLabel, playbackSpeed, positionAt, timelineOf,
  trailLength, tripSegments
} from '../../web/src/lib/patrols/playback.ts'

const T0 = 1_750_000_000 // 2025-06-15T15:06:40Z

describe('timelineOf', () => {
  it('spans the earliest to the latest fix over every segment', () => {
    expect(timelineOf([[T0 + 60, T0 + 120], [T0, T0 + 30], [T0 + 400]])).toEqual({ start: T0, end: T0 + 400, duration: 400 })
  })
  it('is empty for no fixes', () => {
    expect(timelineOf([])).toEqual({ start: 0, end: 0, duration: 0 })
    expect(timelineOf([[]])).toEqual({ start: 0, end: 0, duration: 0 })
  })
})

describe('tripSegments', () => {
  it('makes times relative to the start (32-bit floats cannot hold epoch seconds) and keeps segments apart', () => {
    const coords = [[[106.33, 20.94], [106.331, 20.941]], [[106.34, 20.95], [106.341, 20.951], [106.342, 20.952]]]
    const segments = tripSegments(coords, [[T0, T0 + 60], [T0 + 600, T0 + 660, T0 + 720]], T0)
    expect(segments).toEqual([
      { path: [[106.33, 20.94], [106.331, 20.941]], timestamps: [0, 60] },
      { path: [[106.34, 20.95], [106.341, 20.951], [106.342, 20.952]], timestamps: [600, 660, 720] }
    ])
    // Every time handed to the layer survives a round trip through float32 exactly.
    for (const s of segments) for (const t of s.timestamps) expect(Math.fround(t)).toBe(t)
    expect(Math.fround(T0 + 1)).not.toBe(T0 + 1)
  })

  it('drops segments of one fix and trims a coordinate without a time', () => {
    const segments = tripSegments([[[1, 1]], [[2, 2], [3, 3], [4, 4]]], [[T0], [T0, T0 + 10]], T0)
    expect(segments).toEqual([{ path: [[2, 2], [3, 3]], timestamps: [0, 10] }])
  })

  it('drops altitude from 3D coordinates', () => {
    expect(tripSegments([[[1, 2, 30], [3, 4, 31]]], [[T0, T0 + 5]], T0)[0].path).toEqual([[1, 2], [3, 4]])
  })
})

describe('positionAt', () => {
  const segments = tripSegments([[[0, 0], [10, 0], [10, 10]], [[20, 20], [30, 20]]], [[T0, T0 + 100, T0 + 200], [T0 + 500, T0 + 600]], T0)
  it('interpolates linearly between fixes', () => {
    expect(positionAt(segments, 0)).toEqual([0, 0])
    expect(positionAt(segments, 50)).toEqual([5, 0])
    expect(positionAt(segments, 150)).toEqual([10, 5])
    expect(positionAt(segments, 550)).toEqual([25, 20])
    expect(positionAt(segments, 600)).toEqual([30, 20])
  })
  it('is undefined between segments (device off) and outside the track', () => {
    expect(positionAt(segments, 300)).toBeUndefined()
    expect(positionAt(segments, -1)).toBeUndefined()
    expect(positionAt(segments, 601)).toBeUndefined()
  })
})

describe('playback clock', () => {
  it('plays any patrol in about PLAYBACK_SECONDS, never slower than MIN_SPEED × real time', () => {
    expect(playbackSpeed(4 * 3600)).toBe(4 * 3600 / PLAYBACK_SECONDS)
    expect(playbackSpeed(60)).toBe(MIN_SPEED)
  })

  it('advances by elapsed real time × speed and stops at the end', () => {
    expect(advance(100, 500, 60, 3600)).toEqual({ time: 130, playing: true })
    expect(advance(3590, 1000, 60, 3600)).toEqual({ time: 3600, playing: false })
    expect(advance(100, -20, 60, 3600)).toEqual({ time: 100, playing: true })
  })

  it('clamps slider values to the track', () => {
    expect(clampTime(-5, 300)).toBe(0)
    expect(clampTime(400, 300)).toBe(300)
    expect(clampTime(120, 300)).toBe(120)
    expect(clampTime(Number.NaN, 300)).toBe(0)
  })

  it('keeps the trail a third of the patrol, between 2 and 30 minutes', () => {
    expect(trailLength(60)).toBe(120)
    expect(trailLength(3000)).toBe(1000)
    expect(trailLength(10 * 3600)).toBe(1800)
  })
})

describe('labels', () => {
  it('shows the wall-clock time in Vietnam (UTC+7)', () => {
    expect(clockLabel(Date.parse('2025-06-14T13:30:05Z') / 1000)).toBe('20:30:05')
    expect(clockLabel(Date.parse('2025-06-14T17:00:00Z') / 1000)).toBe('00:00:00')
    expect(clockLabel(Date.parse('2025-06-14T16:59:59.7Z') / 1000)).toBe('23:59:59')
  })
  it('shows elapsed time as m:ss or h:mm:ss', () => {
    expect(elapsedLabel(0)).toBe('0:00')
    expect(elapsedLabel(725)).toBe('12:05')
    expect(elapsedLabel(3725)).toBe('1:02:05')
    expect(elapsedLabel(-3)).toBe('0:00')
  })
})
