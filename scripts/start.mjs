/**
 * `npm start`: the desktop app when Electron's binary is available, browser mode otherwise.
 *
 * 1. Builds (electron-vite build) when out/ is missing or older than the sources.
 * 2. `npm install` skips Electron's binary download (package.json allowScripts), so on first run this
 *    fetches it once with Electron's own installer (60 s limit). That works on a normal machine and
 *    fails where GitHub is unreachable.
 * 3. With the binary: `electron .`. Without: creates the demo project on first run and serves it in
 *    browser mode (`pss-studio serve`), printing the URL to open.
 *
 * Environment: PSS_STUDIO_DEMO_DIR (demo project folder, default <repo>/.demo/project),
 * PSS_STUDIO_BROWSER=1 (skip Electron). Extra arguments go to `pss-studio serve` (e.g. -- --port 8080).
 */
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const cli = join(root, 'out', 'main', 'cli.js')
const OUTPUTS = [
  'out/main/index.js',
  'out/main/cli.js',
  'out/preload/index.js',
  'out/renderer/index.html',
].map((p) => join(root, p))
const SOURCES = ['src', 'electron.vite.config.ts'].map((p) => join(root, p))
const FETCH_TIMEOUT_MS = 60_000

function say(line) {
  process.stderr.write(`[pss-studio] ${line}\n`)
}

function newestMtime(path) {
  const st = statSync(path)
  if (!st.isDirectory()) return st.mtimeMs
  let newest = st.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

function buildIsStale() {
  if (!OUTPUTS.every((p) => existsSync(p))) return true
  const built = Math.min(...OUTPUTS.map((p) => statSync(p).mtimeMs))
  return Math.max(...SOURCES.filter((p) => existsSync(p)).map(newestMtime)) > built
}

function build() {
  say('building the app (electron-vite build)…')
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  )
  if (r.status !== 0) {
    say('the build failed (see above); fix it and run `npm start` again.')
    process.exit(1)
  }
}

/** Path of the Electron executable when it is installed, else null. */
function electronBinary() {
  try {
    // The electron package's main module is the executable's path; it throws when path.txt is missing.
    const require = createRequire(join(root, 'package.json'))
    delete require.cache[require.resolve('electron')]
    const path = require('electron')
    return typeof path === 'string' && existsSync(path) ? path : null
  } catch {
    return null
  }
}

function fetchElectron() {
  const installer = join(root, 'node_modules', 'electron', 'install.js')
  if (!existsSync(installer)) return false
  say(
    `Electron's binary is not installed (npm install skips its download). Fetching it once with Electron's installer (up to ${FETCH_TIMEOUT_MS / 1000} s)…`,
  )
  const env = { ...process.env }
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD // the installer would exit at once without downloading
  const r = spawnSync(process.execPath, [installer], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'pipe'],
    timeout: FETCH_TIMEOUT_MS,
  })
  if (r.error?.code === 'ETIMEDOUT' || r.signal) {
    say(`fetching Electron took longer than ${FETCH_TIMEOUT_MS / 1000} s and was stopped.`)
    return false
  }
  if (r.status !== 0) {
    const why =
      (r.stderr?.toString() ?? '').split('\n').find((l) => l.trim().length > 0) ?? `exit code ${r.status}`
    say(`could not fetch Electron: ${why.trim()}`)
    return false
  }
  return true
}

/**
 * Path of a better-sqlite3 binary built for the installed Electron, fetched once into
 * .native/electron-<version>/ with better-sqlite3's own prebuild-install (its release binaries for
 * Electron ABIs). Null, with a message, when that is not possible (no network to the release host).
 */
function electronSqliteBinding() {
  if (process.env.PSS_STUDIO_SQLITE_BINDING) return process.env.PSS_STUDIO_SQLITE_BINDING
  const require = createRequire(import.meta.url)
  const electronVersion = require('electron/package.json').version
  const dir = join(root, '.native', `electron-${electronVersion}-${process.platform}-${process.arch}`)
  const target = join(dir, 'better_sqlite3.node')
  if (existsSync(target)) return target
  const pkgDir = dirname(require.resolve('better-sqlite3/package.json'))
  const work = join(dir, 'work')
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  // prebuild-install works in the package folder it is run from (reads its package.json, writes build/).
  cpSync(join(pkgDir, 'package.json'), join(work, 'package.json'))
  say(`fetching better-sqlite3 for Electron ${electronVersion} (once)…`)
  const r = spawnSync(
    process.execPath,
    [
      require.resolve('prebuild-install/bin.js'),
      '--runtime=electron',
      `--target=${electronVersion}`,
      `--arch=${process.arch}`,
      `--platform=${process.platform}`,
    ],
    { cwd: work, stdio: 'inherit', timeout: FETCH_TIMEOUT_MS },
  )
  const built = join(work, 'build', 'Release', 'better_sqlite3.node')
  if (r.status !== 0 || !existsSync(built)) {
    say('could not fetch it (no network to its release host, or no binary for this platform).')
    say(
      'build it with `npx @electron/rebuild -o better-sqlite3` and set PSS_STUDIO_SQLITE_BINDING to the .node file.',
    )
    return null
  }
  cpSync(built, target)
  rmSync(work, { recursive: true, force: true })
  return target
}

function run(cmd, args) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

function canOpenBrowser() {
  return (
    process.platform === 'darwin' ||
    process.platform === 'win32' ||
    Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)
  )
}

if (buildIsStale()) build()

let electron = process.env.PSS_STUDIO_BROWSER === '1' ? null : electronBinary()
if (electron === null && process.env.PSS_STUDIO_BROWSER !== '1') {
  if (fetchElectron()) electron = electronBinary()
}

const demo = resolve(process.env.PSS_STUDIO_DEMO_DIR || join(root, '.demo', 'project'))
const made = spawnSync(process.execPath, [cli, 'demo-project', '--dir', demo], {
  cwd: root,
  stdio: 'inherit',
})
if (made.status !== 0) {
  say(`could not prepare the demo project in ${demo} (see above).`)
  process.exit(1)
}

// The desktop app needs better-sqlite3 compiled for Electron's ABI (the one in node_modules is built
// for Node and serves the CLI, browser mode and tests). Without it Electron could not open projects,
// so the studio falls back to browser mode rather than opening a window that cannot work.
const sqliteBinding = electron !== null ? electronSqliteBinding() : null
if (electron !== null && sqliteBinding === null) {
  say('better-sqlite3 for Electron is unavailable (see above); using browser mode instead.')
  electron = null
}

if (electron !== null) {
  say('starting the desktop app (Electron)…')
  const child = spawn(electron, ['.', '--project', demo], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PSS_STUDIO_SQLITE_BINDING: sqliteBinding },
  })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
} else {
  say('starting browser mode instead of the desktop app.')
  const extra = process.argv.slice(2)
  run(process.execPath, [
    cli,
    'serve',
    '--project',
    demo,
    ...(canOpenBrowser() && !extra.includes('--open') ? ['--open'] : []),
    ...extra,
  ])
}
