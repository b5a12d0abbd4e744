// Builds the web page when dist/web is missing or older than its sources, so `npm start` is
// one command and a second start does not wait for a rebuild.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { execFileSync } from 'node:child_process'
import { projectRoot } from '../server/config.ts'

function newestMtime (path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs)
}

const built = resolve(projectRoot, 'dist/web/index.html')
const sources = Math.max(newestMtime(resolve(projectRoot, 'web')), newestMtime(resolve(projectRoot, 'vite.config.ts')))
if (!existsSync(built) || statSync(built).mtimeMs < sources) {
  console.log('Building the web page (vite build)…')
  execFileSync(process.execPath, [resolve(projectRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { stdio: 'inherit', cwd: projectRoot })
}
