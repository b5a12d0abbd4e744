import { hotspotAnalysis } from '../analysis/hotspots.ts'

/** Patrol minutes per cell per week at which a cell counts as well covered (lack of coverage ½). */
export const TARGET_MINUTES_PER_WEEK = 10
/** Below this many incidents in the area the Gi* z-score says little: intensity is the count. */
export const MIN_INCIDENTS_FOR_Z = 10
/** The top share of cells by intensity that are "top priority" for the patrol-minutes KPI. */
export const TOP_PRIORITY_SHARE = 0.1

export interface CellPriority {
  h3: string
  incidents: number
  /** Gi* z (k = 1) when the area has enough incidents, else null. */
  z: number | null
  /** max(z, 0) when z is used, else the incident count. */
  intensity: number
  dwell_seconds: number
  /** 1 / (1 + dwell minutes / (TARGET_MINUTES_PER_WEEK × weeks)): 1 for a cell nobody visited. */
  lack: number
  /** intensity × lack: where incidents happen and patrols do not go. */
  gap_score: number
  top_priority: boolean
}

/**
 * Patrol priority of every cell of an area (the cells of its polygon at one resolution):
 *
 *   intensity_i = max(Gi*_i, 0) with k = 1 if the area has ≥ MIN_INCIDENTS_FOR_Z incidents, else count_i
 *   lack_i      = 1 / (1 + m_i / (TARGET_MINUTES_PER_WEEK · weeks)),  m_i = patrol minutes in the cell
 *   gap_i       = intensity_i · lack_i
 *
 * Top priority: the ⌈10 %⌉ of cells with the highest intensity (intensity > 0 only).
 * Incidents in cells outside `cells` are ignored (they belong to another area).
 *
 * @example
 * cellPriorities({ cells, incidents: new Map([[a, 3]]), dwellSeconds: new Map([[a, 600]]), weeks: 2 })
 */
export function cellPriorities (input: {
  cells: readonly string[]
  incidents: ReadonlyMap<string, number>
  dwellSeconds: ReadonlyMap<string, number>
  weeks: number
}): CellPriority[] {
  const { cells, incidents, dwellSeconds, weeks } = input
  const total = cells.reduce((sum, cell) => sum + (incidents.get(cell) ?? 0), 0)
  const useZ = total >= MIN_INCIDENTS_FOR_Z && cells.length >= 7
  const z = useZ ? hotspotAnalysis({ cells, counts: incidents, k: 1 }).map(c => c.z) : null
  const target = TARGET_MINUTES_PER_WEEK * Math.max(weeks, 1 / 7)
  const rows = cells.map((h3, i) => {
    const count = incidents.get(h3) ?? 0
    const zi = z ? z[i]! : null
    const intensity = zi === null ? count : Math.max(zi, 0)
    const dwell = dwellSeconds.get(h3) ?? 0
    const lack = 1 / (1 + dwell / 60 / target)
    return { h3, incidents: count, z: zi, intensity, dwell_seconds: dwell, lack, gap_score: intensity * lack, top_priority: false }
  })
  const ranked = rows.filter(r => r.intensity > 0).sort((a, b) => b.intensity - a.intensity || (a.h3 < b.h3 ? -1 : 1))
  const topCount = Math.ceil(ranked.length * TOP_PRIORITY_SHARE)
  for (const row of ranked.slice(0, topCount)) row.top_priority = true
  return rows
}

/** Coverage figures of a set of cells: share visited and patrol minutes per week in top-priority cells. */
export function coverageKpis (priorities: readonly CellPriority[], dwellSeconds: ReadonlyMap<string, number>, weeks: number) {
  let visited = 0
  let priorityCells = 0
  let priorityMinutes = 0
  for (const cell of priorities) {
    const dwell = dwellSeconds.get(cell.h3) ?? 0
    if (dwell > 0) visited++
    if (cell.top_priority) {
      priorityCells++
      priorityMinutes += dwell / 60
    }
  }
  return {
    cells_total: priorities.length,
    cells_visited: visited,
    share_visited: priorities.length ? visited / priorities.length : 0,
    priority_cells: priorityCells,
    priority_minutes_per_week: weeks > 0 ? priorityMinutes / weeks : 0
  }
}
