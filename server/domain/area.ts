import type { Category } from './incident-status.ts'

/** What a query covers: its area (a province, a commune, a bbox, or everything) and its time window. */

export type BBox = [number, number, number, number]

/** The area a query covers: a province, a commune, a bbox, or everything. At most one. */
export type Area =
  | { kind: 'province', code: string }
  | { kind: 'commune', code: string }
  | { kind: 'bbox', bbox: BBox }
  | { kind: 'all' }

/** A half-open time window [from, to); either end may be open. */
export interface TimeWindow { from: Date | null, to: Date | null }

/** Incidents selected by area, categories (null: all) and time window: lists, exports, counts. */
export interface IncidentFilter extends TimeWindow {
  area: Area
  categories: Category[] | null
}
