import { flatHexLayer } from './flat-hex-layer.ts'
import type { PickingInfo } from '@deck.gl/core'
import type { HotspotCell } from '../../api/client.ts'
import type { RGBA } from '../colors.ts'
import { hotspotColor } from '../hotspot-palette.ts'

export const HOTSPOT_LAYER_ID = 'hotspot-hexes'

export interface HotspotLayerOptions {
  /** Changes whenever the rows change, so deck.gl recomputes colours. */
  version: string | number
  onHover?: (info: PickingInfo<HotspotCell>) => void
}

/** Outline: white between significant cells, none around the faint not-significant ones. */
const LINE_SIGNIFICANT: RGBA = [255, 255, 255, 150]
const LINE_NOT_SIGNIFICANT: RGBA = [255, 255, 255, 0]

/** Fill colour of a row (its class on the diverging palette). */
export function hotspotFill (row: HotspotCell): RGBA {
  return hotspotColor(row.class)
}

export function hotspotLine (row: HotspotCell): RGBA {
  return row.class === 'not_significant' ? LINE_NOT_SIGNIFICANT : LINE_SIGNIFICANT
}

/**
 * Hot and cold spots (rows from GET /api/hotspots): every cell of the study area, flat,
 * coloured by class; not-significant cells faint so the significant ones stand out.
 */
export function hotspotLayer (rows: readonly HotspotCell[], { version, onHover }: HotspotLayerOptions) {
  return flatHexLayer(rows, { id: HOTSPOT_LAYER_ID, fill: hotspotFill, line: hotspotLine, version, onHover })
}
