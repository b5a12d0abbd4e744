import type { Layer, PickingInfo } from '@deck.gl/core'
import type { MapWorkspace, WorkspaceContext } from '../state/map-workspace.ts'
import type { LoadStatus } from '../state/loader.svelte.ts'
import { can } from '../auth/capabilities.ts'
import { api, ApiError, isAbortError, isUnauthenticated } from '../api/client.ts'
import {
  patrolApi, type CoverageCell, type CoverageGap, type CoverageResponse, type PatrolDetail, type PatrolPlan,
  type PatrolSummary, type PlanComparison, type Team, type TravelMode
} from '../api/patrols.ts'
import { coverageLayer, gapLayer, playbackLayers, routeLayers, startLayer } from '../map/layers/patrol-layers.ts'
import { advance, clampTime, playbackSpeed, positionAt, timelineOf, trailLength, tripSegments } from './playback.ts'
import { clampBudget, defaultCommune, polygonBBox, routePaths, waypointMarks, windowRange } from './plan-data.ts'

export const WINDOW_DAYS = [7, 14, 30] as const
export type WindowDays = typeof WINDOW_DAYS[number]
type LoadKind = 'communeDefault' | 'teams' | 'coverage' | 'patrols' | 'track' | 'plan' | 'comparison'

/** How many recent patrols the playback list offers. */
const PATROL_LIST_LIMIT = 20

export interface CoverageHover {
  x: number
  y: number
  h3: string
  cell: CoverageCell | undefined
  gap: CoverageGap | undefined
}

/** An error to show: a request the API refused (with its message) or an unreachable server. */
export interface ShownError {
  kind: 'network' | 'request'
  message: string
  field?: string
}

function shownError (err: unknown): ShownError {
  return err instanceof ApiError
    ? { kind: 'request', message: err.message, field: err.field }
    : { kind: 'network', message: err instanceof Error ? err.message : String(err) }
}

/**
 * The patrols workspace's state: the commune, team and time window; coverage (cells, gaps,
 * KPIs); the recent patrols and the playback of one; the route planner. Loads are started by the
 * setters (not effects), each cancelling its stale predecessor.
 */
export class PatrolWorkspace implements MapWorkspace {
  context = $state.raw<WorkspaceContext | undefined>()
  /** The commune coverage and planning look at (a province account chooses it). */
  commune = $state<string | undefined>()
  days = $state<WindowDays>(7)
  /** Team filter of coverage and the patrol list; undefined = every team of the commune. */
  team = $state<string | undefined>()

  teams = $state.raw<Team[]>([])
  coverage = $state.raw<CoverageResponse | undefined>()
  coverageStatus = $state<LoadStatus>('idle')
  coverageError = $state.raw<ShownError | undefined>()
  patrols = $state.raw<PatrolSummary[]>([])
  patrolsStatus = $state<LoadStatus>('idle')

  // Playback of one patrol.
  selectedPatrol = $state<string | undefined>()
  track = $state.raw<PatrolDetail | undefined>()
  trackStatus = $state<LoadStatus>('idle')
  trackError = $state.raw<ShownError | undefined>()
  time = $state(0)
  playing = $state(false)

  // Planner.
  planTeam = $state<string | undefined>()
  start = $state.raw<[number, number] | undefined>()
  minutes = $state(60)
  mode = $state<TravelMode>('foot')
  plan = $state.raw<PatrolPlan | undefined>()
  planStatus = $state<LoadStatus>('idle')
  planError = $state.raw<ShownError | undefined>()
  comparison = $state.raw<PlanComparison | undefined>()

  hover = $state.raw<CoverageHover | undefined>()

  /** Planning writes a plan: roles without `patrols:write` (disaster coordinators) only look. */
  mayPlan = $derived(this.context ? can(this.context.user, 'patrols:write') : false)
  /** Province accounts choose the commune; a commune account has exactly one. */
  canChooseCommune = $derived(!this.context?.area.commune)
  /** The communes of the province in name order (for the selector). */
  communeCodes = $derived((this.context?.communes?.features ?? [])
    .map(f => f.properties)
    .sort((a, b) => a.name.localeCompare(b.name, 'vi'))
    .map(p => p.code))

