import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { geoPaths, loadConfig } from './config.ts'
import { openDatabase } from './db/connection.ts'
import { migrate } from './db/migrate.ts'
import { importCommunes } from './communes/import.ts'
import { loadDemoData } from './demo/load-demo.ts'
import { randomBytes } from 'node:crypto'
import { accountRepository, type AccountRepository } from './auth/repository.ts'
import { hashPassword, MIN_PASSWORD_LENGTH } from './auth/passwords.ts'
import { ROLES, type Role } from './domain/roles.ts'

const usage = `Usage: npm run cli -- <command> [options]

Commands:
  migrate                                   apply pending migrations
  import-communes <file.geojson> [--attributes <csv>]
                                            load or update communes (2025 ward-file shape);
                                            --attributes defaults to the geo folder's
                                            vn_wards_2025_attributes.csv (population)
  generate-demo --province <code> [--seed <n>] [--days <n>] [--scale <x>]
                                            replace the province's generated teams and incidents
  create-user --username <name> --role <role> [--province <code> | --commune <code> | --team <id>]
              [--full-name <text>] [--password <text>]
                                            roles: admin, province_command (--province),
                                            commune_police (--commune), team_member (--team),
                                            disaster_coordinator (--province or --commune);
                                            without --password a random one is printed once
  disable-user --username <name>            the user can no longer sign in; their sessions end
  enable-user --username <name>             undo disable-user
  delete-user --username <name>             remove the user and their sessions (audit rows keep
                                            the name); e.g. the demo accounts on a real server
  reset-password --username <name> [--password <text>]
                                            set a new password (without --password a random one
                                            is printed once); every session of the user ends

Uses DATABASE_URL when set, else the embedded database in PGLITE_DIR (.data/pglite).`

class UsageError extends Error {}

async function main (argv: string[]) {
  const [command, ...rest] = argv
  if (!command || command === 'help' || command === '--help') { console.log(usage); return }
  const config = loadConfig()
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      attributes: { type: 'string' }, province: { type: 'string' }, seed: { type: 'string' },
      days: { type: 'string' }, scale: { type: 'string' }, username: { type: 'string' }, role: { type: 'string' },
      commune: { type: 'string' }, team: { type: 'string' }, 'full-name': { type: 'string' }, password: { type: 'string' }
    }
  })
  const number = (name: string, value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback
    const n = Number(value)
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got "${value}"`)
    return n
  }
  const userCommands = ['disable-user', 'enable-user', 'delete-user', 'reset-password']
  if (!['migrate', 'import-communes', 'generate-demo', 'create-user', ...userCommands].includes(command)) throw new UsageError(`unknown command "${command}"`)
  if (userCommands.includes(command) && !values.username) throw new UsageError(`${command} needs --username <name>`)
  if (command === 'reset-password' && values.password !== undefined && values.password.length < MIN_PASSWORD_LENGTH) {
    throw new UsageError(`--password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  }
  if (command === 'create-user') {
    if (!values.username || !values.role) throw new UsageError('create-user needs --username and --role')
    if (!(ROLES as readonly string[]).includes(values.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`)
    const needs: Record<string, string[]> = { admin: [], province_command: ['province'], commune_police: ['commune'], team_member: ['team'], disaster_coordinator: ['province', 'commune'] }
    const given = (['province', 'commune', 'team'] as const).filter(k => values[k] !== undefined)
    const allowed = needs[values.role]!
    if (given.length !== (allowed.length ? 1 : 0) || given.some(k => !allowed.includes(k))) {
      throw new UsageError(`--role ${values.role} needs ${allowed.length ? allowed.map(k => `--${k}`).join(' or ') : 'no jurisdiction option'}`)
    }
    if (values.password !== undefined && values.password.length < MIN_PASSWORD_LENGTH) throw new UsageError(`--password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  }
  if (command === 'import-communes' && positionals.length !== 1) throw new UsageError('import-communes needs exactly one GeoJSON file')
  if (command === 'generate-demo' && !values.province) throw new UsageError('generate-demo needs --province <code>')

  const db = await openDatabase(config)
  try {
    const applied = await migrate(db.sql)
    console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Migrations: up to date')
    if (command === 'import-communes') {
      const paths = geoPaths(config.geoDir)
      const result = await importCommunes(db.sql, resolve(process.cwd(), positionals[0]!), {
        attributesFile: values.attributes ? resolve(process.cwd(), values.attributes) : paths.attributes,
        provincesFile: paths.provinces
      })
      console.log(`Imported ${result.communes} communes of province ${result.provinces.join(', ')}: ${result.inserted} new, ${result.updated} updated`)
    } else if (command === 'create-user') {
      const password = values.password ?? randomBytes(12).toString('base64url')
      const user = await accountRepository(db.sql).create({
        username: values.username!, role: values.role as Role, full_name: values['full-name'] ?? values.username!,
        province_code: values.role === 'team_member' ? null : values.province ?? null,
        commune_code: values.commune ?? null, team_id: values.team ?? null, password_hash: await hashPassword(password)
      }).catch(error => { throw new UsageError(`cannot create ${values.username}: ${(error as Error).message}`) })
      console.log(`Created ${user.role} ${user.username} (id ${user.id}, province ${user.province_code ?? '-'}, commune ${user.commune_code ?? '-'}, team ${user.team_id ?? '-'})`)
      if (!values.password) console.log(`Password (shown once): ${password}`)
    } else if (userCommands.includes(command)) {
      await manageUser(accountRepository(db.sql), command, values.username!, values.password)
    } else if (command === 'generate-demo') {
      const result = await loadDemoData(db, {
        provinceCode: values.province!,
        seed: number('seed', values.seed, config.demoSeed),
        days: number('days', values.days, config.demoDays),
        patrolDays: config.demoPatrolDays,
        scale: number('scale', values.scale, 1),
        geoDir: config.geoDir,
        onProgress: stored => process.stdout.write(`\r  ${stored} incidents stored`)
      })
      console.log(`\nGenerated for province ${values.province}: ${result.teams} teams, ${result.members} members, ${result.incidents} incidents, ${result.patrols} patrols ` +
        `(${result.from.toISOString().slice(0, 10)} – ${result.end.toISOString().slice(0, 10)}), all marked as generated`)
    }
  } finally {
    await db.close()
  }
}

/** disable-user, enable-user, delete-user and reset-password; a missing user is an error (exit 1). */
async function manageUser (accounts: AccountRepository, command: string, username: string, givenPassword: string | undefined) {
  const missing = () => new Error(`no user named "${username}"`)
  if (command === 'disable-user' || command === 'enable-user') {
    const result = await accounts.setDisabled(username, command === 'disable-user')
    if (!result) throw missing()
    console.log(command === 'disable-user' ? `Disabled ${username}; ended ${result.sessionsEnded} session(s)` : `Enabled ${username}`)
  } else if (command === 'delete-user') {
    if (!(await accounts.delete(username))) throw missing()
    console.log(`Deleted ${username} and their sessions`)
  } else {
    const password = givenPassword ?? randomBytes(12).toString('base64url')
    const result = await accounts.setPassword(username, await hashPassword(password))
    if (!result) throw missing()
    console.log(`New password set for ${username}; ended ${result.sessionsEnded} session(s)`)
    if (!givenPassword) console.log(`Password (shown once): ${password}`)
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`Error: ${(error as Error).message}\n\n${usage}`)
    process.exit(2)
  }
  console.error(`Error: ${(error as Error).message}`)
  process.exit(1)
})
