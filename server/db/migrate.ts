import { readdirSync, readFileSync } from 'node:fs'
import { resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Sql } from './connection.ts'

const migrationsDir = resolve(dirname(fileURLToPath(import.meta.url)), 'migrations')

export interface Migration { version: number, name: string, sql: string }

/** Numbered plain .sql files, in order: 0001_core.sql, 0002_h3.sql, … */
export function listMigrations (dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter(file => /^\d{4}_[\w-]+\.sql$/.test(file))
    .sort()
    .map(file => ({
      version: Number(file.slice(0, 4)),
      name: file,
      sql: readFileSync(resolve(dir, file), 'utf8')
    }))
}

/**
 * Applies the migrations not yet recorded in schema_migrations, each in its own transaction.
 * Running it twice changes nothing. Returns the names applied now.
 */
export async function migrate (sql: Sql, dir = migrationsDir): Promise<string[]> {
  await sql`
    create table if not exists schema_migrations (
      version    integer primary key,
      name       text not null,
      applied_at timestamptz not null default now()
    )`
  const applied = new Set((await sql<{ version: number }[]>`select version from schema_migrations`)
    .map(row => Number(row.version)))
  const done: string[] = []
  for (const migration of listMigrations(dir)) {
    if (applied.has(migration.version)) continue
    await sql.begin(async tx => {
      await tx.unsafe(migration.sql)
      await tx`insert into schema_migrations (version, name) values (${migration.version}, ${migration.name})`
    })
    done.push(migration.name)
  }
  return done
}
