/**
 * Time maths of track playback. deck.gl's TripsLayer keeps timestamps as 32-bit floats, which
 * cannot hold epoch seconds to the second (≈ 2 min steps at 1.7e9), so every time handed to the
 * layer is seconds since the track's first fix.
 */

export interface TripSegment {
  path: [number, number][]
  /** Seconds since the track's start, parallel to `path`. */
  timestamps: number[]
}

export interface Timeline {
  /** Epoch seconds of the first and last fix. */
  start: number
  end: number
  /** end − start, seconds (0 for an empty track). */
  duration: number
}

/** Start, end and length of a track from its per-coordinate epoch seconds. */
export function timelineOf (times: readonly (readonly number[])[]): Timeline {
  let start = Infinity
  let end = -Infinity
  for (const segment of times) {
    for (const t of segment) {
      if (t < start) start = t
      if (t > end) end = t
    }
  }
  if (!Number.isFinite(start)) return { start: 0, end: 0, duration: 0 }
  return { start, end, duration: end - start }
}

/**
 * TripsLayer rows of a track: one per recorded segment with ≥ 2 fixes, times relative to `start`.
 *
 * @example
 * tripSegments([[[106.33, 20.94], [106.34, 20.94]]], [[1000, 1060]], 1000)
 * // → [{ path: [[106.33, 20.94], [106.34, 20.94]], timestamps: [0, 60] }]
 */
export function tripSegments (coordinates: readonly (readonly number[][])[], times: readonly (readonly number[])[], start: number): TripSegment[] {
  const segments: TripSegment[] = []
  coordinates.forEach((line, i) => {
    const stamps = times[i] ?? []
    const n = Math.min(line.length, stamps.length)
    if (n < 2) return
    segments.push({
      path: line.slice(0, n).map(([lon, lat]) => [lon, lat] as [number, number]),
      timestamps: stamps.slice(0, n).map(t => t - start)
    })
  })
  return segments
}

/**
 * Where the patrol was at `t` seconds since the start (linear between fixes), or undefined
 * before the first fix, after the last one, or between segments (the device was off).
 */
export function positionAt (segments: readonly TripSegment[], t: number): [number, number] | undefined {
  for (const { path, timestamps } of segments) {
    const n = timestamps.length
    if (t < timestamps[0] || t > timestamps[n - 1]) continue
    for (let i = 1; i < n; i++) {
      const t0 = timestamps[i - 1]
      const t1 = timestamps[i]
      if (t > t1) continue
      const f = t1 === t0 ? 0 : (t - t0) / (t1 - t0)
      const [x0, y0] = path[i - 1]
      const [x1, y1] = path[i]
      return [x0 + (x1 - x0) * f, y0 + (y1 - y0) * f]
    }
  }
  return undefined
}

/** Playback speed: track seconds per real second, chosen so any patrol plays in about this long. */
export const PLAYBACK_SECONDS = 40
/** Never slower than real time × this (a 2-minute walk should still move visibly). */
export const MIN_SPEED = 4

export function playbackSpeed (duration: number, playSeconds = PLAYBACK_SECONDS): number {
  return Math.max(MIN_SPEED, duration / playSeconds)
}

/**
 * The next playback time after `elapsedMs` of real time: stops at the end (playing = false).
 *
 * @example
 * advance(100, 500, 60, 3600) // → { time: 130, playing: true }
 * advance(3590, 1000, 60, 3600) // → { time: 3600, playing: false }
 */
export function advance (time: number, elapsedMs: number, speed: number, duration: number): { time: number, playing: boolean } {
  const next = time + (Math.max(0, elapsedMs) / 1000) * speed
  return next >= duration ? { time: duration, playing: false } : { time: next, playing: true }
}

/** Clamps a slider value to the track; NaN goes to the start. */
export function clampTime (value: number, duration: number): number {
  if (!Number.isFinite(value)) return 0
  return Math.min(Math.max(0, value), Math.max(0, duration))
}

/**
 * Trail behind the moving head: a third of the patrol, between 2 and 30 minutes of track time;
 * shorter trails vanish under the head marker at commune zoom.
 */
export function trailLength (duration: number): number {
  return Math.min(1800, Math.max(120, duration / 3))
}

/** "20:31:05": the wall-clock time in Vietnam (UTC+7, no daylight saving) of epoch seconds. */
export function clockLabel (epochSeconds: number): string {
  const local = Math.floor(epochSeconds) + 7 * 3600
  const day = ((local % 86_400) + 86_400) % 86_400
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${pad(Math.floor(day / 3600))}:${pad(Math.floor((day % 3600) / 60))}:${pad(day % 60)}`
}

/** "12:05" (m:ss) or "1:02:05" (h:mm:ss) of a number of seconds, for elapsed time. */
export function elapsedLabel (seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const pad = (n: number) => String(n).padStart(2, '0')
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`
}
