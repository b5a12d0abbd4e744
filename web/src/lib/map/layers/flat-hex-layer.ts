import { H3HexagonLayer } from '@deck.gl/geo-layers'
import type { PickingInfo } from '@deck.gl/core'
import type { RGBA } from '../colors.ts'

/** Outline of each hexagon: thin and light so neighbouring cells of one colour stay apart. */
export const HEX_LINE_COLOR: RGBA = [255, 255, 255, 140]

export interface FlatHexLayerOptions<T> {
  id: string
  fill: (row: T) => RGBA
  line?: RGBA | ((row: T) => RGBA)
  /**
   * Changes whenever the data or the colour scale changes, so deck.gl recomputes colours;
   * the data array itself is compared by reference.
   */
  version: string | number
  onHover?: (info: PickingInfo<T>) => void
}

/** The map's flat, pickable H3 layer, shared by every mode; each mode gives its colours. */
export function flatHexLayer<T extends { h3: string }> (rows: readonly T[], { id, fill, line = HEX_LINE_COLOR, version, onHover }: FlatHexLayerOptions<T>) {
  return new H3HexagonLayer<T>({
    id,
    data: rows as T[],
    pickable: true,
    autoHighlight: true,
    highlightColor: [30, 30, 30, 90],
    extruded: false,
    filled: true,
    stroked: true,
    lineWidthUnits: 'pixels',
    getLineWidth: 1,
    lineWidthMinPixels: 0.5,
    getLineColor: line,
    getHexagon: d => d.h3,
    getFillColor: fill,
    updateTriggers: { getFillColor: version, getLineColor: version },
    onHover
  })
}
