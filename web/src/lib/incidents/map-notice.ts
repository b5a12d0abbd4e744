/**
 * What the incident map's status line says: the start or the current mode's load failing (with
 * a retry), loading, no access, no category, or why the answer draws nothing. A 401 is not shown
 * as an error: the login form takes over and the load is redone after it.
 */
import { i18n, type MessageKey } from '../i18n/index.svelte.ts'
import type { BootError, BootStatus } from '../state/boot.svelte.ts'
import type { LoadError, LoadStatus } from '../state/loader.svelte.ts'
import type { Mode } from '../state/modes.ts'

export interface Notice {
  kind: 'loading' | 'error' | 'empty'
  message: string
  retry?: () => void
}

export interface NoticeState {
  boot: { status: BootStatus, error: BootError | undefined, start: () => void }
  source: { status: LoadStatus, error: LoadError | undefined, retry: () => void }
  mode: Mode
  canRead: boolean
  categoryCount: number
  /** Why the current mode's answer draws nothing, if it does. */
  emptyKey: MessageKey | undefined
}

const LOADING_KEY: Record<Mode, MessageKey> = {
  counts: 'state.loading',
  hotspots: 'state.loading.hotspots',
  emerging: 'state.loading.emerging',
  compare: 'state.loading.compare'
}

function failure (error: BootError | LoadError, retry: () => void): Notice {
  const t = i18n.t
  if (error.kind === 'noProvince') return { kind: 'error', message: t('state.error.noProvince'), retry }
  return {
    kind: 'error',
    message: error.kind === 'network' ? t('state.error.api') : t('state.error.request', { message: error.message }),
    retry
  }
}

export function mapNotice ({ boot, source, mode, canRead, categoryCount, emptyKey }: NoticeState): Notice | undefined {
  const t = i18n.t
  const bootError = boot.status === 'error' ? boot.error : undefined
  const loadError = source.status === 'error' ? source.error : undefined
  if (bootError?.expired || loadError?.expired) return { kind: 'loading', message: t('state.loading') }
  if (bootError) return failure(bootError, boot.start)
  if (loadError) return failure(loadError, () => source.retry())
  if (boot.status === 'loading') return { kind: 'loading', message: t('app.loading') }
  if (!canRead) return { kind: 'empty', message: t('state.noReadAccess') }
  if (categoryCount === 0) return { kind: 'empty', message: t('state.noCategory') }
  if (source.status === 'loading') return { kind: 'loading', message: t(LOADING_KEY[mode]) }
  if (source.status !== 'ready') return undefined
  return emptyKey ? { kind: 'empty', message: t(emptyKey) } : undefined
}

/** The kind of error shown for the `error` test hook (none for a 401). */
export function shownErrorKind ({ boot, source }: Pick<NoticeState, 'boot' | 'source'>): string | undefined {
  const error = boot.status === 'error' ? boot.error : source.status === 'error' ? source.error : undefined
  return error && !error.expired ? error.kind : undefined
}
