import type { FastifyRequest } from 'fastify'
import type { Sql } from '../db/connection.ts'
import type { SessionUser } from '../auth/roles.ts'

export interface AuditEntry {
  action: string
  entity: string
  entity_id: string | null
  province_code: string | null
  commune_code: string | null
  before: unknown
  after: unknown
}

/** Appends one audit row in the caller's transaction, so the change and its record commit together. */
export async function recordAudit (tx: Sql, request: FastifyRequest, user: SessionUser | null, entry: AuditEntry): Promise<void> {
  await tx`
    insert into audit_log (user_id, username, role, action, entity, entity_id, province_code, commune_code,
                           before, after, request_id, client_address)
    values (${user?.id ?? null}, ${user?.username ?? null}, ${user?.role ?? null}, ${entry.action}, ${entry.entity},
            ${entry.entity_id}, ${entry.province_code}, ${entry.commune_code},
            ${entry.before === null ? null : tx.json(entry.before as never)}, ${entry.after === null ? null : tx.json(entry.after as never)},
            ${request.id}, ${request.ip})`
}
