import type { Layer, PickingInfo } from '@deck.gl/core'
import type { MapWorkspace, WorkspaceContext } from '../state/map-workspace.ts'
import type { LoadStatus } from '../state/loader.svelte.ts'
import { ApiError, closeOnSessionEnd, isAbortError } from '../api/client.ts'
import {
  EVACUATION_EVENT_TYPES, evacuationApi, evacuationStreamUrl, type CommuneEvacuation, type EvacuationArea,
  type NearShelterCollection, type ProgressReport, type RescueRequest, type ShelterCollection, type Timeline, type TimelineStep,
  type ZoneCollection, type ZoneFeature, type ZoneStatus
} from '../api/evacuation.ts'
import { can } from '../auth/capabilities.ts'
import {
  rescueLayer, shelterLayer, teamLayer, zoneLayer, type ShelterPoint, type TeamMarker
} from '../map/layers/evacuation-layers.ts'
import { communeProgress, sortZones, teamPositions, totalsOf, zoneAnchor, zoneAt } from './evacuation-math.ts'

const EMPTY_ZONES: ZoneCollection = { type: 'FeatureCollection', features: [] }
const EMPTY_SHELTERS: ShelterCollection = { type: 'FeatureCollection', features: [] }

/** Rescue requests still waiting for help (the incident workflow's open statuses). */
const OPEN_RESCUE = new Set(['reported', 'dispatched', 'on_scene'])
/** Several events of one action (status + progress + shelter) cause one reload. */
const LIVE_DEBOUNCE_MS = 800
/** Without the live stream (closed or refused), the data is reloaded this often. */
export const POLL_MS = 30_000
/** Commune detail loads in flight at once (a province may have zones in dozens of communes). */
const DETAIL_CONCURRENCY = 6

export type Hover = { x: number, y: number } & (
  | { kind: 'zone', zone: ZoneFeature }
  | { kind: 'shelter', shelter: ShelterPoint }
  | { kind: 'team', team: TeamMarker }
  | { kind: 'rescue', request: RescueRequest })

/** An API refusal as the card shows it. */
export interface ActionError { status: number, code: string, message: string, field?: string }
export type ActionResult = { ok: true } | { ok: false, error: ActionError }

function actionError (err: unknown): ActionError {
  if (err instanceof ApiError) return { status: err.status, code: err.code, message: err.message, field: err.field }
  return { status: 0, code: 'network', message: err instanceof Error ? err.message : String(err) }
}

function areaOf (context: WorkspaceContext): EvacuationArea {
  return context.area.commune ? { commune: context.area.commune } : { province: context.area.province ?? context.provinceCode }
}

/** The evacuation workspace's state: data loads, layers, selections, live refresh. */
export class EvacuationWorkspace implements MapWorkspace {
  context = $state.raw<WorkspaceContext | undefined>()
  status = $state<LoadStatus>('idle')
  error = $state<string | undefined>()

  zones = $state.raw<ZoneCollection>(EMPTY_ZONES)
  shelters = $state.raw<ShelterCollection>(EMPTY_SHELTERS)
  details = $state.raw<Map<string, CommuneEvacuation>>(new Map())
  timeline = $state.raw<Timeline | undefined>()
  step = $state<TimelineStep>('hour')
  /** Bumped whenever loaded data changes (layer update triggers and the layer key). */
  version = $state(0)

  selectedId = $state<string | undefined>()
  nearest = $state.raw<NearShelterCollection | undefined>()
  hover = $state.raw<Hover | undefined>()
  /** True while the live stream is open; otherwise the data is polled. */
  live = $state(false)

  canWrite = $derived(can(this.context?.user, 'evacuation:write'))
  sortedZones = $derived(sortZones(this.zones.features))
  communes = $derived(communeProgress(this.zones.features))
  totals = $derived(totalsOf(this.zones.features))
  selected = $derived(this.zones.features.find(z => z.properties.id === this.selectedId))
  /** The selected zone's commune details (teams, shelters of the commune). */
  selectedDetails = $derived(this.selected ? this.details.get(this.selected.properties.commune_code) : undefined)

