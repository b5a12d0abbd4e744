import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { tokenHash } from '../auth/repository.ts'
import { streamSessionRepository, type SessionState } from './repository.ts'
import type { SessionUser } from '../domain/roles.ts'

/**
 * Open event streams follow the session they were opened with. A stream is a single long request,
 * so the sign-in check of every other request never runs again for it: without this watch it
 * would keep delivering after logout, a password change, a role change or the account being
 * disabled. Every open stream is re-checked against the database at a fixed interval (one query
 * for all of them); what this process does itself (logout, password change) can end its streams at
 * once through `app.sessionEvents`.
 */

/** Why a stream was closed by the server (sent as `event: session_ended`, `data: {"reason": …}`). */
export type SessionEndReason = 'logout' | 'expired' | 'password_changed' | 'role_changed' | 'disabled' | 'too_many_streams'

/**
 * Re-check interval of open streams' sessions. 30 s keeps the load at one small query per interval
 * while a logout elsewhere (another process, the CLI, SQL) still closes a stream within a minute.
 */
export const DEFAULT_SESSION_CHECK_MS = 30_000
/**
 * Open streams per user; opening one more closes the oldest. A dashboard tab holds up to two (the
 * live feed and the evacuation workspace), so 6 is three tabs or devices at once.
 */
export const DEFAULT_MAX_STREAMS_PER_USER = 6

export interface SessionWatchOptions {
  checkMs?: number
  maxPerUser?: number
}

/** What a stream started with; any change of it ends the stream. */
export interface SessionBaseline {
  /** Microseconds since the epoch, as text: exact, whatever the driver does with timestamps. */
  passwordChangedAt: string
}

export interface WatchedStream {
  token: string
  user: SessionUser
  baseline: SessionBaseline
  /** Ends the stream, telling the client why. Called at most once. */
  end: (reason: SessionEndReason) => void
}

interface Entry extends WatchedStream { hash: string, ended: boolean }

export interface SessionEvents {
  /** The current state of a live session (null when it is not live): the baseline of a new stream. */
  baselineOf: (token: string) => Promise<SessionBaseline | null>
  /** Registers an open stream; returns the function that unregisters it. May end the user's oldest streams. */
  watch: (stream: WatchedStream) => () => void
  /** This process ended a session (logout): its streams end now. */
  sessionEnded: (token: string | null, reason?: SessionEndReason) => void
  /** This process changed an account (password, role, disabled): the user's streams end now. */
  userChanged: (userId: string, reason: SessionEndReason) => void
  /** Re-checks every open stream now (the timer calls this). */
  checkNow: () => Promise<void>
  /** Open streams, of one user or of all. */
  openCount: (userId?: string) => number
}

declare module 'fastify' {
  interface FastifyInstance {
    sessionEvents: SessionEvents
  }
}

/** Why a stream must end, or null while its session is as it started. Pure; tested directly. */
export function endReasonOf (stream: Pick<WatchedStream, 'user' | 'baseline'>, state: SessionState | undefined): SessionEndReason | null {
  if (!state || state.disabled) return 'disabled'
  if (state.password_changed_at !== stream.baseline.passwordChangedAt) return 'password_changed'
  const { user } = stream
  if (state.role !== user.role || state.province_code !== user.province_code || state.commune_code !== user.commune_code ||
      state.team_id !== user.team_id) return 'role_changed'
  if (!state.has_session) return 'logout'
  if (state.expired) return 'expired'
  return null
}

/** Decorates `app.sessionEvents` and re-checks the open streams every `checkMs`. */
export default fp(async function sessionWatch (app: FastifyInstance, options: SessionWatchOptions) {
  const checkMs = options.checkMs ?? DEFAULT_SESSION_CHECK_MS
  const maxPerUser = options.maxPerUser ?? DEFAULT_MAX_STREAMS_PER_USER
  if (!(Number.isInteger(checkMs) && checkMs > 0)) throw new RangeError(`stream session check interval must be a positive whole number of ms, got ${checkMs}`)
  if (!(Number.isInteger(maxPerUser) && maxPerUser > 0)) throw new RangeError(`streams per user must be a positive whole number, got ${maxPerUser}`)
  const sessions = streamSessionRepository(app.db.sql)
  /** Open streams by user id, oldest first. */
  const byUser = new Map<string, Entry[]>()

  const remove = (entry: Entry) => {
    const list = byUser.get(entry.user.id)
    if (!list) return
    const at = list.indexOf(entry)
    if (at >= 0) list.splice(at, 1)
    if (list.length === 0) byUser.delete(entry.user.id)
  }
  const endEntry = (entry: Entry, reason: SessionEndReason) => {
    if (entry.ended) return
    entry.ended = true
    remove(entry)
    entry.end(reason)
  }

  async function check (): Promise<void> {
    const entries = [...byUser.values()].flat()
    if (entries.length === 0) return
    const states = await sessions.states(entries.map(e => ({ hash: e.hash, userId: e.user.id })))
    const byKey = new Map(states.map(state => [`${state.user_id}:${state.hash}`, state]))
    for (const entry of entries) {
      const reason = endReasonOf(entry, byKey.get(`${entry.user.id}:${entry.hash}`))
      if (reason) endEntry(entry, reason)
    }
  }

  let running: Promise<void> | null = null
  const checkNow = (): Promise<void> => {
    // One check at a time: a slow database must not pile checks up.
    running ??= check().catch(error => { app.log.warn({ err: error }, 'stream session check failed') }).finally(() => { running = null })
    return running
  }
  const timer = setInterval(() => { void checkNow() }, checkMs)
  timer.unref()
  app.addHook('onClose', async () => { clearInterval(timer) })

  const events: SessionEvents = {
    async baselineOf (token) {
      const passwordChangedAt = await sessions.passwordChangedAt(token)
      return passwordChangedAt === null ? null : { passwordChangedAt }
    },
    watch (stream) {
      const entry: Entry = { ...stream, hash: tokenHash(stream.token).toString('hex'), ended: false }
      const list = byUser.get(stream.user.id) ?? []
      list.push(entry)
      byUser.set(stream.user.id, list)
      while (list.length > maxPerUser) endEntry(list[0]!, 'too_many_streams')
      return () => { entry.ended = true; remove(entry) }
    },
    sessionEnded (token, reason = 'logout') {
      if (!token) return
      const hash = tokenHash(token).toString('hex')
      for (const entry of [...byUser.values()].flat()) if (entry.hash === hash) endEntry(entry, reason)
    },
    userChanged (userId, reason) {
      for (const entry of [...(byUser.get(userId) ?? [])]) endEntry(entry, reason)
    },
    checkNow,
    openCount (userId) {
      return userId === undefined ? [...byUser.values()].reduce((sum, list) => sum + list.length, 0) : byUser.get(userId)?.length ?? 0
    }
  }
  app.decorate('sessionEvents', events)
}, { name: 'session-watch', dependencies: ['database'] })
