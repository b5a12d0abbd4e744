/**
 * What the browser tests (and scripts/screenshot.ts) read on `document.body.dataset`:
 * - `hexesReady`: 'false' while the open workspace loads or right after the mode or workspace
 *   changed, 'true' once its layer is drawn with that data;
 * - `hexCount`: how many things that layer draws (cells, zones);
 * - `mode`, `workspace`: the incident map's mode and the open workspace;
 * - `error`: the kind of error shown ('network', 'request' or 'noProvince'), if any;
 * - `authState`: 'anonymous' while the login form is shown (at start or after the session
 *   expired), 'signed-in' while the dashboard is usable; unset while the session is checked.
 * - `mapReady`, `outlineReady`: the basemap loaded, the province outline drawn (MapView's);
 * - `window.__dashboard`: `{ map, deckOverlay }` of the loaded map, for tests that move or
 *   project it.
 */
import type { Session } from '../auth/session.svelte.ts'
import type { LoadStatus } from './loader.svelte.ts'
import type { Mode } from './modes.ts'
import type { Workspace } from './workspace.ts'

export const testHooks = {
  /** What is drawn is about to change. */
  pending (): void {
    document.body.dataset.hexesReady = 'false'
  },
  /** The open workspace's layer is drawn with its current data. */
  drawn (count: number): void {
    document.body.dataset.hexCount = String(count)
    document.body.dataset.hexesReady = 'true'
  }
}

/** MapView's hooks. */
export const mapHooks = {
  ready (handles: { map: unknown, deckOverlay: unknown }): void {
    (window as unknown as { __dashboard: unknown }).__dashboard = handles
    document.body.dataset.mapReady = 'true'
  },
  outline (ready: boolean): void {
    document.body.dataset.outlineReady = String(ready)
  },
  /** With no map there is nothing ready. */
  gone (): void {
    delete (window as unknown as { __dashboard?: unknown }).__dashboard
    document.body.dataset.mapReady = 'false'
    document.body.dataset.hexesReady = 'false'
    delete document.body.dataset.hexCount
    delete document.body.dataset.outlineReady
  }
}

export interface HookedState {
  mode: () => Mode
  workspace: () => Workspace
  /** The open workspace's status. */
  status: () => LoadStatus
  /** The kind of error shown, if any. */
  error: () => string | undefined
}

/** Effects: call while the dashboard is set up; its hooks are removed with it. */
export function exposeTestHooks (state: HookedState): void {
  const data = document.body.dataset
  $effect(() => {
    if (state.status() === 'loading') testHooks.pending()
  })
  $effect(() => {
    data.mode = state.mode()
    data.workspace = state.workspace()
  })
  $effect(() => {
    const kind = state.error()
    if (kind) data.error = kind
    else delete data.error
  })
  $effect(() => () => {
    delete data.error
    delete data.mode
    delete data.workspace
  })
}

/** The session's hooks (`authState`, and `error` of the session check); an effect of the App. */
export function exposeSessionHooks (session: Session): void {
  const data = document.body.dataset
  $effect(() => {
    const state = session.status === 'signed-in' ? 'signed-in' : session.status === 'anonymous' ? 'anonymous' : undefined
    if (state) data.authState = state
    else delete data.authState
  })
  $effect(() => {
    if (session.status === 'error' && session.checkError) data.error = session.checkError.kind
    else if (session.status === 'error' || session.status === 'checking') delete data.error
  })
}
