import { untrack } from 'svelte'
import type { StreamEvent } from '../api/client.ts'
import { LiveFeed } from '../state/live-feed.svelte.ts'
import type { QueryArea } from '../state/map-workspace.ts'
import { vnDayOf } from '../state/url-query.ts'
import type { IncidentWorkspace } from './incident-workspace.svelte.ts'

/** New incidents often come in bursts: the map loads again once they pause this long. */
export const MAP_REFRESH_DEBOUNCE_MS = 1000

/**
 * The live feed beside every workspace, scoped exactly like the incident map (area and
 * categories), and the incident it opened in the drawer. A new incident in the map's window
 * and categories loads the map again (debounced); a change of the open incident reloads the drawer.
 */
export class IncidentFeed {
  readonly feed = new LiveFeed()
  /** The incident shown in the drawer. */
  selectedId = $state<string | undefined>()
  /** Increases when the open incident changed: the drawer loads it again. */
  drawerRevision = $state(0)

  private refreshTimer: ReturnType<typeof setTimeout> | undefined

  constructor (private readonly incidents: IncidentWorkspace) {}

  /** Keeps the feed on the area and categories and listens to it (effects: call while the dashboard is set up). */
  follow (area: () => QueryArea | undefined): void {
    const filters = this.incidents.filters
    $effect(() => {
      const where = area()
      const categories = filters.categories
      const all = filters.allCategories
      if (!where || !this.incidents.canRead) {
        untrack(() => this.feed.stop())
        return
      }
      untrack(() => this.feed.start({ area: where, categories: all ? undefined : categories }))
    })
    $effect(() => {
      const unsubscribe = this.feed.onEvent(event => this.onEvent(event))
      return () => {
        unsubscribe()
        this.feed.stop()
        clearTimeout(this.refreshTimer)
      }
    })
  }

  private onEvent (event: StreamEvent): void {
    const incident = event.incident
    if (event.type === 'incident.updated' && String(incident.id) === this.selectedId) this.drawerRevision++
    if (event.type !== 'incident.created') return
    const filters = this.incidents.filters
    if (!filters.categories.includes(incident.category)) return
    const day = vnDayOf(incident.occurred_at)
    if (!day) return
    // Presets end on the newest data day: an incident of a later day (today) moves the window on.
    if (filters.preset !== 'custom' && filters.latestDay && day > filters.latestDay) {
      filters.setLatestDay(day)
      return
    }
    if (!filters.from || !filters.to || day < filters.from || day >= filters.to) return
    clearTimeout(this.refreshTimer)
    this.refreshTimer = setTimeout(() => this.incidents.reload(), MAP_REFRESH_DEBOUNCE_MS)
  }
}
