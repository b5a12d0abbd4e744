import { untrack } from 'svelte'
import { cellToLatLng } from 'h3-js'
import type { Layer, PickingInfo } from '@deck.gl/core'
import {
  api, buildUrl, filterParams, type Category, type EmergingCell, type EmergingQuery, type EmergingResponse, type HexCell, type HexQuery,
  type HotspotCell, type HotspotQuery, type HotspotResponse
} from '../api/client.ts'
import { can, type User } from '../auth/capabilities.ts'
import type { MessageKey } from '../i18n/index.svelte.ts'
import { changedCells, differenceCells, totalOf, type DifferenceCell } from '../map/compare.ts'
import { differenceScale } from '../map/hotspot-palette.ts'
import { differenceLayer } from '../map/layers/difference-layer.ts'
import { drawnEmergingCells, emergingLayer } from '../map/layers/emerging-layer.ts'
import { hexLayer } from '../map/layers/hex-layer.ts'
import { hotspotLayer } from '../map/layers/hotspot-layer.ts'
import { resForZoom } from '../map/resolution.ts'
import type { ViewChange } from '../map/types.ts'
import { AnalysisOptions } from '../state/analysis.svelte.ts'
import { Filters } from '../state/filters.svelte.ts'
import { HexData } from '../state/hexes.svelte.ts'
import { Loader } from '../state/loader.svelte.ts'
import type { MapWorkspace, QueryArea, WorkspaceContext } from '../state/map-workspace.ts'
import { MODES, autoResForMode, type Mode } from '../state/modes.ts'
import { dayBoundary, type QueryState } from '../state/url-query.ts'

interface CompareQuery { a: HexQuery, b: HexQuery }
interface CompareResult { res: number, totalA: number, totalB: number, cells: DifferenceCell[] }
/** What the dashboard drives in every mode's source. */
type Source = Pick<Loader<unknown, unknown>, 'status' | 'error' | 'version' | 'retry' | 'cancel' | 'clear'>

/** Everything the current mode's query is made of ('none': no category ticked, nothing to show). */
interface Wanted extends Pick<AnalysisOptions, 'k' | 'step' | 'steps' | 'windowA' | 'windowB'> {
  mode: Mode
  area: QueryArea
  range: { from: string, to: string }
  res: number
  to: string | undefined
  categories: Category[] | undefined | 'none'
}

export type IncidentHover = { x: number, y: number } & (
  | { mode: 'counts', cell: HexCell }
  | { mode: 'hotspots', cell: HotspotCell }
  | { mode: 'emerging', cell: EmergingCell }
  | { mode: 'compare', cell: DifferenceCell })

async function loadComparison (signal: AbortSignal, q: CompareQuery): Promise<CompareResult> {
  const [a, b] = await Promise.all([api.hexes(q.a, signal), api.hexes(q.b, signal)])
  return { res: a.res, totalA: totalOf(a.cells), totalB: totalOf(b.cells), cells: differenceCells(a.cells, b.cells) }
}

/**
 * The incident map workspace (provincial command centres): the filters and the analysis mode,
 * one data source per mode (only the current mode's source loads), the layer of what it draws,
 * the hovered cell and why the map is empty. Unlike the other workspaces its loads follow
 * reactive state the filter panel changes directly, so they are an effect: `follow()`.
 */
export class IncidentWorkspace implements MapWorkspace {
  readonly filters = new Filters()
  readonly analysis = new AnalysisOptions(this.filters)
  context = $state.raw<WorkspaceContext | undefined>()
  /** The map's view: its zoom sets the automatic resolution, its bounds the in-view total. */
  view = $state.raw<ViewChange | undefined>()
  hover = $state.raw<IncidentHover | undefined>()
  private active = $state(false)

