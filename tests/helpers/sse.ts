/** Reading GET /api/stream over real HTTP in tests: frames as they arrive, waits on them. */

export interface Frame { id?: string, event?: string, data?: string, retry?: string, comment?: string, at: number }

/** Parses one SSE block into a frame (this server only writes \n line ends). */
export function parseFrame (block: string, at: number): Frame {
  const frame: Frame = { at }
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) { frame.comment = line.slice(1).trim(); continue }
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'id' || field === 'event' || field === 'retry') frame[field] = value
    if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`
  }
  return frame
}

/** Opens GET /api/stream on the server at `base` and collects its frames as they arrive. */
export async function openStream (base: string, cookie: string | null, query = '', headers: Record<string, string> = {}) {
  const abort = new AbortController()
  const response = await fetch(`${base}/api/stream${query}`, { headers: { ...(cookie ? { cookie } : {}), ...headers }, signal: abort.signal })
  const frames: Frame[] = []
  const waiters = new Set<() => void>()
  let ended = false
  const notify = () => { for (const waiter of waiters) waiter() }
  const pump = (async () => {
    if (!response.ok || !response.body) return
    const reader = response.body.getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        buffer += decoder.decode(value, { stream: true })
        let cut
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          frames.push(parseFrame(buffer.slice(0, cut), performance.now()))
          buffer = buffer.slice(cut + 2)
        }
        notify()
      }
    } catch { /* aborted by the test */ }
    ended = true
    notify()
  })()

  /** Resolves with the first frame (from index `from`) that satisfies the predicate. */
  function waitFor (predicate: (frame: Frame) => boolean, timeoutMs = 3000, from = 0): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = frames.slice(from).find(predicate)
        if (found) { cleanup(); resolve(found) } else if (ended) { cleanup(); reject(new Error(`stream ended; frames: ${JSON.stringify(frames)}`)) }
      }
      const timer = setTimeout(() => { cleanup(); reject(new Error(`no matching frame in ${timeoutMs} ms; frames: ${JSON.stringify(frames)}`)) }, timeoutMs)
      const cleanup = () => { clearTimeout(timer); waiters.delete(check) }
      waiters.add(check)
      check()
    })
  }

  return {
    response,
    frames,
    waitFor,
    /** The named events received so far (those whose type starts with `prefix`), parsed. */
    eventsOf: <T>(prefix = '') => frames.filter(f => f.event?.startsWith(prefix)).map(f => JSON.parse(f.data!) as T),
    ended: () => ended,
    done: pump,
    close: async () => { abort.abort(); await pump }
  }
}
