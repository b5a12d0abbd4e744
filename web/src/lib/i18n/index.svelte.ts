import { vi, type MessageKey, type Catalogue } from './vi.ts'
import { en } from './en.ts'

export type Lang = 'vi' | 'en'
export type { MessageKey }

export const LANGS: readonly Lang[] = ['vi', 'en']
const catalogues: Record<Lang, Catalogue> = { vi, en }
/** localStorage key that remembers the user's language choice. */
export const LANG_STORAGE_KEY = 'vn-patrol-map.lang'

export function isLang (value: unknown): value is Lang {
  return value === 'vi' || value === 'en'
}

/** Replaces `{name}` placeholders with the given values. */
export function format (template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole)
}

function storedLang (): Lang | undefined {
  try {
    const value = globalThis.localStorage?.getItem(LANG_STORAGE_KEY)
    return isLang(value) ? value : undefined
  } catch {
    return undefined
  }
}

class I18n {
  /** Vietnamese unless the user chose English before. */
  lang = $state<Lang>(storedLang() ?? 'vi')

  /** BCP 47 tag for Intl formatters. */
  locale = $derived(this.lang === 'vi' ? 'vi-VN' : 'en-GB')

  t = (key: MessageKey, params?: Record<string, string | number>): string =>
    format(catalogues[this.lang][key] ?? vi[key] ?? key, params)

  /** Switches language; `remember` stores the choice for the next visit. */
  setLang (lang: Lang, remember = true): void {
    this.lang = lang
    if (typeof document !== 'undefined') document.documentElement.lang = lang
    if (!remember) return
    try { globalThis.localStorage?.setItem(LANG_STORAGE_KEY, lang) } catch { /* private mode */ }
  }

  formatNumber = (n: number): string => new Intl.NumberFormat(this.locale).format(n)

  /** A `YYYY-MM-DD` day shown as dd/mm/yyyy (vi) or d Mon yyyy (en). */
  formatDay = (day: string): string => {
    const date = new Date(`${day}T00:00:00Z`)
    if (Number.isNaN(date.getTime())) return day
    return new Intl.DateTimeFormat(this.locale, {
      timeZone: 'UTC', day: '2-digit', month: this.lang === 'vi' ? '2-digit' : 'short', year: 'numeric'
    }).format(date)
  }
}

export const i18n = new I18n()
