import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { geoPaths, loadConfig } from './config.ts'
import { openDatabase } from './db/connection.ts'
import { migrate } from './db/migrate.ts'
import { importCommunes } from './communes/import.ts'
import { loadDemoData } from './demo/load-demo.ts'

const usage = `Usage: npm run cli -- <command> [options]

Commands:
  migrate                                   apply pending migrations
  import-communes <file.geojson> [--attributes <csv>]
                                            load or update communes (2025 ward-file shape);
                                            --attributes defaults to the geo folder's
                                            vn_wards_2025_attributes.csv (population)
  generate-demo --province <code> [--seed <n>] [--days <n>] [--scale <x>]
                                            replace the province's generated teams and incidents

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
      days: { type: 'string' }, scale: { type: 'string' }
    }
  })
  const number = (name: string, value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback
    const n = Number(value)
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got "${value}"`)
    return n
  }
  if (!['migrate', 'import-communes', 'generate-demo'].includes(command)) throw new UsageError(`unknown command "${command}"`)
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
    } else if (command === 'generate-demo') {
      const result = await loadDemoData(db, {
        provinceCode: values.province!,
        seed: number('seed', values.seed, config.demoSeed),
        days: number('days', values.days, config.demoDays),
        scale: number('scale', values.scale, 1),
        geoDir: config.geoDir,
        onProgress: stored => process.stdout.write(`\r  ${stored} incidents stored`)
      })
      console.log(`\nGenerated for province ${values.province}: ${result.teams} teams, ${result.members} members, ${result.incidents} incidents ` +
        `(${result.from.toISOString().slice(0, 10)} – ${result.end.toISOString().slice(0, 10)}), all marked as generated`)
    }
  } finally {
    await db.close()
  }
}

main(process.argv.slice(2)).catch(error => {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`Error: ${(error as Error).message}\n\n${usage}`)
    process.exit(2)
  }
  console.error(`Error: ${(error as Error).message}`)
  process.exit(1)
})
