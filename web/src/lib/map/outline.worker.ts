/**
 * Dissolves a province's communes into its outline off the page's thread (a union of a hundred
 * detailed polygons takes seconds). Message in: the communes FeatureCollection with an `id`;
 * message out: `{ id, outline }` (a FeatureCollection, empty when the union failed).
 */
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson'
import { dissolveCommunes } from './communes.ts'

export interface OutlineRequest {
  id: number
  communes: FeatureCollection<MultiPolygon | Polygon>
}
export interface OutlineResponse {
  id: number
  outline: FeatureCollection<MultiPolygon | Polygon>
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<OutlineRequest>) => void) | null
  postMessage: (message: OutlineResponse) => void
}

scope.onmessage = ({ data }) => {
  let outline: OutlineResponse['outline'] = { type: 'FeatureCollection', features: [] }
  try {
    const dissolved = dissolveCommunes(data.communes)
    if (dissolved) outline = { type: 'FeatureCollection', features: [dissolved] }
  } catch (err) {
    console.error('province outline:', err)
  }
  scope.postMessage({ id: data.id, outline })
}
