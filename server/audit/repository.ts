import type { Sql } from '../db/connection.ts'

/** What a change records about itself; who and from where are added by recordAudit (record.ts). */
export interface AuditEntry {
  action: string
  entity: string
  entity_id: string | null
  province_code: string | null
  commune_code: string | null
  before: unknown
  after: unknown
}

/** An audit row as written. */
export interface AuditRow extends AuditEntry {
  user_id: string | null
  username: string | null
  role: string | null
  request_id: string
  client_address: string
}

export interface AuditListRow extends Omit<AuditRow, 'request_id' | 'client_address'> {
  id: number
  at: Date
  request_id: string | null
  client_address: string | null
}

/** All SQL on audit_log. Appends run in the caller's transaction; reads on a scoped one (row-level security). */
export function auditRepository (sql: Sql) {
  return {
    async append (row: AuditRow): Promise<void> {
      await sql`
        insert into audit_log (user_id, username, role, action, entity, entity_id, province_code, commune_code,
                               before, after, request_id, client_address)
        values (${row.user_id}, ${row.username}, ${row.role}, ${row.action}, ${row.entity},
                ${row.entity_id}, ${row.province_code}, ${row.commune_code},
                ${row.before === null ? null : sql.json(row.before as never)}, ${row.after === null ? null : sql.json(row.after as never)},
                ${row.request_id}, ${row.client_address})`
    },

    /** Newest first; `beforeId` pages backwards. */
    async list (filter: { limit: number, beforeId?: number, action?: string, entity?: string }): Promise<AuditListRow[]> {
      return sql<AuditListRow[]>`
        select id::int as id, at, user_id::text as user_id, username, role, action, entity, entity_id, province_code, commune_code,
               before, after, request_id, client_address
        from audit_log
        where true
          ${filter.beforeId ? sql`and id < ${filter.beforeId}` : sql``}
          ${filter.action ? sql`and action = ${filter.action}` : sql``}
          ${filter.entity ? sql`and entity = ${filter.entity}` : sql``}
        order by id desc
        limit ${filter.limit}`
    }
  }
}
