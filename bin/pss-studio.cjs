#!/usr/bin/env node
/**
 * `pss-studio` launcher: runs the built CLI (out/main/cli.js). A fresh clone has no out/ yet, so it
 * builds once first (electron-vite build, a few seconds); the build's output goes to stderr so that
 * `--json` output on stdout stays clean.
 */
'use strict'
const { existsSync } = require('node:fs')
const { join } = require('node:path')
const { spawnSync } = require('node:child_process')

const root = join(__dirname, '..')
const cli = join(root, 'out', 'main', 'cli.js')

if (!existsSync(cli)) {
  process.stderr.write(
    'pss-studio: the app is not built yet (out/main/cli.js is missing); building it now with electron-vite…\n',
  )
  const electronVite = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  if (!existsSync(electronVite)) {
    process.stderr.write(
      `pss-studio: cannot build: ${electronVite} is missing. Run \`npm install\` in ${root} first.\n`,
    )
    process.exit(1)
  }
  const r = spawnSync(process.execPath, [electronVite, 'build'], { cwd: root, stdio: ['ignore', 2, 2] })
  if (r.status !== 0 || !existsSync(cli)) {
    process.stderr.write(
      `pss-studio: the build failed (see above). Fix it, or run \`npm run build\` in ${root}, then try again.\n`,
    )
    process.exit(1)
  }
}

require(cli)