  /**
   * Where the map should look: the chosen commune's extent. A province account's map otherwise
   * stays on the whole province, where a commune's res-10 cells are specks. (For the dashboard
   * to fit the map to, like the user's own commune.)
   */
  focus = $derived.by((): [number, number, number, number] | undefined => {
    const feature = this.context?.communes?.features.find(f => f.properties.code === this.commune)
    return feature ? polygonBBox(feature.geometry.coordinates) : undefined
  })

  status = $derived.by((): LoadStatus => {
    if (!this.context) return 'idle'
    if (this.coverageStatus === 'loading' || this.trackStatus === 'loading' || this.planStatus === 'loading') return 'loading'
    if (this.coverageStatus === 'error') return 'error'
    // A province account waits for its communes and the default commune; none at all is 'ready'.
    if (!this.commune) return this.context.communes && this.communeCodes.length === 0 ? 'ready' : 'loading'
    return this.coverageStatus === 'ready' ? 'ready' : 'loading'
  })

  cells = $derived(this.coverage?.cells ?? [])
  gaps = $derived(this.coverage?.gaps ?? [])
  cellByH3 = $derived(new Map(this.cells.map(c => [c.h3, c])))
  gapByH3 = $derived(new Map(this.gaps.map(g => [g.h3, g])))

  timeline = $derived(timelineOf(this.track?.times ?? []))
  segments = $derived(this.track ? tripSegments(this.track.track?.coordinates ?? [], this.track.times, this.timeline.start) : [])
  head = $derived(positionAt(this.segments, this.time))

  marks = $derived(waypointMarks(this.plan))
  paths = $derived(routePaths(this.plan))

  /** Everything that changes what is drawn, except the playback clock (that redraws every frame). */
  layerKey = $derived([
    this.commune ?? '-', this.days, this.team ?? 'all', this.coverage ? `${this.coverage.res}:${this.cells.length}:${this.gaps.length}` : '-',
    this.track ? `t${this.track.id}` : '-', this.plan ? `p${this.plan.properties.id}` : '-', this.start?.join(',') ?? '-'
  ].join('|'))
  layerCount = $derived(this.cells.length)

  private onHoverCell = (info: PickingInfo<CoverageCell>) => this.setHover(info, info.object?.h3)
  private onHoverGap = (info: PickingInfo<CoverageGap>) => this.setHover(info, info.object?.h3)

  layers = $derived.by((): Layer[] => {
    if (!this.context) return []
    const version = this.layerKey
    const layers: Layer[] = [
      coverageLayer(this.cells, { version, onHover: this.onHoverCell }),
      gapLayer(this.gaps, { version, onHover: this.onHoverGap })
    ]
    if (this.track) {
      layers.push(...playbackLayers(this.segments, {
        currentTime: this.time, trailLength: trailLength(this.timeline.duration), version: String(this.track.id), head: this.head
      }))
    }
    layers.push(...routeLayers(this.paths, this.marks, version), startLayer(this.start))
    return layers
  })

  private controllers: Record<LoadKind, AbortController | undefined> = {
    communeDefault: undefined, teams: undefined, coverage: undefined, patrols: undefined, track: undefined, plan: undefined, comparison: undefined
  }

  private frame: number | undefined
  private lastFrameAt: number | undefined

  setContext (context: WorkspaceContext | undefined): void {
    const previous = this.context
    this.context = context
    if (!context) {
      this.deactivate()
      return
    }
    const sameArea = previous && previous.provinceCode === context.provinceCode &&
      previous.area.commune === context.area.commune && previous.area.province === context.area.province
    if (context.area.commune) {
      if (!sameArea || this.commune !== context.area.commune) this.setCommune(context.area.commune)
      else this.resume()
      return
    }
    // A province account: keep a commune chosen in this province, else open the default one.
    const codes = this.communeCodes
    if (sameArea && this.commune && codes.includes(this.commune)) {
      this.resume()
      return
    }
    if (codes.length > 0) void this.chooseDefaultCommune(context.provinceCode, codes)
  }

