import { H3HexagonLayer } from '@deck.gl/geo-layers'
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

/** Outline of each hexagon: thin and light so neighbouring cells of one colour stay apart. */
const HEX_LINE_COLOR: RGBA = [255, 255, 255, 140]

/** Incident counts per H3 cell (rows from GET /api/hexes), flat, coloured by count. */
export function hexLayer (cells: readonly HexCell[], { color, version, onHover }: HexLayerOptions) {
  return new H3HexagonLayer<HexCell>({
    id: HEX_LAYER_ID,
    data: cells as HexCell[],
    pickable: true,
    autoHighlight: true,
    highlightColor: [30, 30, 30, 90],
    extruded: false,
    filled: true,
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: 1,
    lineWidthMinPixels: 0.5,
    getLineColor: HEX_LINE_COLOR,
    getHexagon: d => d.h3,
    getFillColor: d => color(d.count),
    updateTriggers: { getFillColor: version },
    onHover
  })
}
