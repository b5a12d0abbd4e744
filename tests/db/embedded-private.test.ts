import { readFileSync, readdirSync, readlinkSync, mkdtempSync, rmSync, statSync, existsSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../server/db/connection.ts'

/** Inodes of the sockets this process holds open (from /proc/self/fd). */
function ownSocketInodes (): Set<string> {
  const inodes = new Set<string>()
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))
      if (match) inodes.add(match[1]!)
    } catch { /* closed meanwhile */ }
  }
  return inodes
}

/** Inodes of every listening TCP socket (IPv4 and IPv6) on the machine: state 0A is LISTEN. */
function listeningTcpInodes (): Set<string> {
  const inodes = new Set<string>()
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      if (fields[3] === '0A') inodes.add(fields[9]!)
    }
  }
  return inodes
}

/** Listening TCP sockets held by this process. */
function ownTcpListeners (): string[] {
  const own = ownSocketInodes()
  return [...listeningTcpInodes()].filter(inode => own.has(inode))
}

// Issue 11, part 7: the embedded database used to listen on a 127.0.0.1 port as an
// unauthenticated superuser, so any local process could take its single connection.
describe('embedded database listener', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vnpm-pglite-private-'))
  let db: Database | undefined
  afterAll(async () => {
    await db?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('opens no TCP port, and listens on a Unix socket in a directory only its owner may enter', async () => {
    const before = ownTcpListeners()
    db = await openDatabase({ databaseUrl: undefined, pgliteDir: dataDir })
    const [row] = await db.sql<{ answer: number }[]>`select 6 * 7 as answer`
    expect(row!.answer).toBe(42)

    expect(ownTcpListeners()).toEqual(before)
    const socketPath = db.socketPath!
    expect(socketPath).toBeTruthy()
    expect(statSync(socketPath).isSocket()).toBe(true)
    expect(statSync(dirname(socketPath)).mode & 0o777).toBe(0o700)
    expect(statSync(socketPath).mode & 0o077).toBe(0)
    expect(statSync(dirname(socketPath)).uid).toBe(process.getuid!())
  })

  it('removes the socket directory when it closes', async () => {
    const socketDir = dirname(db!.socketPath!)
    await db!.close()
    db = undefined
    expect(existsSync(socketDir)).toBe(false)
    // Nothing answers there any more.
    const refused = await new Promise<string>(resolve => {
      const socket = connect(join(socketDir, '.s.PGSQL.5432'))
      socket.once('connect', () => { socket.destroy(); resolve('connected') })
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
    })
    expect(refused).toBe('ENOENT')
  })
})
