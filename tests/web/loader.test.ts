import { describe, expect, it } from 'vitest'
import { ApiError } from '../../web/src/lib/api/client.ts'
import { Loader, loadErrorOf } from '../../web/src/lib/state/loader.svelte.ts'
import { HexData } from '../../web/src/lib/state/hexes.svelte.ts'

/**
 * A load the test answers by hand; like fetch, it rejects with an AbortError when its signal
 * aborts, so a cancelled load never lands.
 */
function manualLoad<Q, R> () {
  const calls: { query: Q, resolve: (r: R) => void, reject: (e: unknown) => void, signal: AbortSignal }[] = []
  const load = (signal: AbortSignal, query: Q) => new Promise<R>((resolve, reject) => {
    calls.push({ query, resolve, reject, signal })
    signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
  })
  return { calls, load }
}

const settle = () => new Promise(resolve => setTimeout(resolve, 0))

describe('Loader', () => {
  it('loads a query once, keeps the answer and counts versions', async () => {
    const { calls, load } = manualLoad<{ n: number }, string>()
    const loader = new Loader(load)
    expect(loader.status).toBe('idle')
    loader.request({ n: 1 }, { immediate: true })
    expect(loader.status).toBe('loading')
    loader.request({ n: 1 }, { immediate: true }) // the same query again: ignored
    expect(calls).toHaveLength(1)
    calls[0].resolve('one')
    await settle()
    expect(loader.status).toBe('ready')
    expect(loader.data).toBe('one')
    expect(loader.query).toEqual({ n: 1 })
    expect(loader.version).toBe(1)
  })

  it('waits for the debounce and sends only the last of a burst', async () => {
    const { calls, load } = manualLoad<number, number>()
    const loader = new Loader(load, 20)
    loader.request(1)
    loader.request(2)
    loader.request(3)
    expect(calls).toHaveLength(0)
    await new Promise(resolve => setTimeout(resolve, 40))
    expect(calls.map(c => c.query)).toEqual([3])
  })

  it('drops the answer to a superseded query', async () => {
    const { calls, load } = manualLoad<number, string>()
    const loader = new Loader(load)
    loader.request(1, { immediate: true })
    loader.request(2, { immediate: true })
    expect(calls[0].signal.aborted).toBe(true)
    calls[1].resolve('two')
    await settle()
    expect(loader.data).toBe('two')
    expect(loader.query).toBe(2)
  })

  it('forgets the query on clear, so asking for it again loads it again', async () => {
    const { calls, load } = manualLoad<number, string>()
    const loader = new Loader(load)
    loader.request(1, { immediate: true })
    calls[0].resolve('one')
    await settle()
    loader.clear()
    expect(loader).toMatchObject({ status: 'ready', data: undefined, query: undefined, version: 2 })
    loader.retry() // nothing to retry after a clear
    expect(calls).toHaveLength(1)
    loader.request(1, { immediate: true })
    expect(calls).toHaveLength(2)
    calls[1].resolve('one again')
    await settle()
    expect(loader.data).toBe('one again')
  })

  it('cancels a running load without losing what is shown, and loads the same query again later', async () => {
    const { calls, load } = manualLoad<number, string>()
    const loader = new Loader(load)
    loader.request(1, { immediate: true })
    loader.cancel()
    expect(calls[0].signal.aborted).toBe(true)
    expect(loader.status).toBe('idle')
    loader.request(1, { immediate: true })
    calls[1].resolve('one')
    await settle()
    loader.request(2, { immediate: true })
    loader.cancel()
    await settle()
    expect(loader).toMatchObject({ status: 'ready', data: 'one', query: 1 })
    loader.cancel() // not loading: nothing changes
    expect(loader.status).toBe('ready')
  })

  it('reports a failure and loads the last query again on retry', async () => {
    const { calls, load } = manualLoad<number, string>()
    const loader = new Loader(load)
    loader.request(7, { immediate: true })
    calls[0].reject(new ApiError(400, 'bad_request', 'res: must be <= 10', 'res'))
    await settle()
    expect(loader.status).toBe('error')
    expect(loader.error).toEqual({ kind: 'request', message: 'res: must be <= 10', expired: false })
    loader.retry()
    expect(calls.map(c => c.query)).toEqual([7, 7])
    calls[1].resolve('seven')
    await settle()
    expect(loader).toMatchObject({ status: 'ready', data: 'seven', error: undefined })
  })
})

describe('loadErrorOf', () => {
  it('tells a refused request, an ended session and an unreachable server apart', () => {
    expect(loadErrorOf(new ApiError(401, 'unauthenticated', 'sign in'))).toEqual({ kind: 'request', message: 'sign in', expired: true })
    expect(loadErrorOf(new ApiError(401, 'invalid_credentials', 'wrong password')).expired).toBe(false)
    expect(loadErrorOf(new TypeError('Failed to fetch'))).toEqual({ kind: 'network', message: 'Failed to fetch' })
    expect(loadErrorOf('boom')).toEqual({ kind: 'network', message: 'boom' })
  })
})

describe('HexData', () => {
  it('is a Loader whose cells, resolution and total follow the answer', () => {
    const hexes = new HexData()
    expect(hexes).toBeInstanceOf(Loader)
    expect(hexes.cells).toEqual([])
    expect(hexes.total).toBe(0)
    hexes.data = { res: 8, cells: [{ h3: '88411c0001fffff', count: 3 }, { h3: '88411c0003fffff', count: 4 }] } as never
    expect(hexes.res).toBe(8)
    expect(hexes.total).toBe(7)
    expect(hexes.cells.map(c => c.count)).toEqual([3, 4])
    hexes.clear()
    expect(hexes.cells).toEqual([])
    expect(hexes.res).toBeUndefined()
  })
})
