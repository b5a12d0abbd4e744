import { describe, expect, it } from 'vitest'
import { Filters } from '../../web/src/lib/state/filters.svelte.ts'
import { AnalysisOptions } from '../../web/src/lib/state/analysis.svelte.ts'
import { pageQuery } from '../../web/src/lib/state/url-sync.svelte.ts'
import { parseQuery } from '../../web/src/lib/state/url-query.ts'

describe('the page query', () => {
  it('carries the filters, mode, language, province and workspace, and reads back the same', () => {
    const filters = new Filters()
    filters.setLatestDay('2025-06-30')
    const analysis = new AnalysisOptions(filters)
    analysis.setMode('hotspots')
    filters.toggleCategory('fire', false)
    const query = pageQuery({ filters, analysis, lang: 'en', province: '31', workspace: 'patrols' })
    expect(parseQuery(query)).toEqual({
      province: '31', from: '2025-06-01', to: '2025-07-01', mode: 'hotspots', k: 1, lang: 'en',
      categories: ['security', 'social_order', 'traffic', 'rescue', 'flood', 'other']
    })
    expect(new URLSearchParams(query).get('view')).toBe('patrols')
    // The defaults leave out what they can: the incident map, every category, Vietnamese.
    filters.setAllCategories(true)
    analysis.setMode('counts')
    expect(pageQuery({ filters, analysis, lang: 'vi', province: undefined, workspace: 'incidents' }))
      .toBe('?from=2025-06-01&to=2025-07-01&mode=counts')
  })
})
