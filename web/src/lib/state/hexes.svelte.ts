/**
 * Hex counts of the current view: debounced loading, stale requests cancelled, and the
 * colour scale and totals derived from the latest answer.
 */
import { api, latest, isAbortError, isUnauthenticated, ApiError, type HexCell, type HexQuery } from '../api/client.ts'
import { countScale } from '../map/colors.ts'

/** Filters often change in bursts (ticking several boxes, typing a date); wait this long. */
export const HEX_FETCH_DEBOUNCE_MS = 250

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error'
export interface LoadError {
  kind: 'network' | 'request'
  message: string
  /** 401: the session ended; the login form is shown and the load is retried after it. */
  expired?: boolean
}

export class HexData {
  cells = $state.raw<HexCell[]>([])
  /** Resolution of the cells shown (from the answer). */
  res = $state<number | undefined>()
  status = $state<LoadStatus>('idle')
  error = $state<LoadError | undefined>()
  /** Increases with every answer applied; the layer and readiness hooks key on it. */
  version = $state(0)
  /** The query of the cells shown. */
  query = $state.raw<HexQuery | undefined>()

  scale = $derived(countScale(this.cells.map(c => c.count)))
  total = $derived(this.cells.reduce((sum, c) => sum + c.count, 0))

  private timer: ReturnType<typeof setTimeout> | undefined
  private lastKey: string | undefined
  private readonly fetchLatest = latest((signal, q: HexQuery) => api.hexes(q, signal))

  /** Asks for new cells after the debounce; the same query twice in a row is ignored. */
  request (query: HexQuery, { immediate = false, force = false } = {}): void {
    const key = JSON.stringify(query)
    if (!force && key === this.lastKey) return
    this.lastKey = key
    clearTimeout(this.timer)
    // An answer to the previous query must not land while this one waits for its debounce.
    this.fetchLatest.cancel()
    this.status = 'loading'
    this.error = undefined
    const run = () => { void this.load(query) }
    if (immediate) run()
    else this.timer = setTimeout(run, HEX_FETCH_DEBOUNCE_MS)
  }

  /** Shows nothing (e.g. no category ticked) and cancels what is in flight. */
  clear (): void {
    clearTimeout(this.timer)
    this.fetchLatest.cancel()
    this.lastKey = undefined
    this.query = undefined
    this.cells = []
    this.res = undefined
    this.error = undefined
    this.status = 'ready'
    this.version++
  }

  /**
   * Stops a pending or running load (the counts mode was left); the cells shown stay. The next
   * `request`, even of the same query, loads again.
   */
  cancel (): void {
    if (this.status !== 'loading') return
    clearTimeout(this.timer)
    this.fetchLatest.cancel()
    this.lastKey = undefined
    this.status = this.query ? 'ready' : 'idle'
  }

  retry (): void {
    if (this.query || this.lastKey) this.request(JSON.parse(this.lastKey ?? JSON.stringify(this.query)), { immediate: true, force: true })
  }

  private async load (query: HexQuery): Promise<void> {
    try {
      const answer = await this.fetchLatest(query)
      this.cells = answer.cells
      this.res = answer.res
      this.query = query
      this.status = 'ready'
      this.version++
    } catch (err) {
      if (isAbortError(err)) return
      this.status = 'error'
      this.error = err instanceof ApiError
        ? { kind: 'request', message: err.message, expired: isUnauthenticated(err) }
        : { kind: 'network', message: err instanceof Error ? err.message : String(err) }
    }
  }
}