  readonly hexes = new HexData()
  readonly hotspots = new Loader<HotspotQuery, HotspotResponse>((signal, q) => api.hotspots(q, signal))
  readonly emerging = new Loader<EmergingQuery, EmergingResponse>((signal, q) => api.emerging(q, signal))
  readonly compare = new Loader<CompareQuery, CompareResult>(loadComparison)
  private readonly sources: Record<Mode, Source> = {
    counts: this.hexes, hotspots: this.hotspots, emerging: this.emerging, compare: this.compare
  }

  /** `user`: the signed-in user (a getter: the same user may sign in again). */
  constructor (private readonly user: () => User, query: QueryState) {
    this.filters.applyQuery(query)
    this.analysis.applyQuery(query)
  }

  mode = $derived(this.analysis.mode)
  /** The current mode's source. */
  source = $derived(this.sources[this.mode])
  status = $derived(this.source.status)
  /** Without `incidents:read` there is nothing to count: no incident or hex query is sent. */
  canRead = $derived.by(() => can(this.user(), 'incidents:read'))
  area = $derived(this.context?.area)

  /** The resolution "automatic" stands for at this zoom and in this mode. */
  autoRes = $derived(this.view ? autoResForMode(this.mode, resForZoom(this.view.zoom), this.area ?? {}) : undefined)
  effectiveRes = $derived(this.filters.res === 'auto' ? this.autoRes : this.filters.res)

  hotspotCells = $derived(this.hotspots.data?.cells ?? [])
  emergingCells = $derived(this.emerging.data?.cells ?? [])
  emergingDrawn = $derived(drawnEmergingCells(this.emergingCells))
  compareChanged = $derived(changedCells(this.compare.data?.cells ?? []))
  compareScale = $derived(differenceScale(this.compareChanged.map(c => c.diff)))

  layerKey = $derived(`${this.mode}:${this.source.version}`)

  private onHoverCounts = this.hoverOf<HexCell>('counts')
  private onHoverHotspots = this.hoverOf<HotspotCell>('hotspots')
  private onHoverEmerging = this.hoverOf<EmergingCell>('emerging')
  private onHoverCompare = this.hoverOf<DifferenceCell>('compare')

  /** The current mode's layer (pure factories) and how many cells it draws. */
  private drawn = $derived.by((): { layer: Layer, count: number } => {
    const version = this.layerKey
    switch (this.mode) {
      case 'hotspots':
        return { layer: hotspotLayer(this.hotspotCells, { version, onHover: this.onHoverHotspots }), count: this.hotspotCells.length }
      case 'emerging':
        return { layer: emergingLayer(this.emergingDrawn, { version, onHover: this.onHoverEmerging }), count: this.emergingDrawn.length }
      case 'compare':
        return {
          layer: differenceLayer(this.compareChanged, { color: this.compareScale.color, version, onHover: this.onHoverCompare }),
          count: this.compareChanged.length
        }
      default:
        return { layer: hexLayer(this.hexes.cells, { color: this.hexes.scale.color, version, onHover: this.onHoverCounts }), count: this.hexes.cells.length }
    }
  })
  layers = $derived([this.drawn.layer])
  layerCount = $derived(this.drawn.count)

  /** Totals: the counts whose cell centre is on screen. */
  private centres = $derived(this.hexes.cells.map(c => cellToLatLng(c.h3)))
  inView = $derived.by(() => {
    if (!this.view) return undefined
    const [w, s, e, n] = this.view.bounds
    let sum = 0
    this.hexes.cells.forEach((cell, i) => {
      const [lat, lon] = this.centres[i]
      if (lon >= w && lon <= e && lat >= s && lat <= n) sum += cell.count
    })
    return sum
  })

  /** Why the current mode's answer draws nothing (a message key), if it does. */
  emptyKey = $derived.by((): MessageKey | undefined => {
    switch (this.mode) {
      case 'counts':
        return this.hexes.cells.length === 0 && this.hexes.query ? 'state.empty' : undefined
      case 'hotspots':
        if (this.hotspots.data && this.hotspotCells.length === 0) return 'state.empty.hotspotsNoCells'
        return this.hotspots.data && this.hotspotCells.every(c => c.count === 0) ? 'state.empty.hotspots' : undefined
      case 'emerging':
        return this.emerging.data && this.emergingDrawn.length === 0 ? 'state.empty.emerging' : undefined
      case 'compare': {
        const data = this.compare.data
        if (data && data.totalA + data.totalB === 0) return 'state.empty.compare'
        return data && this.compareChanged.length === 0 ? 'state.empty.compareSame' : undefined
      }
    }
  })

