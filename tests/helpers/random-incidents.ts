import type { BulkIncident } from '../../server/incidents/bulk-insert.ts'
import { CATEGORIES } from '../../server/domain/incident-status.ts'

/** A fixed pseudo-random sequence so fixtures are the same on every run. */
export function mulberry32 (seed: number) {
  return () => {
    seed = (seed + 0x6D2B79F5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Incidents scattered over Hải Phòng's bounding box (some fall outside every commune and are
 * dropped by the bulk insert), a third of them in a tight cluster, with times spread over a window.
 */
export function randomIncidents (n: number, seed: number, from: Date, to: Date): BulkIncident[] {
  const random = mulberry32(seed)
  const span = to.getTime() - from.getTime()
  return Array.from({ length: n }, (_, i) => {
    const clustered = i % 3 === 0
    const lon = clustered ? 106.6880 + (random() - 0.5) * 0.01 : 106.10 + random() * 0.95
    const lat = clustered ? 20.8610 + (random() - 0.5) * 0.01 : 20.55 + random() * 0.60
    const occurred = new Date(from.getTime() + Math.floor(random() * span))
    return {
      lon, lat,
      category: CATEGORIES[Math.floor(random() * CATEGORIES.length)]!,
      severity: 1 + Math.floor(random() * 5),
      status: 'closed',
      occurred_at: occurred,
      reported_at: new Date(occurred.getTime() + 600_000),
      description: `test incident ${i}`
    }
  })
}
