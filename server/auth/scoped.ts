import type { Sql } from '../db/connection.ts'
import { scopeOf, type SessionUser } from '../domain/roles.ts'
import { enterScope } from './repository.ts'

/**
 * Longest a single statement of a request may run (ms). Budgets stop heavy requests before
 * they start; this is the backstop, so no statement holds a connection (on the embedded
 * database: the only one) for long. Bulk maintenance outside requests is not limited.
 */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000

/**
 * Runs fn in a transaction limited to the user's jurisdiction: the settings that the row-level
 * security policies read are set for this transaction only, and the role becomes vnpm_app, to
 * which the policies apply. Everything a route reads or writes about incidents, teams, patrols,
 * evacuation or the audit log goes through here.
 */
export async function runScoped<T> (sql: Sql, user: SessionUser, fn: (tx: Sql) => Promise<T>, statementTimeoutMs = DEFAULT_STATEMENT_TIMEOUT_MS): Promise<T> {
  const scope = scopeOf(user)
  const province = scope.kind === 'province' ? scope.province : scope.kind === 'commune' ? (scope.province ?? '') : ''
  const commune = scope.kind === 'commune' ? scope.commune : ''
  return sql.begin(async tx => {
    await enterScope(tx as unknown as Sql, { kind: scope.kind, province, commune, role: user.role, userId: user.id, statementTimeoutMs })
    return fn(tx as unknown as Sql)
  }) as Promise<T>
}
