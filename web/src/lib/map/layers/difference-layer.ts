import { flatHexLayer } from './flat-hex-layer.ts'
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

/** Count(A) − count(B) per cell on a diverging palette; give it the changed cells only. */
export function differenceLayer (rows: readonly DifferenceCell[], { color, version, onHover }: DifferenceLayerOptions) {
  return flatHexLayer(rows, { id: DIFFERENCE_LAYER_ID, fill: d => color(d.diff), version, onHover })
}