  /** The incident list's filters, for the export links. */
  exportQuery = $derived.by(() => {
    if (!this.area || !this.filters.range) return undefined
    const params = filterParams({ ...this.area, from: this.filters.range.from, to: this.filters.range.to,
      categories: this.filters.allCategories ? undefined : this.filters.categories })
    return buildUrl('', params).replace(/^\?/, '')
  })

  /**
   * What the current mode should load: undefined while something is missing. Waits for the map
   * to have fitted the jurisdiction (`view` and the context's bbox), or the first query would
   * use zoom 5.
   */
  private wanted = $derived.by((): Wanted | undefined => {
    const { area, view, context, active, canRead, effectiveRes: res } = this
    const range = this.filters.range
    if (!active || !area || !canRead || !range || res === undefined || !view || !context?.bbox) return undefined
    const { k, step, steps, windowA, windowB } = this.analysis
    const categories = this.filters.categories
    return {
      mode: this.mode, area, range, res, k, step, steps, windowA, windowB, to: this.filters.to,
      categories: categories.length === 0 ? 'none' : this.filters.allCategories ? undefined : categories
    }
  })

  /** Loads the current mode's data whenever the mode, area, window, categories, resolution or its options change. */
  follow (): void {
    $effect(() => {
      void this.wanted
      untrack(() => this.sync())
    })
  }

  /** Asks the current mode's source for what the filters want now (the other modes' loads stop). */
  sync (): void {
    if (!this.wanted) return
    const { mode, area, range, res, k, step, steps, windowA, windowB, to, categories } = this.wanted
    for (const m of MODES) if (m !== mode) this.sources[m].cancel()
    if (categories === 'none') {
      this.sources[mode].clear()
      return
    }
    switch (mode) {
      case 'counts':
        this.hexes.request({ res, ...area, from: range.from, to: range.to, categories })
        break
      case 'hotspots':
        this.hotspots.request({ res, k, ...area, from: range.from, to: range.to, categories })
        break
      case 'emerging':
        if (to) this.emerging.request({ res, k, ...area, to, step, steps, categories })
        break
      case 'compare':
        if (windowA && windowB) {
          this.compare.request({
            a: { res, ...area, from: dayBoundary(windowA.from), to: dayBoundary(windowA.to), categories },
            b: { res, ...area, from: dayBoundary(windowB.from), to: dayBoundary(windowB.to), categories }
          })
        }
        break
    }
  }

  setContext (context: WorkspaceContext | undefined): void {
    if (context?.provinceCode !== this.context?.provinceCode) this.hover = undefined
    this.context = context
    this.active = true
  }

  setMode (mode: Mode): void {
    if (mode === this.analysis.mode) return
    this.hover = undefined
    this.analysis.setMode(mode)
  }

  /** Loads the current mode again now (it failed, or new incidents arrived); not while it loads. */
  reload (): void {
    if (this.source.status !== 'loading') this.source.retry()
  }

  /** Signed in again: what the 401 stopped. */
  resume (): void {
    if (this.source.status === 'error') this.source.retry()
  }

  deactivate (): void {
    this.active = false
    this.hover = undefined
    for (const source of Object.values(this.sources)) source.cancel()
  }

  /** The dashboard is gone: nothing may load or land. */
  destroy (): void {
    for (const source of Object.values(this.sources)) source.clear()
  }

  private hoverOf<T> (mode: Mode): (info: PickingInfo<T>) => void {
    return (info) => {
      this.hover = info.object ? { mode, cell: info.object, x: info.x, y: info.y } as unknown as IncidentHover : undefined
    }
  }
}
