import type { Layer } from '@deck.gl/core'
import type { CommuneCollection } from '../api/client.ts'
import type { User } from '../auth/capabilities.ts'
import type { BBox } from '../map/types.ts'
import type { LoadStatus } from './loader.svelte.ts'

/** `{ province }`, or `{ commune }` for a commune account: the area every query of the page asks about. */
export type QueryArea = { province: string, commune?: undefined } | { commune: string, province?: undefined }

/** Where a workspace looks: the signed-in user's jurisdiction within the chosen province. */
export interface WorkspaceContext {
  user: User
  provinceCode: string
  area: QueryArea
  communes: CommuneCollection | undefined
  /** What the map fits: the user's commune, or the chosen province (undefined while unknown). */
  bbox: BBox | undefined
}

/**
 * What the dashboard needs from a workspace (incident map, patrols, evacuation): its deck.gl
 * layers (pure factories' output), a key that changes when they change, and how many things they
 * draw (the `hexCount` test hook). The workspace's own panels read and drive it.
 */
export interface MapWorkspace {
  readonly layers: Layer[]
  readonly layerKey: string
  readonly layerCount: number
  /** 'loading' while its data loads; the dashboard reports `hexesReady` only when 'ready'. */
  readonly status: LoadStatus
  /** Called when the context changes and when the workspace is opened. */
  setContext (context: WorkspaceContext | undefined): void
  /** A click on the map (lon, lat), e.g. to place a route's start. */
  mapClick? (lonLat: [number, number]): void
  /** The workspace was left: stop loads and timers. */
  deactivate (): void
}
