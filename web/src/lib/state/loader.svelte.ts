/**
 * One kind of map data (hot spots, emerging patterns, a two-window comparison) as runes: debounced
 * loading, stale requests cancelled, status and error, and a version that changes with every
 * answer applied. The same surface as HexData (hexes.svelte.ts), for any loader.
 */
import { latest, isAbortError, isUnauthenticated, ApiError } from '../api/client.ts'
import { HEX_FETCH_DEBOUNCE_MS, type LoadError, type LoadStatus } from './hexes.svelte.ts'

export class Loader<Q, R> {
  data = $state.raw<R | undefined>()
  /** The query of the data shown. */
  query = $state.raw<Q | undefined>()
  status = $state<LoadStatus>('idle')
  error = $state<LoadError | undefined>()
  /** Increases with every answer applied (or cleared); layers and readiness hooks key on it. */
  version = $state(0)

  private timer: ReturnType<typeof setTimeout> | undefined
  private lastKey: string | undefined
  private lastQuery: Q | undefined
  private readonly fetchLatest

  constructor (load: (signal: AbortSignal, query: Q) => Promise<R>, private readonly debounceMs = HEX_FETCH_DEBOUNCE_MS) {
    this.fetchLatest = latest(load)
  }

  /** Asks for new data after the debounce; the same query twice in a row is ignored. */
  request (query: Q, { immediate = false, force = false } = {}): void {
    const key = JSON.stringify(query)
    if (!force && key === this.lastKey) return
    this.lastKey = key
    this.lastQuery = query
    clearTimeout(this.timer)
    this.fetchLatest.cancel()
    this.status = 'loading'
    this.error = undefined
    const run = () => { void this.load(query) }
    if (immediate) run()
    else this.timer = setTimeout(run, this.debounceMs)
  }

  /** Shows nothing (e.g. no category ticked) and cancels what is in flight. */
  clear (): void {
    this.stop()
    this.query = undefined
    this.data = undefined
    this.error = undefined
    this.status = 'ready'
    this.version++
  }

  /**
   * Stops a pending or running load (the mode was left); the data shown stays. The next
   * `request`, even of the same query, loads again.
   */
  cancel (): void {
    const wasLoading = this.status === 'loading'
    this.stop()
    if (wasLoading) {
      this.status = this.data === undefined ? 'idle' : 'ready'
      this.lastKey = undefined
    }
  }

  retry (): void {
    if (this.lastQuery !== undefined) this.request(this.lastQuery, { immediate: true, force: true })
  }

  private stop (): void {
    clearTimeout(this.timer)
    this.fetchLatest.cancel()
  }

  private async load (query: Q): Promise<void> {
    try {
      const answer = await this.fetchLatest(query)
      this.data = answer
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
