/**
 * The dashboard's three workspaces, one per kind of user: incident hotspots (provincial command
 * centres), patrols and coverage (commune police), evacuation (disaster coordinators). The URL
 * carries it as `view=` so a link opens the right one; incidents is the default and is left out.
 */
export const WORKSPACES = ['incidents', 'patrols', 'evacuation'] as const
export type Workspace = typeof WORKSPACES[number]
export const DEFAULT_WORKSPACE: Workspace = 'incidents'

export function isWorkspace (value: unknown): value is Workspace {
  return typeof value === 'string' && (WORKSPACES as readonly string[]).includes(value)
}

/** The workspace named by a page query (`?view=patrols`), else the default. */
export function workspaceOfQuery (search: string): Workspace {
  const value = new URLSearchParams(search).get('view')
  return isWorkspace(value) ? value : DEFAULT_WORKSPACE
}

/** The query with the workspace set (the default removes it). */
export function withWorkspace (search: string, workspace: Workspace): string {
  const params = new URLSearchParams(search)
  if (workspace === DEFAULT_WORKSPACE) params.delete('view')
  else params.set('view', workspace)
  const query = params.toString()
  return query ? `?${query}` : ''
}
