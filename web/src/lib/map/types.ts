import type { HexCell } from '../api/client.ts'

/** [west, south, east, north] in degrees. */
export type BBox = [number, number, number, number]

export interface ViewChange {
  zoom: number
  /** What is on screen. */
  bounds: BBox
}

export interface HexHover {
  cell: HexCell
  /** Pointer position in pixels from the map's top-left corner. */
  x: number
  y: number
}
