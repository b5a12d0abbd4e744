/**
 * Pure mapping from hot-spot classes, emerging patterns and modes to their message keys (the texts
 * live in the i18n catalogues), and the number formats of the analysis tooltips and legends.
 */
import type { EmergingDirection, EmergingPattern, EmergingStep, HotspotClass } from '../api/client.ts'
import type { MessageKey } from '../i18n/vi.ts'
import type { Mode } from '../state/modes.ts'

export function modeLabelKey (mode: Mode): MessageKey {
  return `mode.${mode}`
}

export function modeHintKey (mode: Mode): MessageKey {
  return `mode.${mode}.hint`
}

/** "Hot spot, 99% confidence". */
export function hotspotClassLabelKey (cls: HotspotClass): MessageKey {
  return `hotspot.class.${cls}`
}

/** What the class means in plain words. */
export function hotspotClassMeaningKey (cls: HotspotClass): MessageKey {
  return `hotspot.class.${cls}.meaning`
}

/** Short name of a pattern without direction ("New", "Intensifying"), for the legend rows. */
export function patternNameKey (pattern: EmergingPattern): MessageKey {
  return `emerging.pattern.${pattern}`
}

/** Full label with its direction ("New hot spot", "Intensifying cold spot"); no_pattern has none. */
export function patternLabelKey (pattern: EmergingPattern, direction: EmergingDirection): MessageKey {
  if (pattern === 'no_pattern' || !direction) return 'emerging.pattern.no_pattern'
  return `emerging.${direction}.${pattern}`
}

/** Plain-words definition; the legend shows the hot wording, the tooltip the cell's own. */
export function patternDefinitionKey (pattern: EmergingPattern, direction: EmergingDirection): MessageKey {
  if (pattern === 'no_pattern' || !direction) return 'emerging.pattern.no_pattern.def'
  return `emerging.${direction}.${pattern}.def`
}

export function stepLabelKey (step: EmergingStep): MessageKey {
  return `emerging.step.${step}`
}

/** "{n} weeks" and the like. */
export function stepsCountKey (step: EmergingStep): MessageKey {
  return `emerging.steps.${step}`
}

const MINUS = '\u2212'

/** A number with an explicit sign (typographic minus) and fixed decimals, in the locale's style. */
export function formatSigned (value: number, locale: string, digits = 0): string {
  if (!Number.isFinite(value)) return '—'
  const text = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })
    .format(Math.abs(value))
  if (Number(text.replace(/[^\d]/g, '')) === 0) return text
  return `${value < 0 ? MINUS : '+'}${text}`
}

/** Gi* z-score with two decimals: "+2,58" (vi), "+2.58" (en). */
export function formatZ (z: number, locale: string): string {
  return formatSigned(z, locale, 2)
}

/** A p-value: three decimals, "< 0,001" below that. */
export function formatP (p: number, locale: string): string {
  if (!Number.isFinite(p)) return '—'
  if (p < 0.001) return `< ${new Intl.NumberFormat(locale, { minimumFractionDigits: 3 }).format(0.001)}`
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(p)
}

/** A relative change: "+12,5 %" (vi), "+12.5%" (en); "—" when undefined. */
export function formatChange (percent: number | undefined, locale: string): string {
  if (percent === undefined || !Number.isFinite(percent)) return '—'
  const signed = formatSigned(percent, locale, Math.abs(percent) >= 100 ? 0 : 1)
  return locale.startsWith('vi') ? `${signed} %` : `${signed}%`
}
