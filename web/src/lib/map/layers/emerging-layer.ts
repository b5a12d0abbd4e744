import { flatHexLayer } from './flat-hex-layer.ts'
import type { PickingInfo } from '@deck.gl/core'
import type { EmergingCell } from '../../api/client.ts'
import type { RGBA } from '../colors.ts'
import { emergingColor, isDrawnPattern } from '../hotspot-palette.ts'

export const EMERGING_LAYER_ID = 'emerging-hexes'

export interface EmergingLayerOptions {
  version: string | number
  onHover?: (info: PickingInfo<EmergingCell>) => void
}

const LINE: RGBA = [255, 255, 255, 150]

/** The cells the layer draws: every cell with a pattern (no_pattern is left out). */
export function drawnEmergingCells (rows: readonly EmergingCell[]): EmergingCell[] {
  return rows.filter(row => isDrawnPattern(row.pattern, row.direction))
}

export function emergingFill (row: EmergingCell): RGBA {
  return emergingColor(row.pattern, row.direction)
}

/**
 * Emerging hot-spot patterns (rows from GET /api/hotspots/emerging), coloured by pattern and
 * direction. Give it `drawnEmergingCells(rows)`: cells without a pattern are not drawn.
 */
export function emergingLayer (rows: readonly EmergingCell[], { version, onHover }: EmergingLayerOptions) {
  return flatHexLayer(rows, { id: EMERGING_LAYER_ID, fill: emergingFill, line: LINE, version, onHover })
}
