import { createHash, randomBytes } from 'node:crypto'
import type { Sql } from '../db/connection.ts'
import type { Role, SessionUser } from '../domain/roles.ts'

/** Sessions last 12 hours of inactivity for browsers (a shift), 30 days for device tokens. */
export const SESSION_IDLE_MS = { cookie: 12 * 3600_000, bearer: 30 * 86_400_000 } as const
export interface UserRow extends SessionUser { password_hash: string, disabled_at: Date | null }

export interface NewUser {
  username: string
  full_name: string
  role: Role
  province_code?: string | null
  commune_code?: string | null
  team_id?: string | null
  password_hash: string
  is_demo?: boolean
}

/** What sessions store of a token. */
export const tokenHash = (token: string) => createHash('sha256').update(token).digest()

/**
 * Accounts and sessions. These tables are not granted to the scoped application role, so this
 * repository runs on the server's own connection, never inside runScoped.
 */
export function accountRepository (sql: Sql) {
  const userColumns = sql`u.id::text as id, u.username, u.full_name, u.role, u.province_code, u.commune_code, u.team_id::text as team_id`
  return {
    async findByUsername (username: string): Promise<UserRow | null> {
      const [row] = await sql<UserRow[]>`
        select ${userColumns}, u.password_hash, u.disabled_at from users u where u.username = ${username}`
      return row ?? null
    },

    /**
     * Creates a user. A team member's commune (and every commune user's province) is filled from
     * the team or commune, so the scope columns are always consistent.
     */
    async create (user: NewUser): Promise<SessionUser> {
      const [row] = await sql<SessionUser[]>`
        with team as (select commune_code from teams where id = ${user.team_id ?? null}::bigint),
        place as (
          select coalesce(${user.commune_code ?? null}::text, (select commune_code from team)) as commune_code
        )
        insert into users as u (username, full_name, role, province_code, commune_code, team_id, password_hash, is_demo)
        select ${user.username}, ${user.full_name}, ${user.role},
               coalesce(${user.province_code ?? null}::text, (select province_code from communes c where c.code = place.commune_code)),
               place.commune_code, ${user.team_id ?? null}::bigint, ${user.password_hash}, ${user.is_demo ?? false}
        from place
        returning ${userColumns}`
      return row!
    },

    /**
     * Disables (or enables) an account; disabling ends its sessions in the same transaction.
     * Null when no such user.
     */
    async setDisabled (username: string, disabled: boolean): Promise<{ id: string, sessionsEnded: number } | null> {
      return sql.begin(async tx => {
        const [user] = await tx<{ id: string }[]>`
          update users set disabled_at = case when ${disabled} then coalesce(disabled_at, now()) end
          where username = ${username} returning id::text as id`
        if (!user) return null
        const ended = disabled ? await tx`delete from sessions where user_id = ${user.id}` : { count: 0 }
        return { id: user.id, sessionsEnded: ended.count }
      }) as Promise<{ id: string, sessionsEnded: number } | null>
    },

    /** Sets a new password hash and ends every session of the user but `keepToken`'s, in one transaction. */
    async setPassword (username: string, passwordHash: string, keepToken: string | null = null): Promise<{ id: string, sessionsEnded: number } | null> {
      return sql.begin(async tx => {
        const accounts = accountRepository(tx as unknown as Sql)
        const [user] = await tx<{ id: string }[]>`select id::text as id from users where username = ${username} for update`
        if (!user) return null
        await accounts.updatePassword(user.id, passwordHash)
        return { id: user.id, sessionsEnded: await accounts.endSessionsExcept(user.id, keepToken) }
      }) as Promise<{ id: string, sessionsEnded: number } | null>
    },

    /** Stores a new password hash (in the caller's transaction). */
    async updatePassword (userId: string, passwordHash: string): Promise<void> {
      await sql`update users set password_hash = ${passwordHash}, password_changed_at = now() where id = ${userId}`
    },

    /** Ends every session of the user but `keepToken`'s; how many ended. */
    async endSessionsExcept (userId: string, keepToken: string | null): Promise<number> {
      const ended = await sql`delete from sessions where user_id = ${userId} and token_hash <> ${tokenHash(keepToken ?? '')}`
      return ended.count
    },

    /** Deletes a user (sessions go with it; audit rows keep the username). False when no such user. */
    async delete (username: string): Promise<boolean> {
      const deleted = await sql`delete from users where username = ${username}`
      return deleted.count > 0
    },

    async userCount (): Promise<number> {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from users`
      return row!.n
    },

    /**
     * Where a province's demo accounts live: its most populous commune (then the lowest code) and
     * that commune's first team, if any. Null when the province has no commune.
     */
    async demoPlace (provinceCode: string) {
      const [place] = await sql<{ commune_code: string, commune_name: string, province_name: string, team_id: string | null, team_name: string | null }[]>`
        select c.code as commune_code, c.name as commune_name, p.name as province_name,
               (select t.id::text from teams t where t.commune_code = c.code order by t.id limit 1) as team_id,
               (select t.name from teams t where t.commune_code = c.code order by t.id limit 1) as team_name
        from communes c join provinces p on p.code = c.province_code
        where c.province_code = ${provinceCode}
        order by c.population desc nulls last, c.code
        limit 1`
      return place ?? null
    },

    /**
     * The key that signs device tokens: read from auth_secrets, made on the first start. Two
     * servers starting together both insert; `on conflict do nothing` keeps the first and both read it.
     */
    async deviceTokenKey (): Promise<Buffer> {
      await sql`insert into auth_secrets (name, secret) values ('device_token', ${randomBytes(32)}) on conflict (name) do nothing`
      const [row] = await sql<{ secret: Buffer }[]>`select secret from auth_secrets where name = 'device_token'`
      return row!.secret
    },

    /** Usernames of the demo accounts still present (their passwords are printed in the README). */
    async demoUsernames (): Promise<string[]> {
      const rows = await sql<{ username: string }[]>`select username from users where is_demo order by username`
      return rows.map(row => row.username)
    },

    /** A new random session token; only its hash is stored. */
    async createSession (userId: string, kind: 'cookie' | 'bearer'): Promise<{ token: string, expiresAt: Date }> {
      const token = randomBytes(32).toString('base64url')
      const expiresAt = new Date(Date.now() + SESSION_IDLE_MS[kind])
      await sql`insert into sessions (token_hash, user_id, kind, expires_at) values (${tokenHash(token)}, ${userId}, ${kind}, ${expiresAt})`
      return { token, expiresAt }
    },

    /**
     * The user of a live session of an enabled account. Its expiry slides forward, written at
     * most once a minute so that reads do not each cost a write.
     */
    async userOfSession (token: string): Promise<SessionUser | null> {
      const hash = tokenHash(token)
      const [row] = await sql<(SessionUser & { stale: boolean })[]>`
        select ${userColumns}, s.last_seen_at < now() - interval '1 minute' as stale
        from sessions s join users u on u.id = s.user_id
        where s.token_hash = ${hash} and s.expires_at > now() and u.disabled_at is null`
      if (!row) return null
      if (row.stale) {
        await sql`
          update sessions s set last_seen_at = now(),
            expires_at = now() + case s.kind when 'cookie' then ${SESSION_IDLE_MS.cookie / 1000}::int else ${SESSION_IDLE_MS.bearer / 1000}::int end * interval '1 second'
          where s.token_hash = ${hash}`
      }
      const { stale: _stale, ...user } = row
      return user
    },

    async deleteSession (token: string): Promise<void> {
      await sql`delete from sessions where token_hash = ${tokenHash(token)}`
    },

    /** Name and extent of the user's jurisdiction, for the page to open on. */
    async jurisdiction (user: SessionUser) {
      if (user.role === 'admin') {
        const [row] = await sql<{ xmin: number | null, ymin: number, xmax: number, ymax: number }[]>`
          select st_xmin(e) as xmin, st_ymin(e) as ymin, st_xmax(e) as xmax, st_ymax(e) as ymax
          from (select st_extent(geom) as e from communes) s`
        return { kind: 'national' as const, code: null, name: 'Toàn quốc', name_en: 'Nationwide', province_code: null, bbox: row?.xmin == null ? null : [row.xmin, row.ymin, row.xmax, row.ymax] }
      }
      const commune = user.role === 'province_command' || (user.role === 'disaster_coordinator' && !user.commune_code) ? null : user.commune_code
      const [row] = commune
        ? await sql<{ code: string, name: string, name_en: string, province_code: string, xmin: number, ymin: number, xmax: number, ymax: number }[]>`
            select code, name, name_en, province_code, st_xmin(geom) as xmin, st_ymin(geom) as ymin, st_xmax(geom) as xmax, st_ymax(geom) as ymax
            from communes where code = ${commune}`
        : await sql<{ code: string, name: string, name_en: string, province_code: string, xmin: number, ymin: number, xmax: number, ymax: number }[]>`
            select p.code, p.name, p.name_en, p.code as province_code, st_xmin(e) as xmin, st_ymin(e) as ymin, st_xmax(e) as xmax, st_ymax(e) as ymax
            from provinces p, lateral (select st_extent(geom) as e from communes c where c.province_code = p.code) s
            where p.code = ${user.province_code}`
      return {
        kind: commune ? 'commune' as const : 'province' as const,
        code: row?.code ?? null, name: row?.name ?? '', name_en: row?.name_en ?? '', province_code: row?.province_code ?? null,
        bbox: row ? [row.xmin, row.ymin, row.xmax, row.ymax] : null
      }
    }
  }
}

export type AccountRepository = ReturnType<typeof accountRepository>

/**
 * Enters a user's jurisdiction for the rest of the transaction: the settings the row-level
 * security policies read, the statement timeout, and the role vnpm_app that the policies apply to.
 */
export async function enterScope (tx: Sql, scope: { kind: string, province: string, commune: string, role: Role, userId: string, statementTimeoutMs: number }): Promise<void> {
  await tx`
    select set_config('app.scope', ${scope.kind}, true), set_config('app.province', ${scope.province}, true),
           set_config('app.commune', ${scope.commune}, true), set_config('app.role', ${scope.role}, true),
           set_config('app.user_id', ${scope.userId}, true), set_config('statement_timeout', ${String(scope.statementTimeoutMs)}, true)`
  await tx`set local role vnpm_app`
}
