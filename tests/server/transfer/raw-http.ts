import { connect, type Socket } from 'node:net'

/** A TCP connection to a test server that sends exactly what a test writes, for clients that stall. */
export interface RawConnection {
  socket: Socket
  /** Everything received so far, as text. */
  text: () => string
  /** Bytes received so far. */
  bytes: () => number
  /** Resolves when the server has ended or reset the connection. */
  closed: Promise<void>
  /** Resolves with the received text once it satisfies the predicate; rejects after timeoutMs. */
  until: (predicate: (text: string) => boolean, timeoutMs: number) => Promise<string>
}

export async function rawConnection (port: number): Promise<RawConnection> {
  const socket = connect({ host: '127.0.0.1', port })
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  let text = ''
  let bytes = 0
  const waiters = new Set<() => void>()
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length
    text += chunk.toString('latin1')
    for (const waiter of waiters) waiter()
  })
  socket.on('error', () => {})
  const closed = new Promise<void>(resolve => socket.once('close', () => { for (const waiter of waiters) waiter(); resolve() }))
  const until = (predicate: (text: string) => boolean, timeoutMs: number) => new Promise<string>((resolve, reject) => {
    const check = () => {
      if (predicate(text)) { done(); resolve(text) } else if (socket.destroyed) { done(); reject(new Error(`closed; got ${text.slice(0, 300)}`)) }
    }
    const timer = setTimeout(() => { done(); reject(new Error(`no match in ${timeoutMs} ms; got ${text.slice(0, 300)}`)) }, timeoutMs)
    const done = () => { clearTimeout(timer); waiters.delete(check) }
    waiters.add(check)
    check()
  })
  return { socket, text: () => text, bytes: () => bytes, closed, until }
}

/** Resolves with the promise's value, or rejects when it takes longer than ms (a liveness bound). */
export function within<T> (ms: number, promise: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)
    promise.then(value => { clearTimeout(timer); resolve(value) }, error => { clearTimeout(timer); reject(error) })
  })
}

export const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/** The body of a raw HTTP/1.1 response with `Transfer-Encoding: chunked`, its chunks joined. */
export function dechunkedBody (response: string): string {
  let at = response.indexOf('\r\n\r\n') + 4
  let body = ''
  for (;;) {
    const lineEnd = response.indexOf('\r\n', at)
    if (lineEnd < 0) throw new Error('chunked body cut short')
    const size = parseInt(response.slice(at, lineEnd), 16)
    if (!Number.isFinite(size)) throw new Error(`bad chunk size line at ${at}`)
    if (size === 0) return body
    body += response.slice(lineEnd + 2, lineEnd + 2 + size)
    at = lineEnd + 2 + size + 2
  }
}
