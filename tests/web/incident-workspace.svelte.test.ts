// Runes run here (a `.svelte.test.ts` file), but as on the server: effects do not. The page's
// effect (`follow`) calls `sync()` whenever what it reads changes; the tests call it themselves.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { User } from '../../web/src/lib/auth/capabilities.ts'
import { IncidentWorkspace } from '../../web/src/lib/incidents/incident-workspace.svelte.ts'
import { LOAD_DEBOUNCE_MS } from '../../web/src/lib/state/loader.svelte.ts'
import type { WorkspaceContext } from '../../web/src/lib/state/map-workspace.ts'

const user: User = {
  id: '1', username: 'chi.huy', full_name: 'Chỉ huy', role: 'province_command', province_code: '31', commune_code: null,
  team_id: null, capabilities: ['incidents:read'],
  jurisdiction: { kind: 'province', code: '31', name: 'Hải Phòng', name_en: 'Hai Phong', bbox: [106.3, 20.6, 107.1, 21.1], province_code: '31' }
}
const context: WorkspaceContext = { user, provinceCode: '31', area: { province: '31' }, communes: undefined, bbox: [106.3, 20.6, 107.1, 21.1] }
const view = { zoom: 9.5, bounds: [106.3, 20.6, 107.1, 21.1] as [number, number, number, number] }

/** The page's requests, answered like the API: two cells of 3 and 4 incidents. */
let requests: string[]
beforeEach(() => {
  requests = []
  vi.stubGlobal('fetch', async (url: string) => {
    requests.push(url)
    const cells = [{ h3: '88411c0001fffff', count: 3 }, { h3: '88411c0003fffff', count: 4 }]
    const body = url.startsWith('/api/hotspots') ? { res: 8, k: 1, cells: [] } : { res: 8, cells }
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
  })
})
afterEach(() => { vi.unstubAllGlobals() })

const settle = () => new Promise(resolve => setTimeout(resolve, LOAD_DEBOUNCE_MS + 50))

function open (canRead = true) {
  const reader: User = { ...user, capabilities: canRead ? ['incidents:read'] : [] }
  const workspace = new IncidentWorkspace(() => reader, {})
  workspace.filters.setLatestDay('2025-06-30')
  return workspace
}

describe('the incident map workspace', () => {
  it('asks nothing until it is open and the map has fitted the jurisdiction, then the current mode once', async () => {
    const workspace = open()
    workspace.view = view
    workspace.sync()
    await settle()
    expect(requests).toEqual([]) // not open yet
    workspace.setContext({ ...context, bbox: undefined })
    workspace.sync()
    await settle()
    expect(requests).toEqual([]) // the map has not fitted anything yet
    workspace.setContext(context)
    workspace.sync()
    expect(workspace.status).toBe('loading')
    await settle()
    // zoom 9.5 → res 8; the default window: the 30 days ending on the newest data day.
    expect(requests).toEqual(['/api/hexes?res=8&province=31&from=2025-06-01&to=2025-07-01'])
    expect(workspace.status).toBe('ready')
    expect(workspace.layerCount).toBe(2)
    expect(workspace.hexes.total).toBe(7)
    // A new context of the same area (the communes arrived) asks nothing again.
    workspace.setContext({ ...context, communes: { type: 'FeatureCollection', features: [] } })
    workspace.sync()
    await settle()
    expect(requests).toHaveLength(1)
  })

  it('loads only the current mode, shows nothing without a category, and stops when left', async () => {
    const workspace = open()
    workspace.view = view
    workspace.setContext(context)
    workspace.sync()
    workspace.setMode('hotspots')
    workspace.sync()
    await settle()
    // The counts' load was cancelled before it was sent (the debounce): only the hot spots went out.
    expect(requests).toEqual(['/api/hotspots?res=8&k=1&province=31&from=2025-06-01&to=2025-07-01'])
    expect(workspace.emptyKey).toBe('state.empty.hotspotsNoCells')
    workspace.filters.setAllCategories(false)
    workspace.sync()
    expect(workspace.hotspots.data).toBeUndefined()
    expect(workspace.status).toBe('ready')
    workspace.filters.toggleCategory('fire', true)
    workspace.sync()
    expect(workspace.status).toBe('loading')
    workspace.deactivate()
    workspace.sync()
    await settle()
    expect(workspace.status).toBe('idle')
    expect(requests).toHaveLength(1)
  })

  it('sends no incident query for a user without incidents:read', async () => {
    const workspace = open(false)
    workspace.view = view
    workspace.setContext(context)
    workspace.sync()
    await settle()
    expect(requests).toEqual([])
  })
})