  /** The commune with most incidents in the window (the summary), else the first by name. */
  private async chooseDefaultCommune (province: string, codes: string[]): Promise<void> {
    const controller = this.renew('communeDefault')
    let totals: Map<string, number> | undefined
    try {
      const range = windowRange(this.days)
      const rows = await api.provinceSummary(province, range, controller.signal)
      totals = new Map(rows.map(r => [r.code, r.total]))
    } catch (err) {
      if (isAbortError(err)) return
      // Without incident access or summary the first commune is as good a start as any.
    }
    if (controller.signal.aborted) return
    this.setCommune(defaultCommune(codes, totals))
  }

  /** Back in the workspace (or the context was refreshed): redo what deactivate() stopped. */
  private resume (): void {
    if (!this.commune) return
    if (this.teams.length === 0) void this.loadTeams(this.commune)
    if (this.coverageStatus !== 'ready' || this.patrolsStatus !== 'ready') this.reload()
  }

  setCommune (code: string | undefined): void {
    this.commune = code
    this.team = undefined
    this.planTeam = undefined
    this.clearPlan()
    this.closePatrol()
    this.teams = []
    this.coverage = undefined
    this.patrols = []
    this.hover = undefined
    if (!code) return
    void this.loadTeams(code)
    this.reload()
  }

  setDays (days: WindowDays): void {
    if (days === this.days) return
    this.days = days
    this.reload()
  }

  setTeam (team: string | undefined): void {
    if (team === this.team) return
    this.team = team
    if (team) this.planTeam = team
    this.reload()
  }

  /** Coverage and the patrol list of the current commune, team and window. */
  reload (): void {
    if (!this.commune) return
    void this.loadCoverage()
    void this.loadPatrols()
  }

  private renew (kind: LoadKind): AbortController {
    this.controllers[kind]?.abort()
    const controller = new AbortController()
    this.controllers[kind] = controller
    return controller
  }

  private async loadTeams (commune: string): Promise<void> {
    const controller = this.renew('teams')
    try {
      const teams = await patrolApi.teams({ commune }, controller.signal)
      this.teams = teams
      if (!this.planTeam || !teams.some(t => String(t.id) === this.planTeam)) this.planTeam = teams[0] ? String(teams[0].id) : undefined
    } catch (err) {
      if (isAbortError(err)) return
      this.teams = []
      if (!isUnauthenticated(err)) console.error('teams:', err)
    }
  }

  private async loadCoverage (): Promise<void> {
    const controller = this.renew('coverage')
    this.coverageStatus = 'loading'
    this.coverageError = undefined
    try {
      const range = windowRange(this.days)
      const coverage = await patrolApi.coverage({ commune: this.commune, team: this.team, ...range }, controller.signal)
      this.coverage = coverage
      this.coverageStatus = 'ready'
    } catch (err) {
      if (isAbortError(err)) return
      this.coverage = undefined
      this.coverageStatus = 'error'
      this.coverageError = shownError(err)
    }
  }

  private async loadPatrols (): Promise<void> {
    const controller = this.renew('patrols')
    this.patrolsStatus = 'loading'
    try {
      const range = windowRange(this.days)
      this.patrols = await patrolApi.patrols({ commune: this.commune, team: this.team, ...range, limit: PATROL_LIST_LIMIT }, controller.signal)
      this.patrolsStatus = 'ready'
    } catch (err) {
      if (isAbortError(err)) return
      this.patrols = []
      this.patrolsStatus = 'error'
    }
  }

  // ——— Playback ———

  /** Loads a patrol's cleaned track and plays it from the start. */
  async openPatrol (id: string): Promise<void> {
    this.pause()
    this.selectedPatrol = id
    this.track = undefined
    this.trackError = undefined
    this.comparison = undefined
    this.time = 0
    const controller = this.renew('track')
    this.trackStatus = 'loading'
    try {
      const track = await patrolApi.patrol(id, controller.signal)
      this.track = track
      this.trackStatus = 'ready'
      this.play()
      void this.loadComparison()
    } catch (err) {
      if (isAbortError(err)) return
      this.trackStatus = 'error'
      this.trackError = shownError(err)
    }
  }

