/**
 * The live incident feed: the newest incidents of the map's area and categories, first from
 * GET /api/incidents, then kept current by the Server-Sent Events of GET /api/stream.
 */
import { api, buildUrl, closeOnSessionEnd, isAbortError, type AreaFilter, type Category, type IncidentProperties, type StreamEvent, type StreamIncident } from '../api/client.ts'

export const FEED_INITIAL = 30
export const FEED_MAX = 60

export interface FeedItem {
  id: string
  category: Category
  severity: number
  status: string
  occurred_at: string
  commune_code: string
  /** Set for a moment after the item arrived or changed (highlight). */
  fresh?: boolean
}

export interface FeedScope {
  area: { province: string } | { commune: string }
  /** Undefined: every category. */
  categories: readonly Category[] | undefined
}

/** A feed row from a live-feed event's incident or from a row of GET /api/incidents. */
export function itemOf (incident: StreamIncident | IncidentProperties): FeedItem {
  return {
    id: String(incident.id),
    category: incident.category,
    severity: incident.severity,
    status: incident.status,
    occurred_at: incident.occurred_at,
    commune_code: incident.commune_code
  }
}

/** Newest first by occurred_at, then id; an item already present is replaced. */
export function mergeItem (items: readonly FeedItem[], item: FeedItem, max = FEED_MAX): FeedItem[] {
  const rest = items.filter(i => i.id !== item.id)
  rest.push(item)
  rest.sort((a, b) => b.occurred_at.localeCompare(a.occurred_at) || Number(b.id) - Number(a.id))
  return rest.slice(0, max)
}

/** The stream URL of a scope (the server filters by area and category). */
export function streamUrl (scope: FeedScope): string {
  return buildUrl('/api/stream', {
    ...scope.area,
    category: scope.categories && scope.categories.length > 0 ? scope.categories.join(',') : undefined
  })
}

export class LiveFeed {
  items = $state.raw<FeedItem[]>([])
  connected = $state(false)
  loading = $state(false)

  private source: EventSource | undefined
  private controller: AbortController | undefined
  private key: string | undefined
  private readonly listeners = new Set<(event: StreamEvent) => void>()

  /** Called for every stream event (after the feed applied it). */
  onEvent (listener: (event: StreamEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Loads the newest incidents of the scope and listens for new ones; the same scope twice is ignored. */
  start (scope: FeedScope | undefined): void {
    const key = scope ? streamUrl(scope) : undefined
    if (key === this.key) return
    this.stop()
    this.key = key
    this.items = []
    if (!scope || (scope.categories && scope.categories.length === 0)) return
    const controller = new AbortController()
    this.controller = controller
    this.loading = true
    // Open the stream first so that nothing created during the initial load is missed.
    const source = new EventSource(streamUrl(scope), { withCredentials: true })
    this.source = source
    source.onopen = () => { this.connected = true }
    source.onerror = () => { this.connected = false }
    closeOnSessionEnd(source, () => { if (this.source === source) this.connected = false })
    const handle = (message: MessageEvent<string>) => {
      if (this.source !== source) return
      let event: StreamEvent
      try { event = JSON.parse(message.data) as StreamEvent } catch { return }
      if (!event?.incident) return
      this.apply(event)
    }
    source.addEventListener('incident.created', handle)
    source.addEventListener('incident.updated', handle)
    api.incidents({ ...scope.area, categories: scope.categories, limit: FEED_INITIAL }, controller.signal)
      .then((answer) => {
        let items = this.items
        for (const f of answer.features) {
          // A stream event that arrived during the load is newer than the list's copy.
          if (!items.some(i => i.id === String(f.properties.id))) items = mergeItem(items, itemOf(f.properties))
        }
        this.items = items
      })
      .catch((err) => { if (!isAbortError(err)) console.error('live feed:', err) })
      .finally(() => { if (this.controller === controller) this.loading = false })
  }

  stop (): void {
    this.controller?.abort()
    this.controller = undefined
    this.source?.close()
    this.source = undefined
    this.connected = false
    this.loading = false
    this.key = undefined
  }

  /** Applies one event: a new incident is added, a changed one replaced. */
  apply (event: StreamEvent): void {
    const item = { ...itemOf(event.incident), fresh: true }
    this.items = mergeItem(this.items.map(i => i.fresh ? { ...i, fresh: false } : i), item)
    for (const listener of this.listeners) listener(event)
  }
}
