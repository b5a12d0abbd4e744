import { untrack } from 'svelte'
import type { MapWorkspace, WorkspaceContext } from './map-workspace.ts'
import { WORKSPACES, type Workspace } from './workspace.ts'

/**
 * The dashboard's workspaces and which one is open. The open one follows the context (the
 * jurisdiction, province and communes); the others rest, their loads and timers stopped.
 */
export class Workspaces<W extends Record<Workspace, MapWorkspace>> {
  current = $state<Workspace>('incidents')
  open = $derived.by((): MapWorkspace => this.all[this.current])
  /** Changes whenever what the map draws changes (the open workspace's layers included). */
  layerKey = $derived(`${this.current}:${this.open.layerKey}`)

  constructor (readonly all: W, initial: Workspace) {
    this.current = initial
  }

  /** Opens another workspace; false if it is already open. */
  switchTo (next: Workspace): boolean {
    if (next === this.current) return false
    this.current = next
    return true
  }

  /** Hands the context to the open workspace whenever either changes (an effect: call while the dashboard is set up). */
  follow (context: () => WorkspaceContext | undefined): void {
    $effect(() => {
      const open = this.open
      const current = context()
      untrack(() => {
        for (const name of WORKSPACES) if (this.all[name] !== open) this.all[name].deactivate()
        open.setContext(current)
      })
    })
  }

  deactivateAll (): void {
    for (const name of WORKSPACES) this.all[name].deactivate()
  }
}
