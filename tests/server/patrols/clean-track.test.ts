import { describe, expect, it } from 'vitest'
import { readFileSync, readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { loadConfig } from '../../../server/config.ts'
import { ApiError } from '../../../server/errors.ts'
import { cleanTrack, DEFAULT_CLEANING, distanceMeters, splitWhere, type CleaningReport } from '../../../server/patrols/clean-track.ts'
import { detectTrackFormat, parseTrack, type Fix } from '../../../server/patrols/track-formats.ts'

const FIXTURES = process.env.GPX_FIXTURES_DIR ?? resolve(loadConfig().geoDir, '../fixtures/gpx')

// Metre offsets around commune 10525 in Hải Phòng; t in seconds.
const LON = 106.3313
const LAT = 20.9409
const M_PER_DEG_LAT = 110_574
const M_PER_DEG_LON = 111_320 * Math.cos(LAT * Math.PI / 180)
const fix = (east: number, north: number, t: number): Fix =>
  ({ lon: LON + east / M_PER_DEG_LON, lat: LAT + north / M_PER_DEG_LAT, time: 1_748_739_600_000 + t * 1000 })
/** Walking east at 1.4 m/s, one fix every `every` seconds. */
const walk = (n: number, every = 10, from = 0) => Array.from({ length: n }, (_, i) => fix(1.4 * (from + i * every), 0, from + i * every))

const zero: Omit<CleaningReport, 'input' | 'kept' | 'segments'> = { duplicate: 0, out_of_order: 0, too_fast: 0, jump: 0, short_segment: 0, outside_commune: 0 }
const accounted = (r: CleaningReport) => r.kept + r.duplicate + r.out_of_order + r.too_fast + r.jump + r.short_segment

describe('cleanTrack', () => {
  it('keeps a clean walk as it is', () => {
    const track = walk(20)
    const { segments, report } = cleanTrack([track])
    expect(segments).toEqual([track])
    expect(report).toEqual({ input: 20, kept: 20, segments: 1, ...zero })
    expect(DEFAULT_CLEANING).toEqual({ maxSpeedKmh: 130, maxGapSeconds: 300, maxJumpMeters: 200 })
  })

  it('drops fixes with the time of the previous kept fix, moved or not, and earlier fixes, sorting nothing', () => {
    const track = [fix(0, 0, 0), fix(0, 0, 0), fix(3, 0, 0), fix(14, 0, 10), fix(5, 0, 5), fix(28, 0, 20)]
    const { segments, report } = cleanTrack([track])
    expect(segments).toEqual([[track[0], track[3], track[5]]])
    expect(report).toEqual({ input: 6, kept: 3, segments: 1, ...zero, duplicate: 2, out_of_order: 1 })
  })

  it('drops a fix that implies more than the speed limit from the previous kept one', () => {
    // The last fix is 600 m on, 5 s later (432 km/h); with no next neighbour it cannot be called a spike.
    const track = [...walk(3), fix(620, 0, 25)]
    const { segments, report } = cleanTrack([track])
    expect(segments).toEqual([track.slice(0, 3)])
    expect(report).toMatchObject({ too_fast: 1, jump: 0, kept: 3 })
    // The limit is an option: 30 m in 10 s (10.8 km/h) is too fast for a 10 km/h limit.
    const brisk = [fix(0, 0, 0), fix(30, 0, 10), fix(35, 0, 20)]
    expect(cleanTrack([brisk], { maxSpeedKmh: 10 }).report).toMatchObject({ too_fast: 1, kept: 2 })
  })

  it('drops a slow-sampled GPS spike that the speed limit lets through', () => {
    // Fixes every 15 s; one 300 m off the path: 20 m/s (72 km/h) is under 130 km/h, yet it is
    // more than 200 m from both neighbours, which are 21 m apart.
    const track = walk(7, 15)
    track[3] = fix(1.4 * 45, 300, 45)
    const { segments, report } = cleanTrack([track])
    expect(report).toMatchObject({ jump: 1, too_fast: 0, kept: 6, segments: 1 })
    expect(segments[0]).not.toContain(track[3])
    // The same spike 150 m off is within maxJumpMeters and possible at walking pace: kept.
    const small = walk(7, 15); small[3] = fix(1.4 * 45, 150, 45)
    expect(cleanTrack([small]).report).toMatchObject({ jump: 0, kept: 7 })
  })

  it('keeps a fast straight ride whose fixes are far apart but never come back', () => {
    // 250 m every 15 s (60 km/h): each fix is > 200 m from both neighbours, which are 500 m apart.
    const ride = Array.from({ length: 10 }, (_, i) => fix(250 * i, 0, 15 * i))
    expect(cleanTrack([ride]).report).toEqual({ input: 10, kept: 10, segments: 1, ...zero })
  })

  it('splits a segment at a pause longer than maxGapSeconds, not at one exactly that long', () => {
    const track = [fix(0, 0, 0), fix(10, 0, 10), fix(20, 0, 310), fix(30, 0, 320), fix(40, 0, 621), fix(50, 0, 630)]
    const { segments, report } = cleanTrack([track])
    expect(segments).toEqual([track.slice(0, 4), track.slice(4)])
    expect(report).toMatchObject({ segments: 2, kept: 6 })
    expect(cleanTrack([track], { maxGapSeconds: 60 }).segments).toHaveLength(3)
  })

  it('does not let one bad first fix eat the rest of the track', () => {
    // The first fix is 3 km off; every later fix is too fast from it, but 3 agreeing fixes re-anchor.
    const track = [fix(3000, 0, 0), ...walk(6, 10, 10)]
    const { segments, report } = cleanTrack([track])
    expect(segments).toEqual([track.slice(1)])
    expect(report).toEqual({ input: 7, kept: 6, segments: 1, ...zero, short_segment: 1 })
  })

  it('splits, without dropping, where the device re-appears far away (after a tunnel)', () => {
    const before = walk(4)
    const after = [fix(4000, 0, 60), fix(4014, 0, 70), fix(4028, 0, 80), fix(4042, 0, 90)]
    const { segments, report } = cleanTrack([[...before, ...after]])
    expect(segments).toEqual([before, after])
    expect(report).toEqual({ input: 8, kept: 8, segments: 2, ...zero })
  })

  it('drops segments left with fewer than 2 fixes', () => {
    const { segments, report } = cleanTrack([[fix(0, 0, 0)], walk(3), [fix(0, 0, 5), fix(0, 0, 5)]])
    expect(segments).toEqual([walk(3)])
    expect(report).toEqual({ input: 6, kept: 3, segments: 1, ...zero, duplicate: 1, short_segment: 2 })
  })

  it('rejects a nonsensical option with a 400 naming it', () => {
    expect(() => cleanTrack([walk(3)], { maxGapSeconds: -5 })).toThrow(/^maxGapSeconds: must be a positive number, got -5$/)
    expect(() => cleanTrack([walk(3)], { maxSpeedKmh: Number.NaN })).toThrow(ApiError)
  })

  it('cleans every timed real track: all fixes accounted for, times rising, speeds and gaps within limits', () => {
    const files = readdirSync(FIXTURES).filter(f => /\.(gpx|geojson)$/.test(f))
    let cleaned = 0
    for (const file of files) {
      const text = readFileSync(resolve(FIXTURES, file), 'utf8')
      let parsed
      try { parsed = parseTrack(text, detectTrackFormat(undefined, text)!) } catch { continue } // rejected files: see track-formats.test.ts
      cleaned++
      const { segments, report } = cleanTrack(parsed.segments)
      const input = parsed.segments.reduce((n, s) => n + s.length, 0)
      expect(report.input, file).toBe(input)
      expect(accounted(report), file).toBe(input)
      expect(report.kept, file).toBe(segments.reduce((n, s) => n + s.length, 0))
      expect(report.segments, file).toBe(segments.length)
      // Collected, not asserted pair by pair: thousands of expect() calls make the test crawl.
      const broken: string[] = []
      for (const [k, seg] of segments.entries()) {
        if (seg.length < 2) broken.push(`segment ${k} has ${seg.length} fix`)
        for (let i = 1; i < seg.length; i++) {
          const dt = (seg[i].time - seg[i - 1].time) / 1000
          const kmh = distanceMeters(seg[i - 1], seg[i]) / dt * 3.6
          if (!(dt > 0 && dt <= DEFAULT_CLEANING.maxGapSeconds && kmh <= DEFAULT_CLEANING.maxSpeedKmh)) {
            broken.push(`segment ${k} fix ${i}: dt ${dt} s, ${kmh} km/h`)
          }
        }
      }
      expect(broken, file).toEqual([])
    }
    // The 13 fixtures that parse (see track-formats.test.ts).
    expect(cleaned).toBe(13)
  })

  it('counts the 2,223 repeated times of the OSM trace as duplicates', () => {
    // MANIFEST.md: the first track of osm.gpx has 2,223 consecutive duplicate times.
    const text = readFileSync(resolve(FIXTURES, 'mapbox-togeojson__osm.gpx'), 'utf8')
    const { report } = cleanTrack(parseTrack(text, 'gpx').segments)
    expect(report.duplicate).toBe(2223)
  })
})

describe('splitWhere', () => {
  const track = walk(9)

  it('cuts a segment where a fix is left out, so no pair spans it', () => {
    expect(splitWhere([track], i => i !== 4)).toEqual({ segments: [track.slice(0, 4), track.slice(5)], dropped: 1 })
  })

  it('leaves out pieces of one fix and counts indexes across segments', () => {
    // Indexes 0–4 are the first segment, 5–8 the second.
    const result = splitWhere([track.slice(0, 5), track.slice(5)], i => ![1, 3, 6].includes(i))
    expect(result).toEqual({ segments: [track.slice(7, 9)], dropped: 3 })
    expect(splitWhere([track], () => true)).toEqual({ segments: [track], dropped: 0 })
    expect(splitWhere([track], () => false)).toEqual({ segments: [], dropped: 9 })
  })
})
