import type { Database } from '../db/connection.ts'
import { startOfLocalDay } from '../domain/vn-time.ts'
import { bulkInsertIncidents } from '../incidents/bulk-insert.ts'
import { generateIncidents, generateTeams, type DemoCommune, type DemoInput } from '../../data/demo/generate.ts'
import { loadRivers } from '../../data/demo/load-geo.ts'
import { loadDemoPatrols } from './load-patrols.ts'
import { loadFloodDemo } from './load-flood.ts'
import { readDemoCommunes } from './demo-communes.ts'

export interface DemoOptions {
  provinceCode: string
  seed: number
  days: number
  /** Exclusive end of the generated window; defaults to the start of today in Vietnam (UTC+7). */
  end?: Date
  scale?: number
  geoDir: string
  onProgress?: (stored: number) => void
  /** Days of generated patrols before `end` (0: none). Default DEFAULT_DEMO_PATROL_DAYS. */
  patrolDays?: number
}

export const DEFAULT_DEMO_PATROL_DAYS = 7

export interface DemoResult { communes: number, teams: number, members: number, incidents: number, patrols: number, patrolFixes: number, from: Date, end: Date }

/**
 * Gives generated incidents the times of the lifecycle steps their status implies, so demo
 * summaries have response and handling times. Deterministic: the minutes come from a hash of the
 * incident's cell and time, not from a random source. Never later than now.
 */
async function stampGeneratedStepTimes (db: Database, provinceCode: string): Promise<void> {
  await db.sql`
    with t as (
      select id, status, reported_at,
             abs(hashtext(h3::text || occurred_at::text)) as hash
      from incidents where province_code = ${provinceCode} and is_generated
    ), steps as (
      select id, status,
             reported_at + ((3 + hash % 38) * interval '1 minute') as dispatched,
             reported_at + ((3 + hash % 38 + 5 + (hash / 38) % 26) * interval '1 minute') as on_scene,
             reported_at + ((3 + hash % 38 + 5 + (hash / 38) % 26 + 10 + (hash / 988) % 231) * interval '1 minute') as resolved,
             reported_at + ((5 + hash % 56) * interval '1 minute') as cancelled
      from t
    )
    update incidents i set
      dispatched_at = case when s.status in ('dispatched', 'on_scene', 'resolved', 'closed') then least(s.dispatched, now()) end,
      on_scene_at = case when s.status in ('on_scene', 'resolved', 'closed') then least(s.on_scene, now()) end,
      resolved_at = case when s.status in ('resolved', 'closed') then least(s.resolved, now()) end,
      closed_at = case when s.status = 'closed' then least(s.resolved + interval '1 day', now()) end,
      cancelled_at = case when s.status = 'cancelled' then least(s.cancelled, now()) end
    from steps s where i.id = s.id`
}

/**
 * Replaces the generated (demo) teams and incidents of a province with a fresh deterministic set.
 * Everything written here is marked is_generated and its text carries the generated label.
 */
export async function loadDemoData (db: Database, options: DemoOptions): Promise<DemoResult> {
  const communes = await readDemoCommunes(db.sql, options.provinceCode)
  if (communes.length === 0) throw new Error(`province ${options.provinceCode} has no communes: import them first`)
  const end = options.end ?? startOfLocalDay()
  const input: DemoInput = {
    communes, rivers: loadRivers(options.geoDir), seed: options.seed, days: options.days, end, scale: options.scale
  }

  const teams = generateTeams(input)
  let members = 0
  await db.sql.begin(async tx => {
    await tx`delete from incidents where province_code = ${options.provinceCode} and is_generated`
    const oldTeams = (await tx<{ id: bigint }[]>`select id from teams where province_code = ${options.provinceCode} and is_generated`).map(t => String(t.id))
    const inserted = await tx<{ id: bigint, commune_code: string, name: string }[]>`
      insert into teams (province_code, commune_code, name, is_generated)
      select province_code, commune_code, name, true
      from unnest(${teams.map(t => t.province_code)}::text[], ${teams.map(t => t.commune_code)}::text[],
                  ${teams.map(t => t.name)}::text[]) as u (province_code, commune_code, name)
      returning id, commune_code, name`
    const idOf = new Map(inserted.map(t => [`${t.commune_code}|${t.name}`, t.id]))
    const flat = teams.flatMap(t => t.members.map(m => ({ ...m, team_id: String(idOf.get(`${t.commune_code}|${t.name}`)), province_code: t.province_code, commune_code: t.commune_code })))
    members = flat.length
    await tx`
      insert into team_members (team_id, province_code, commune_code, full_name, role, phone)
      select * from unnest(${flat.map(m => m.team_id)}::bigint[], ${flat.map(m => m.province_code)}::text[], ${flat.map(m => m.commune_code)}::text[],
                           ${flat.map(m => m.full_name)}::text[], ${flat.map(m => m.role)}::text[], ${flat.map(m => m.phone)}::text[])`
    // Accounts of members of replaced teams move to the first new team of their commune.
    await tx`
      update users u set team_id = (select min(t.id) from teams t where t.commune_code = u.commune_code and t.id <> all(${oldTeams}::bigint[]))
      where u.team_id = any(${oldTeams}::bigint[])`
    // Generated patrols belong to the generated teams: they go with them (cells and uploads cascade).
    await tx`delete from patrol_coverage_daily where team_id = any(${oldTeams}::bigint[])`
    await tx`delete from patrol_plans where team_id = any(${oldTeams}::bigint[])`
    await tx`delete from patrols where team_id = any(${oldTeams}::bigint[])`
    await tx`delete from teams where id = any(${oldTeams}::bigint[])`
  })

  const incidents = await bulkInsertIncidents(db, generateIncidents(input), { isGenerated: true, onProgress: options.onProgress })
  await stampGeneratedStepTimes(db, options.provinceCode)
  await loadFloodDemo(db, { provinceCode: options.provinceCode, seed: options.seed, geoDir: options.geoDir })
  const patrols = (options.patrolDays ?? DEFAULT_DEMO_PATROL_DAYS) > 0
    ? await loadDemoPatrols(db, { provinceCode: options.provinceCode, seed: options.seed, days: options.patrolDays ?? DEFAULT_DEMO_PATROL_DAYS, end })
    : { patrols: 0, fixes: 0, cells: 0 }
  return {
    communes: communes.length, teams: teams.length, members, incidents, patrols: patrols.patrols, patrolFixes: patrols.fixes,
    from: new Date(end.getTime() - options.days * 86_400_000), end
  }
}
