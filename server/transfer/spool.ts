import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { errors } from '../errors.ts'

export interface SpooledBody {
  /** A file only this process may read, holding the whole body. */
  file: string
  size: number
  /** Deletes the file (and its private folder). */
  remove: () => Promise<void>
}

/**
 * Reads a request body into a temp file before any transaction opens, so a client that stalls
 * holds no database connection (the embedded database has only one). Fails with 413 past `limit`
 * bytes, with 408 when no byte arrives for `idleMs` (a slow upload that keeps moving is fine) and
 * with 400 when the client goes away. On failure the body is only paused, not destroyed, so the
 * error can still be answered on the connection.
 */
export async function spoolBody (body: Readable, options: { limit: number, idleMs: number }): Promise<SpooledBody> {
  // mkdtemp makes a folder with mode 0700: other local users cannot read what is being imported.
  const dir = await mkdtemp(join(tmpdir(), 'vnpm-import-'))
  const file = join(dir, 'body')
  const remove = () => rm(dir, { recursive: true, force: true })
  try {
    const size = await copyWithIdleTimeout(body, file, options)
    return { file, size, remove }
  } catch (error) {
    await remove()
    throw error
  }
}

function copyWithIdleTimeout (body: Readable, file: string, { limit, idleMs }: { limit: number, idleMs: number }): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const out = createWriteStream(file, { mode: 0o600 })
    let size = 0
    let timer: NodeJS.Timeout | undefined
    let settled = false
    const arm = () => {
      clearTimeout(timer)
      timer = setTimeout(() => fail(errors.bodyIdleTimeout(idleMs)), idleMs)
    }
    const detach = () => {
      settled = true
      clearTimeout(timer)
      body.off('data', onData)
      body.off('end', onEnd)
      body.off('error', onGone)
      body.off('close', onClose)
    }
    const fail = (error: Error) => {
      if (settled) return
      detach()
      body.pause()
      out.destroy()
      reject(error)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) return fail(errors.bodyTooLarge(limit))
      if (out.write(chunk)) return arm()
      // Waiting for the disk is not the client's fault: the idle clock stops meanwhile.
      clearTimeout(timer)
      body.pause()
      out.once('drain', () => {
        if (settled) return
        arm()
        body.resume()
      })
    }
    const onEnd = () => {
      detach()
      out.end((error?: Error | null) => error ? reject(error) : resolve(size))
    }
    const onGone = () => fail(errors.bodyIncomplete())
    const onClose = () => { if (!body.readableEnded) fail(errors.bodyIncomplete()) }
    out.on('error', (error) => {
      if (!settled) detach()
      body.pause()
      reject(error)
    })
    // Kept after detaching: a connection reset after the answer must not become an uncaught error.
    body.on('error', () => {})
    arm()
    body.on('data', onData)
    body.on('end', onEnd)
    body.on('error', onGone)
    body.on('close', onClose)
  })
}
