import postgres from 'postgres'
import type { TestProject } from 'vitest/node'
import { geoPaths, loadConfig } from '../server/config.ts'
import { openDatabase } from '../server/db/connection.ts'
import { migrate } from '../server/db/migrate.ts'
import { importCommunes } from '../server/communes/import.ts'

declare module 'vitest' {
  export interface ProvidedContext { databaseUrl: string, geoDir: string }
}

/**
 * Makes a fresh PostGIS database for the run on the server at TEST_DATABASE_URL (default: the
 * local PostgreSQL with trust auth), migrates it and loads Hải Phòng's real communes.
 */
export default async function setup (project: TestProject) {
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  const name = `vnpm_test_${process.pid}_${Date.now()}`
  try {
    await admin`create database ${admin(name)}`
  } catch (error) {
    await admin.end()
    throw new Error(`Cannot create a test database on ${adminUrl}: ${(error as Error).message}. ` +
      'Set TEST_DATABASE_URL to a PostgreSQL 15 + PostGIS 3 server where this user may CREATE DATABASE.')
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const databaseUrl = url.toString()
  const config = loadConfig()
  const db = await openDatabase({ databaseUrl, pgliteDir: '' })
  try {
    await migrate(db.sql)
    const paths = geoPaths(config.geoDir)
    await importCommunes(db.sql, paths.provinceWards('haiphong_wards_2025.geojson'), { attributesFile: paths.attributes, provincesFile: paths.provinces })
  } catch (error) {
    // Leave nothing behind: no stray database, no open connection keeping the run alive.
    await db.close()
    await admin`drop database if exists ${admin(name)} with (force)`
    await admin.end()
    throw error
  }
  await db.close()
  project.provide('databaseUrl', databaseUrl)
  project.provide('geoDir', config.geoDir)

  return async () => {
    await admin`drop database if exists ${admin(name)} with (force)`
    await admin.end()
  }
}