  teams = $derived.by((): TeamMarker[] => {
    const zoneById = new Map(this.zones.features.map(z => [z.properties.id, z]))
    const byZone = new Map<string, { id: string, name: string, people_moved: number }[]>()
    for (const detail of this.details.values()) {
      for (const team of detail.teams) {
        for (const zoneId of team.zone_ids) {
          if (!zoneById.has(zoneId)) continue
          const list = byZone.get(zoneId) ?? []
          list.push(team)
          byZone.set(zoneId, list)
        }
      }
    }
    const markers: TeamMarker[] = []
    for (const [zoneId, list] of byZone) {
      const zone = zoneById.get(zoneId)!
      const positions = teamPositions(zoneAnchor(zone.geometry), list.length)
      list.forEach((team, i) => markers.push({
        id: team.id, name: team.name, zoneId, zoneName: zone.properties.name, position: positions[i], peopleMoved: team.people_moved
      }))
    }
    return markers
  })

  rescueRequests = $derived([...this.details.values()].flatMap(d => d.rescue_requests.filter(r => OPEN_RESCUE.has(r.status))))

  layers = $derived<Layer[]>([
    zoneLayer(this.zones, { version: this.version, selectedId: this.selectedId, onHover: this.hoverOf('zone') }),
    shelterLayer(this.shelters, { version: this.version, onHover: this.hoverOf('shelter') }),
    teamLayer(this.teams, { version: this.version, onHover: this.hoverOf('team') }),
    rescueLayer(this.rescueRequests, { version: this.version, onHover: this.hoverOf('rescue') })
  ])
  layerKey = $derived(`evacuation:${this.version}:${this.selectedId ?? ''}`)
  /** The zones drawn (the `hexCount` test hook). */
  layerCount = $derived(this.zones.features.length)

  private areaKey: string | undefined
  private controller: AbortController | undefined
  private nearestController: AbortController | undefined
  private source: EventSource | undefined
  private liveTimer: ReturnType<typeof setTimeout> | undefined
  private pollTimer: ReturnType<typeof setInterval> | undefined

  private hoverOf (kind: Hover['kind']) {
    return (info: PickingInfo<unknown>) => {
      if (!info.object) {
        if (this.hover?.kind === kind) this.hover = undefined
        return
      }
      const key = kind === 'zone' ? 'zone' : kind === 'shelter' ? 'shelter' : kind === 'team' ? 'team' : 'request'
      this.hover = { kind, [key]: info.object, x: info.x, y: info.y } as unknown as Hover
    }
  }

  setContext (context: WorkspaceContext | undefined): void {
    this.context = context
    const key = context ? `${String(context.user.id)}|${JSON.stringify(areaOf(context))}` : undefined
    // The communes arriving later change the context but not what to load.
    if (key === this.areaKey && this.status !== 'idle') return
    this.stop()
    this.areaKey = key
    if (!context) {
      this.status = 'idle'
      return
    }
    this.selectedId = undefined
    this.nearest = undefined
    void this.load(true)
    this.listen(areaOf(context))
  }

  /** Loads zones, shelters and the timeline, then the details of every commune with zones. */
  async load (initial = false): Promise<void> {
    const context = this.context
    if (!context) return
    const area = areaOf(context)
    this.controller?.abort()
    const controller = new AbortController()
    this.controller = controller
    const signal = controller.signal
    if (initial) {
      this.status = 'loading'
      this.error = undefined
    }
    try {
      const [zones, shelters, timeline] = await Promise.all([
        evacuationApi.zones(area, signal),
        evacuationApi.shelters(area, signal),
        evacuationApi.timeline(area, this.step, signal)
      ])
      const codes = [...new Set(zones.features.map(z => z.properties.commune_code))]
      const details = new Map<string, CommuneEvacuation>()
      let next = 0
      const worker = async () => {
        while (next < codes.length) {
          const code = codes[next++]
          details.set(code, await evacuationApi.commune(code, signal))
        }
      }
      await Promise.all(Array.from({ length: Math.min(DETAIL_CONCURRENCY, codes.length) }, worker))
      if (signal.aborted) return
      // One assignment of everything, so the layers and lists never show half a reload.
      this.zones = zones
      this.shelters = shelters
      this.timeline = timeline
      this.details = details
      this.version++
      this.status = 'ready'
      this.error = undefined
      if (this.selectedId && !zones.features.some(z => z.properties.id === this.selectedId)) this.select(undefined)
      else if (this.selectedId) void this.loadNearest(this.selectedId)
    } catch (err) {
      if (isAbortError(err)) return
      this.error = actionError(err).message
      if (initial || this.status !== 'ready') this.status = 'error'
    } finally {
      if (this.controller === controller) this.controller = undefined
    }
  }