  closePatrol (): void {
    this.controllers.track?.abort()
    this.pause()
    this.selectedPatrol = undefined
    this.track = undefined
    this.trackStatus = 'idle'
    this.trackError = undefined
    this.comparison = undefined
    this.time = 0
  }

  play (): void {
    if (!this.track || this.timeline.duration <= 0) return
    if (this.time >= this.timeline.duration) this.time = 0
    this.playing = true
    this.lastFrameAt = undefined
    this.scheduleFrame()
  }

  pause (): void {
    this.playing = false
    if (this.frame !== undefined) cancelAnimationFrame(this.frame)
    this.frame = undefined
  }

  seek (seconds: number): void {
    this.time = clampTime(seconds, this.timeline.duration)
  }

  private scheduleFrame (): void {
    if (typeof requestAnimationFrame === 'undefined') return
    this.frame = requestAnimationFrame((now) => {
      this.frame = undefined
      if (!this.playing) return
      const elapsed = this.lastFrameAt === undefined ? 0 : now - this.lastFrameAt
      this.lastFrameAt = now
      const next = advance(this.time, elapsed, playbackSpeed(this.timeline.duration), this.timeline.duration)
      this.time = next.time
      this.playing = next.playing
      if (next.playing) this.scheduleFrame()
    })
  }

  // ——— Planner ———

  /** A click on the map places the route's start. */
  mapClick (lonLat: [number, number]): void {
    if (!this.commune || !this.mayPlan) return
    this.start = [Number(lonLat[0].toFixed(6)), Number(lonLat[1].toFixed(6))]
    this.planError = undefined
  }

  setMinutes (minutes: number): void {
    this.minutes = clampBudget(minutes)
  }

  canPlan = $derived(this.planTeam !== undefined && this.start !== undefined && this.planStatus !== 'loading')

  async submitPlan (): Promise<void> {
    if (!this.planTeam || !this.start) return
    const controller = this.renew('plan')
    this.planStatus = 'loading'
    this.planError = undefined
    this.comparison = undefined
    try {
      const range = windowRange(this.days)
      this.plan = await patrolApi.plan({
        team_id: this.planTeam, start: this.start, minutes: this.minutes, mode: this.mode, ...range
      }, controller.signal)
      this.planStatus = 'ready'
      void this.loadComparison()
    } catch (err) {
      if (isAbortError(err)) return
      this.planStatus = 'error'
      this.planError = shownError(err)
    }
  }

  clearPlan (): void {
    this.controllers.plan?.abort()
    this.plan = undefined
    this.planStatus = 'idle'
    this.planError = undefined
    this.comparison = undefined
    this.start = undefined
  }

  /** Plan vs actual: when a plan and a later patrol of its team are both open. */
  private async loadComparison (): Promise<void> {
    const plan = this.plan
    const track = this.track
    if (!plan || !track || String(track.team_id) !== String(plan.properties.team_id)) return
    const controller = this.renew('comparison')
    try {
      this.comparison = await patrolApi.comparison(plan.properties.id, track.id, controller.signal)
    } catch (err) {
      // The comparison is extra: without it the panel just leaves it out.
      if (!isAbortError(err)) this.comparison = undefined
    }
  }

  private setHover (info: PickingInfo<unknown>, h3: string | undefined): void {
    this.hover = h3 ? { x: info.x, y: info.y, h3, cell: this.cellByH3.get(h3), gap: this.gapByH3.get(h3) } : undefined
  }

  deactivate (): void {
    for (const controller of Object.values(this.controllers)) controller?.abort()
    this.pause()
    this.hover = undefined
    // Stopped loads leave no 'loading' behind: the next visit loads again.
    if (this.coverageStatus === 'loading') this.coverageStatus = 'idle'
    if (this.patrolsStatus === 'loading') this.patrolsStatus = 'idle'
    if (this.trackStatus === 'loading') this.trackStatus = 'idle'
    if (this.planStatus === 'loading') this.planStatus = 'idle'
  }
}
