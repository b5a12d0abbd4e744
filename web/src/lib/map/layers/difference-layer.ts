import { H3HexagonLayer } from '@deck.gl/geo-layers'
import type { PickingInfo } from '@deck.gl/core'
import type { RGBA } from '../colors.ts'
import type { DifferenceCell } from '../compare.ts'

export const DIFFERENCE_LAYER_ID = 'difference-hexes'

export interface DifferenceLayerOptions {
  /** Fill colour of a difference (see hotspot-palette.ts `differenceScale`). */
  color: (diff: number) => RGBA
  version: string | number
  onHover?: (info: PickingInfo<DifferenceCell>) => void
}

const LINE: RGBA = [255, 255, 255, 140]

/** Count(A) − count(B) per cell on a diverging palette; give it the changed cells only. */
export function differenceLayer (rows: readonly DifferenceCell[], { color, version, onHover }: DifferenceLayerOptions) {
  return new H3HexagonLayer<DifferenceCell>({
    id: DIFFERENCE_LAYER_ID,
    data: rows as DifferenceCell[],
    pickable: true,
    autoHighlight: true,
    highlightColor: [30, 30, 30, 90],
    extruded: false,
    filled: true,
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: 1,
    lineWidthMinPixels: 0.5,
    getLineColor: LINE,
    getHexagon: d => d.h3,
    getFillColor: d => color(d.diff),
    updateTriggers: { getFillColor: version },
    onHover
  })
}
