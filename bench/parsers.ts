// Section 5 of the bench: track parsing rate (MB/s) of each format on a generated ~20 MiB file
// and a tenth of it (equal rates show the parse is linear), on the same track written as one long
// line, and the time to refuse a file whose one line is a 20 MiB value (the length cap, not the
// value's size, decides the time). Pure: no database.
import { parseTrack, type Fix, type TrackFormat } from '../server/patrols/track-formats.ts'
import { ApiError } from '../server/errors.ts'

const MIB = 1024 * 1024
const START = Date.parse('2025-06-01T01:00:00Z')

/** A walk in Hải Phòng with a fix every second, long enough to fill `bytes` in the given format. */
function fixesFor (bytes: number, bytesPerFix: number): Fix[] {
  return Array.from({ length: Math.ceil(bytes / bytesPerFix) }, (_, i) => ({
    lon: 106.3313 + (i % 5000) * 0.00001, lat: 20.9409 + Math.floor(i / 5000) * 0.0001, time: START + i * 1000
  }))
}
const iso = (f: Fix) => new Date(f.time).toISOString()
const writers: Record<TrackFormat, (fixes: Fix[], oneLine: boolean) => string> = {
  gpx: (fixes, oneLine) => {
    const nl = oneLine ? '' : '\n'
    return `<?xml version="1.0" encoding="UTF-8"?>${nl}<gpx version="1.1" creator="bench" xmlns="http://www.topografix.com/GPX/1/1">${nl}<trk><name>bench</name><trkseg>${nl}` +
      fixes.map(f => `<trkpt lat="${f.lat.toFixed(7)}" lon="${f.lon.toFixed(7)}"><ele>3.0</ele><time>${iso(f)}</time></trkpt>`).join(nl) +
      `${nl}</trkseg></trk>${nl}</gpx>${nl}`
  },
  geojson: (fixes, oneLine) => JSON.stringify({
    type: 'Feature',
    properties: { name: 'bench', coordTimes: fixes.map(iso) },
    geometry: { type: 'LineString', coordinates: fixes.map(f => [Number(f.lon.toFixed(7)), Number(f.lat.toFixed(7))]) }
  }, null, oneLine ? undefined : 1),
  // A CSV line is a fix: one line of a whole track cannot be a CSV (refusals are measured below).
  csv: (fixes) => 'lon,lat,time\n' + fixes.map(f => `${f.lon.toFixed(7)},${f.lat.toFixed(7)},${iso(f)}`).join('\n') + '\n'
}

function timeParse (text: string, format: TrackFormat): { ms: number, outcome: string } {
  const started = performance.now()
  let outcome: string
  try {
    const track = parseTrack(text, format)
    outcome = `${track.segments.reduce((n, s) => n + s.length, 0).toLocaleString('en')} fixes`
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    outcome = `${error.statusCode} ${error.message.slice(0, 70)}`
  }
  return { ms: performance.now() - started, outcome }
}
const rate = (bytes: number, ms: number) => bytes / MIB / (ms / 1000)
/** Best of a few runs: the machine is shared, the minimum is the parser's own time. */
function best (text: string, format: TrackFormat, runs = 3) {
  let result = timeParse(text, format)
  for (let i = 1; i < runs; i++) { const next = timeParse(text, format); if (next.ms < result.ms) result = next }
  return result
}

export function benchParsers (log: (line: string) => void, targetBytes = 20 * MIB) {
  const results: Record<string, unknown> = {}
  log(`5. Track parsing (parseTrack, best of 3), MB/s on a ${(targetBytes / MIB).toFixed(0)} MiB file and a tenth of it:`)
  for (const format of ['gpx', 'geojson', 'csv'] as const) {
    const perFix = writers[format](fixesFor(1000, 1), false).length / 1000
    const big = writers[format](fixesFor(targetBytes, perFix), false)
    const small = writers[format](fixesFor(targetBytes / 10, perFix), false)
    const b = best(big, format)
    const s = best(small, format)
    const row: Record<string, unknown> = { mib: big.length / MIB, mb_per_s: rate(big.length, b.ms), tenth_mb_per_s: rate(small.length, s.ms) }
    let line = `   ${format.padEnd(7)} ${(big.length / MIB).toFixed(1)} MiB: ${rate(big.length, b.ms).toFixed(1)} MB/s (${(b.ms / 1000).toFixed(2)} s, ${b.outcome}); ` +
      `a tenth: ${rate(small.length, s.ms).toFixed(1)} MB/s → ratio ${(rate(big.length, b.ms) / rate(small.length, s.ms)).toFixed(2)} (1 = linear)`
    if (format !== 'csv') {
      const one = writers[format](fixesFor(targetBytes, perFix), true)
      const o = best(one, format)
      row.one_line_mb_per_s = rate(one.length, o.ms)
      line += `; one line of ${(one.length / MIB).toFixed(1)} MiB: ${rate(one.length, o.ms).toFixed(1)} MB/s → ratio ${(rate(one.length, o.ms) / rate(big.length, b.ms)).toFixed(2)}`
    }
    log(line)
    results[format] = row
  }
  // One line holding one enormous value (digits and a broken exponent: the old pattern's worst case,
  // ~20 s for 60,000 digits): refused by the length cap, in time that does not grow with it.
  const digits = (n: number) => '1'.repeat(n)
  const hostile: Record<string, { format: TrackFormat, make: (n: number) => string }> = {
    'CSV lon of N digits': { format: 'csv', make: n => `lon,lat,time\n${digits(n)}e,20.9409,2025-06-01T01:00:00Z\n` },
    'GPX lat of N digits': { format: 'gpx', make: n => `<gpx><trk><trkseg><trkpt lat="${digits(n)}e" lon="106.3"><time>2025-06-01T01:00:00Z</time></trkpt></trkseg></trk></gpx>` },
    'GeoJSON coordTime of N chars': { format: 'geojson', make: n => `{"type":"Feature","properties":{"coordTimes":["2025-06-01T${digits(n)}","x"]},"geometry":{"type":"LineString","coordinates":[[106.3,20.9],[106.3,20.9]]}}` }
  }
  for (const [label, { format, make }] of Object.entries(hostile)) {
    const big = make(targetBytes)
    const small = make(60_000)
    const b = best(big, format)
    const s = best(small, format)
    log(`   ${label}: N = 60,000 refused in ${s.ms.toFixed(1)} ms; N = ${(targetBytes / MIB).toFixed(0)} Mi in ${b.ms.toFixed(1)} ms ` +
      `(${rate(big.length, b.ms).toFixed(0)} MB/s; ${b.outcome})`)
    results[label] = { small_ms: s.ms, big_ms: b.ms, outcome: b.outcome }
  }
  return results
}