  setStep (step: TimelineStep): void {
    if (step === this.step) return
    this.step = step
    const context = this.context
    if (!context) return
    evacuationApi.timeline(areaOf(context), step)
      .then((timeline) => { if (this.step === step) this.timeline = timeline })
      .catch((err) => { if (!isAbortError(err)) console.error('evacuation timeline:', err) })
  }

  select (id: string | undefined): void {
    this.selectedId = id
    this.nearest = undefined
    this.nearestController?.abort()
    if (id) void this.loadNearest(id)
  }

  private async loadNearest (id: string): Promise<void> {
    this.nearestController?.abort()
    const controller = new AbortController()
    this.nearestController = controller
    try {
      const nearest = await evacuationApi.nearestShelters(id, 5, controller.signal)
      if (this.selectedId === id) this.nearest = nearest
    } catch (err) {
      if (!isAbortError(err)) console.error('nearest shelters:', err)
    }
  }

  mapClick = (lonLat: [number, number]): void => {
    const zone = zoneAt(this.zones.features, lonLat)
    this.select(zone?.properties.id)
  }

  /** Replaces one zone in place (the answer of a write) before the full reload arrives. */
  private applyZone (zone: ZoneFeature): void {
    this.zones = {
      ...this.zones,
      features: this.zones.features.map(z => z.properties.id === zone.properties.id ? zone : z)
    }
    this.version++
  }

  async setStatus (zoneId: string, status: ZoneStatus, note?: string): Promise<ActionResult> {
    try {
      const zone = await evacuationApi.setStatus(zoneId, status, note)
      this.applyZone(zone)
      void this.load()
      return { ok: true }
    } catch (err) {
      return { ok: false, error: actionError(err) }
    }
  }

  async reportProgress (zoneId: string, report: ProgressReport): Promise<ActionResult> {
    try {
      const answer = await evacuationApi.reportProgress(zoneId, report)
      this.applyZone(answer.zone)
      void this.load()
      return { ok: true }
    } catch (err) {
      return { ok: false, error: actionError(err) }
    }
  }

  /** Evacuation events of the area on the live stream reload the data (debounced). */
  private listen (area: EvacuationArea): void {
    if (typeof EventSource === 'undefined') {
      this.startPolling()
      return
    }
    const source = new EventSource(evacuationStreamUrl(area), { withCredentials: true })
    this.source = source
    source.onopen = () => {
      if (this.source !== source) return
      this.live = true
      this.stopPolling()
    }
    source.onerror = () => {
      if (this.source !== source) return
      this.live = false
      // EventSource retries by itself; poll meanwhile so the figures keep moving.
      this.startPolling()
    }
    const onEvent = () => {
      if (this.source !== source) return
      clearTimeout(this.liveTimer)
      this.liveTimer = setTimeout(() => { void this.load() }, LIVE_DEBOUNCE_MS)
    }
    for (const type of EVACUATION_EVENT_TYPES) source.addEventListener(type, onEvent)
    // Closed for good: poll instead (polls answer 401 if the session itself has ended).
    closeOnSessionEnd(source, () => { if (this.source === source) { this.live = false; this.startPolling() } })
  }

  private startPolling (): void {
    if (this.pollTimer) return
    this.pollTimer = setInterval(() => { if (!this.live) void this.load() }, POLL_MS)
  }

  private stopPolling (): void {
    clearInterval(this.pollTimer)
    this.pollTimer = undefined
  }

  private stop (): void {
    this.controller?.abort()
    this.controller = undefined
    this.nearestController?.abort()
    this.source?.close()
    this.source = undefined
    this.live = false
    clearTimeout(this.liveTimer)
    this.stopPolling()
    this.hover = undefined
  }

  deactivate (): void {
    this.stop()
    this.areaKey = undefined
    this.status = 'idle'
  }
}
