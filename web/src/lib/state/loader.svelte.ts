/**
 * The one loader primitive of the page's data (hex counts, hot spots, emerging patterns, a
 * two-window comparison) as runes: debounced loading, stale requests cancelled, status and error,
 * and a version that changes with every answer applied. `LoadStatus` is every workspace's status.
 */
import { latest, isAbortError, isUnauthenticated, ApiError } from '../api/client.ts'

/** Filters often change in bursts (ticking several boxes, typing a date); wait this long. */
export const LOAD_DEBOUNCE_MS = 250

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error'

export interface LoadError {
  kind: 'network' | 'request'
  message: string
  /** 401: the session ended; the login form is shown and the load is retried after it. */
  expired?: boolean
}

/** A failed load as the page reports it: a request the API refused, or an unreachable server. */
export function loadErrorOf (err: unknown): LoadError {
  return err instanceof ApiError
    ? { kind: 'request', message: err.message, expired: isUnauthenticated(err) }
    : { kind: 'network', message: err instanceof Error ? err.message : String(err) }
}

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

  constructor (load: (signal: AbortSignal, query: Q) => Promise<R>, private readonly debounceMs = LOAD_DEBOUNCE_MS) {
    this.fetchLatest = latest(load)
  }

  /** Asks for new data after the debounce; the same query twice in a row is ignored. */
  request (query: Q, { immediate = false, force = false } = {}): void {
    const key = JSON.stringify(query)
    if (!force && key === this.lastKey) return
    this.lastKey = key
    this.lastQuery = query
    clearTimeout(this.timer)
    // An answer to the previous query must not land while this one waits for its debounce.
    this.fetchLatest.cancel()
    this.status = 'loading'
    this.error = undefined
    const run = () => { void this.load(query) }
    if (immediate) run()
    else this.timer = setTimeout(run, this.debounceMs)
  }

  /** Shows nothing (e.g. no category ticked) and cancels what is in flight; the query is forgotten. */
  clear (): void {
    this.stop()
    this.lastKey = undefined
    this.lastQuery = undefined
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
    if (this.status !== 'loading') return
    this.stop()
    this.lastKey = undefined
    this.status = this.data === undefined ? 'idle' : 'ready'
  }

  /** Loads the last query again at once (after an error, or when new data arrived). */
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
      this.error = loadErrorOf(err)
    }
  }
}
