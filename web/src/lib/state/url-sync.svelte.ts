/**
 * Keeps the address bar in step with the view, so it can be shared or reopened: the filters, the
 * map mode and its options, the language, the province (only where there is a choice, or the URL
 * named one) and the workspace (`view=`). The history entry is replaced, never added.
 */
import { CATEGORIES } from '../api/client.ts'
import type { Lang } from '../i18n/index.svelte.ts'
import type { AnalysisOptions } from './analysis.svelte.ts'
import type { Filters } from './filters.svelte.ts'
import { formatQuery } from './url-query.ts'
import { withWorkspace, type Workspace } from './workspace.ts'

export interface PageState {
  filters: Filters
  analysis: AnalysisOptions
  lang: Lang
  /** The province to name in the URL, if any. */
  province: string | undefined
  workspace: Workspace
}

/** The page's query for a view (`?…`, or '' for the defaults). */
export function pageQuery ({ filters, analysis, lang, province, workspace }: PageState): string {
  const query = formatQuery({ ...filters.toQuery(), ...analysis.toQuery(), lang, province }, CATEGORIES)
  return withWorkspace(query, workspace)
}

/** An effect: call while the dashboard is set up. */
export function keepUrlInSync (state: () => PageState): void {
  $effect(() => {
    const next = `${location.pathname}${pageQuery(state())}${location.hash}`
    if (next !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, '', next)
  })
}
