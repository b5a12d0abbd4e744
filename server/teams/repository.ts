import type { Sql } from '../db/connection.ts'

/** A team with its commune's name (for messages), as patrols and plans read it. */
export interface TeamRow { id: string, name: string, commune_code: string, province_code: string, commune_name: string }

export interface TeamListRow { id: string, name: string, commune_code: string, province_code: string, members: number, is_generated: boolean }

/** All SQL on teams (and their member counts). Runs on a scoped transaction. */
export function teamRepository (sql: Sql) {
  return {
    async list (area: { kind: 'province' | 'commune', code: string } | null): Promise<TeamListRow[]> {
      return sql<TeamListRow[]>`
        select t.id::text as id, t.name, t.commune_code, t.province_code, t.is_generated,
               (select count(*)::int from team_members m where m.team_id = t.id) as members
        from teams t
        where true
          ${area?.kind === 'province' ? sql`and t.province_code = ${area.code}` : sql``}
          ${area?.kind === 'commune' ? sql`and t.commune_code = ${area.code}` : sql``}
        order by t.commune_code, t.id`
    },

    async findById (id: string): Promise<TeamRow | null> {
      const [row] = await sql<TeamRow[]>`
        select t.id::text as id, t.name, t.commune_code, t.province_code, c.name as commune_name
        from teams t join communes c on c.code = t.commune_code
        where t.id = ${id}`
      return row ?? null
    },

    /** The generated (demo) teams of a province, by id. */
    async generatedInProvince (provinceCode: string) {
      return sql<{ id: string, name: string, commune_code: string, province_code: string }[]>`
        select id::text as id, name, commune_code, province_code from teams where province_code = ${provinceCode} and is_generated order by id`
    }
  }
}

export type TeamRepository = ReturnType<typeof teamRepository>
