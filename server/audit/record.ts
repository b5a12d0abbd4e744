import type { FastifyRequest } from 'fastify'
import type { Sql } from '../db/connection.ts'
import type { SessionUser } from '../domain/roles.ts'
import { auditRepository, type AuditEntry } from './repository.ts'

export type { AuditEntry } from './repository.ts'

/** Appends one audit row in the caller's transaction, so the change and its record commit together. */
export async function recordAudit (tx: Sql, request: FastifyRequest, user: SessionUser | null, entry: AuditEntry): Promise<void> {
  await auditRepository(tx).append({
    ...entry, user_id: user?.id ?? null, username: user?.username ?? null, role: user?.role ?? null, request_id: request.id, client_address: request.ip
  })
}
