import { flatHexLayer } from './flat-hex-layer.ts'
import type { PickingInfo } from '@deck.gl/core'
import type { HexCell } from '../../api/client.ts'
import type { RGBA } from '../colors.ts'

export const HEX_LAYER_ID = 'incident-hexes'

export interface HexLayerOptions {
  /** Fill colour for a count (see colors.ts `countScale`). */
  color: (count: number) => RGBA
  /**
   * Changes whenever the data or the colour scale changes, so deck.gl recomputes colours;
   * the data array itself is compared by reference.
   */
  version: string | number
  onHover?: (info: PickingInfo<HexCell>) => void
}

/** Incident counts per H3 cell (rows from GET /api/hexes), flat, coloured by count. */
export function hexLayer (cells: readonly HexCell[], { color, version, onHover }: HexLayerOptions) {
  return flatHexLayer(cells, { id: HEX_LAYER_ID, fill: d => color(d.count), version, onHover })
}
