/**
 * Hex counts of the current view: a Loader of /api/hexes with the colour scale and total
 * derived from the latest answer.
 */
import { api, type HexQuery, type HexResponse } from '../api/client.ts'
import { countScale } from '../map/colors.ts'
import { Loader } from './loader.svelte.ts'

export class HexData extends Loader<HexQuery, HexResponse> {
  constructor () {
    super((signal, q) => api.hexes(q, signal))
  }

  cells = $derived(this.data?.cells ?? [])
  /** Resolution of the cells shown (from the answer). */
  res = $derived(this.data?.res)
  scale = $derived(countScale(this.cells.map(c => c.count)))
  total = $derived(this.cells.reduce((sum, c) => sum + c.count, 0))
}
