import type { Sql } from '../db/connection.ts'
import { accountRepository } from './repository.ts'
import { hashPassword } from './passwords.ts'
import type { Role } from '../domain/roles.ts'

export interface DemoAccount { username: string, password: string, role: Role, full_name: string, jurisdiction: string }

/**
 * One demo account per role, made by bootstrap only when asked: the embedded demo by default, a
 * server at DATABASE_URL with DEMO_ACCOUNTS=true or `npm start -- --demo` (listed in README; the
 * start banner names them while they exist; `npm run cli -- delete-user` removes them). The commune accounts use the province's most populous commune and its
 * first team, so the choice is deterministic.
 */
export async function ensureDemoUsers (sql: Sql, provinceCode: string): Promise<{ created: boolean, accounts: DemoAccount[] }> {
  const accounts = await demoAccountsOf(sql, provinceCode)
  if (accounts.length === 0) return { created: false, accounts }
  const repository = accountRepository(sql)
  if (await repository.userCount() > 0) return { created: false, accounts }
  for (const account of accounts) {
    await repository.create({
      username: account.username, full_name: account.full_name, role: account.role, password_hash: await hashPassword(account.password),
      province_code: account.province_code ?? null, commune_code: account.commune_code ?? null, team_id: account.team_id ?? null, is_demo: true
    })
  }
  return { created: true, accounts }
}

/** The demo accounts of a province (made or not): usernames and passwords are fixed. */
export async function demoAccountsOf (sql: Sql, provinceCode: string): Promise<(DemoAccount & { province_code?: string, commune_code?: string, team_id?: string })[]> {
  const place = await accountRepository(sql).demoPlace(provinceCode)
  if (!place) return []
  const accounts: (DemoAccount & { province_code?: string, commune_code?: string, team_id?: string })[] = [
    { username: 'admin', password: 'demo-admin-2025', role: 'admin', full_name: 'Quản trị hệ thống (demo)', jurisdiction: 'toàn quốc' },
    { username: `chihuy.${provinceCode}`, password: 'demo-province-2025', role: 'province_command', full_name: 'Trung tâm chỉ huy tỉnh (demo)', jurisdiction: place.province_name, province_code: provinceCode },
    { username: `congan.${place.commune_code}`, password: 'demo-commune-2025', role: 'commune_police', full_name: `Công an ${place.commune_name} (demo)`, jurisdiction: place.commune_name, commune_code: place.commune_code },
    { username: `dieuphoi.${provinceCode}`, password: 'demo-flood-2025', role: 'disaster_coordinator', full_name: 'Điều phối phòng chống thiên tai (demo)', jurisdiction: place.province_name, province_code: provinceCode }
  ]
  if (place.team_id) {
    accounts.push({ username: `toviec.${place.commune_code}`, password: 'demo-team-2025', role: 'team_member', full_name: `Tổ viên ${place.team_name} (demo)`, jurisdiction: `${place.team_name}`, team_id: place.team_id })
  }
  return accounts
}
