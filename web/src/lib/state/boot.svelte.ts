/**
 * The dashboard's start: the provinces, then the chosen province's newest incident day (every
 * incident query needs it before it is sent) and, in the background, its communes. The province
 * is the one the URL names, else the user's jurisdiction, else the first; the province selector
 * changes it later. Everything the workspaces look at (`context`) comes from here.
 */
import { untrack } from 'svelte'
import { api, isAbortError, isUnauthenticated, type CommuneCollection, type Province } from '../api/client.ts'
import { can, fitBBox, jurisdictionProvince, queryArea, type User } from '../auth/capabilities.ts'
import { CommuneIndex } from '../map/communes.ts'
import type { BBox } from '../map/types.ts'
import { i18n } from '../i18n/index.svelte.ts'
import type { Filters } from './filters.svelte.ts'
import { loadErrorOf, type LoadError } from './loader.svelte.ts'
import type { QueryArea, WorkspaceContext } from './map-workspace.ts'
import { vnDayOf, vnToday } from './url-query.ts'

export type BootStatus = 'loading' | 'ready' | 'error'
/** A failed start: as a load's error, or no province at all to show. */
export type BootError = Omit<LoadError, 'kind'> & { kind: LoadError['kind'] | 'noProvince' }

/** The name in the page's language (the Vietnamese one where no English one is known). */
export function localName (unit: { name: string, name_en?: string | null }): string {
  return i18n.lang === 'en' ? unit.name_en || unit.name : unit.name
}

export class ProvinceBoot {
  status = $state<BootStatus>('loading')
  error = $state.raw<BootError | undefined>()
  provinces = $state.raw<Province[]>([])
  provinceCode = $state<string | undefined>()
  communes = $state.raw<CommuneCollection | undefined>()

  province = $derived(this.provinces.find(p => p.code === this.provinceCode))
  provinceName = $derived(this.province ? localName(this.province) : '')
  /** `{ province }`, or `{ commune }` for a commune user (exact, small answers). */
  area = $derived.by((): QueryArea | undefined => this.provinceCode ? queryArea(this.user(), this.provinceCode) : undefined)
  /** The user's commune, or the chosen province. */
  bbox = $derived.by(() => fitBBox(this.user(), this.provinceCode, this.province?.bbox))
  communeIndex = $derived(this.communes ? new CommuneIndex(this.communes) : undefined)
  private communeNames = $derived(new Map((this.communes?.features ?? []).map(f => [f.properties.code, f.properties])))

  /** What the open workspace looks at, once a province is chosen. */
  context = $derived.by((): WorkspaceContext | undefined => this.provinceCode && this.area
    ? { user: this.user(), provinceCode: this.provinceCode, area: this.area, communes: this.communes, bbox: this.bbox }
    : undefined)

  private controller: AbortController | undefined
  private communesController: AbortController | undefined
  private communesFailed = false

  /** `user`: the signed-in user (a getter: the same user may sign in again); `wantedProvince`: the province the URL asked for, if any. */
  constructor (private readonly user: () => User, private readonly filters: Filters, private readonly wantedProvince: string | undefined) {}

  /** Loads the provinces and opens one (again, after an error). */
  start = async (): Promise<void> => {
    const controller = this.renew()
    this.status = 'loading'
    this.error = undefined
    try {
      const list = await api.provinces(controller.signal)
      this.provinces = list
      if (list.length === 0) {
        this.status = 'error'
        this.error = { kind: 'noProvince', message: '' }
        return
      }
      const wanted = this.provinceCode ?? this.wantedProvince ?? jurisdictionProvince(this.user())
      await this.select(list.some(p => p.code === wanted) ? wanted! : list[0].code, controller.signal)
      this.status = 'ready'
    } catch (err) {
      if (isAbortError(err)) return
      this.fail(err)
    }
  }

  /** The province selector. */
  choose (code: string): void {
    if (code === this.provinceCode) return
    const controller = this.renew()
    this.select(code, controller.signal).catch((err) => {
      if (!isAbortError(err)) this.fail(err)
    })
  }

  /** Signed in again after the session expired: loads the communes again if that had failed. */
  retryCommunes (): void {
    if (this.communesFailed && this.provinceCode) void this.loadCommunes(this.provinceCode)
  }

  stop (): void {
    this.controller?.abort()
    this.communesController?.abort()
  }

  /** A commune's name in the page's language (its code while the communes load). */
  communeName = (code: string): string => {
    const c = this.communeNames.get(code)
    return c ? localName(c) : code
  }

  /** The commune a cell's centre lies in, in the page's language. */
  communeAt (h3: string): string | undefined {
    const found = this.communeIndex?.atCell(h3)
    return found ? localName(found) : undefined
  }

  /** Loads the newest incident day (needed before any hex query), then communes in the background. */
  private async select (code: string, signal: AbortSignal): Promise<void> {
    this.provinceCode = code
    void this.loadCommunes(code)
    if (!can(this.user(), 'incidents:read')) return
    const newest = await api.incidents({ ...queryArea(this.user(), code), limit: 1 }, signal)
    const newestTime = newest.features[0]?.properties?.occurred_at
    this.filters.setLatestDay((newestTime && vnDayOf(newestTime)) || vnToday())
  }

  private async loadCommunes (code: string): Promise<void> {
    this.communesController?.abort()
    const controller = new AbortController()
    this.communesController = controller
    this.communes = undefined
    try {
      this.communes = await api.communes(code, controller.signal)
      this.communesFailed = false
    } catch (err) {
      if (isAbortError(err)) return
      this.communesFailed = true
      if (!isUnauthenticated(err)) console.error('communes:', err)
    }
  }

  private renew (): AbortController {
    this.controller?.abort()
    this.controller = new AbortController()
    return this.controller
  }

  private fail (err: unknown): void {
    this.status = 'error'
    this.error = loadErrorOf(err)
  }
}

/**
 * Signed in again after the session expired (same user, same view; `token` changes): redo what
 * the 401s stopped — the start if it failed, else the communes and `retry`. Call while the
 * dashboard is set up (it is an effect).
 */
export function resumeAfterSignIn (token: () => number, boot: ProvinceBoot, retry: () => void): void {
  let seen = untrack(token)
  $effect(() => {
    const current = token()
    if (current === seen) return
    seen = current
    untrack(() => {
      if (boot.status === 'error') {
        void boot.start()
        return
      }
      boot.retryCommunes()
      retry()
    })
  })
}
