import type { Sql } from '../db/connection.ts'
import { tokenHash } from '../auth/repository.ts'

/** What the database says now about a watched stream's user and session. */
export interface SessionState {
  hash: string
  user_id: string
  disabled: boolean
  role: string | null
  province_code: string | null
  commune_code: string | null
  team_id: string | null
  password_changed_at: string | null
  has_session: boolean
  expired: boolean
}

/**
 * The reads of the stream session watch. Users and sessions are not granted to the scoped role:
 * these run on the server's own connection, like the sign-in check (server/auth/repository.ts).
 */
export function streamSessionRepository (sql: Sql) {
  return {
    /** The state of each (token hash, user id) pair, in one query for every open stream. */
    async states (streams: readonly { hash: string, userId: string }[]): Promise<SessionState[]> {
      return sql<SessionState[]>`
        select w.hash, w.user_id::text as user_id,
               u.id is null or u.disabled_at is not null as disabled, u.role, u.province_code, u.commune_code, u.team_id::text as team_id,
               (extract(epoch from u.password_changed_at) * 1000000)::bigint::text as password_changed_at,
               s.token_hash is not null as has_session, coalesce(s.expires_at <= now(), false) as expired
        from unnest(${sql.array(streams.map(e => e.hash))}::text[], ${sql.array(streams.map(e => e.userId))}::bigint[]) as w(hash, user_id)
        left join users u on u.id = w.user_id
        left join sessions s on s.token_hash = decode(w.hash, 'hex') and s.user_id = w.user_id`
    },

    /**
     * When the password of a live session's user last changed (microseconds since the epoch, as
     * text: exact, whatever the driver does with timestamps); null when the session is not live.
     */
    async passwordChangedAt (token: string): Promise<string | null> {
      const [state] = await sql<{ password_changed_at: string }[]>`
        select (extract(epoch from u.password_changed_at) * 1000000)::bigint::text as password_changed_at
        from sessions s join users u on u.id = s.user_id
        where s.token_hash = ${tokenHash(token)} and s.expires_at > now() and u.disabled_at is null`
      return state?.password_changed_at ?? null
    }
  }
}
