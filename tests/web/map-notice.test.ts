import { describe, expect, it } from 'vitest'
import { mapNotice, shownErrorKind, type NoticeState } from '../../web/src/lib/incidents/map-notice.ts'

const start = () => {}
const retried: string[] = []

/** A started page whose current mode has loaded, changed by `over`. */
function state (over: Partial<NoticeState> = {}): NoticeState {
  return {
    boot: { status: 'ready', error: undefined, start },
    source: { status: 'ready', error: undefined, retry: () => retried.push('source') },
    mode: 'counts',
    canRead: true,
    categoryCount: 7,
    emptyKey: undefined,
    ...over
  }
}

// The page opens in Vietnamese: the expected texts are the Vietnamese catalogue's.
describe('the incident map notice', () => {
  it('says nothing when the current mode drew something', () => {
    expect(mapNotice(state())).toBeUndefined()
    expect(mapNotice(state({ source: { status: 'idle', error: undefined, retry: start } }))).toBeUndefined()
  })

  it('shows the start, then the current mode, loading', () => {
    expect(mapNotice(state({ boot: { status: 'loading', error: undefined, start } }))).toEqual({ kind: 'loading', message: 'Đang tải dữ liệu…' })
    expect(mapNotice(state({ mode: 'hotspots', source: { status: 'loading', error: undefined, retry: start } })))
      .toEqual({ kind: 'loading', message: 'Đang tính điểm nóng…' })
  })

  it('shows an ended session as loading (the login form takes over), before any other error', () => {
    const expired = { kind: 'request' as const, message: 'sign in', expired: true }
    const refused = { kind: 'request' as const, message: 'no', expired: false }
    expect(mapNotice(state({ source: { status: 'error', error: expired, retry: start }, boot: { status: 'error', error: refused, start } })))
      .toEqual({ kind: 'loading', message: 'Đang tải…' })
    expect(mapNotice(state({ boot: { status: 'error', error: expired, start } }))).toEqual({ kind: 'loading', message: 'Đang tải…' })
    expect(shownErrorKind(state({ source: { status: 'error', error: expired, retry: start } }))).toBeUndefined()
  })

  it('offers to start again after a failed start, and to load again after a failed load', () => {
    const noProvince = mapNotice(state({ boot: { status: 'error', error: { kind: 'noProvince', message: '' }, start } }))
    expect(noProvince?.kind).toBe('error')
    expect(noProvince?.retry).toBe(start)
    const refused = mapNotice(state({ source: { status: 'error', error: { kind: 'request', message: 'res: too fine' }, retry: () => retried.push('source') } }))
    expect(refused?.message).toBe('Máy chủ từ chối yêu cầu: res: too fine')
    retried.length = 0
    refused?.retry?.()
    expect(retried).toEqual(['source'])
    // The start's error is the one the test hook names when both failed.
    expect(shownErrorKind(state({
      boot: { status: 'error', error: { kind: 'noProvince', message: '' }, start },
      source: { status: 'error', error: { kind: 'network', message: 'down' }, retry: start }
    }))).toBe('noProvince')
  })

  it('explains an empty map: no access, no category, then the mode\'s own reason', () => {
    const empty = state({ emptyKey: 'state.empty' })
    expect(mapNotice({ ...empty, canRead: false })).toEqual({ kind: 'empty', message: 'Tài khoản này không có quyền xem sự việc.' })
    expect(mapNotice({ ...empty, categoryCount: 0 })).toEqual({ kind: 'empty', message: 'Chưa chọn loại sự việc nào.' })
    expect(mapNotice(empty)).toEqual({ kind: 'empty', message: 'Không có sự việc nào trong khoảng thời gian và loại đã chọn.' })
    expect(mapNotice({ ...empty, source: { status: 'loading', error: undefined, retry: start } })?.kind).toBe('loading')
  })
})
