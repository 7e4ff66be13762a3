#!/usr/bin/env node
// `npm test`: build the studio (the e2e and CLI tests drive the built app), type-check Node and web
// code, run every Vitest project (unit, dom, e2e), and close with the line CI reads:
// "N passed, N failed[, N skipped]". Type-check failures count as failed checks.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const tmp = join(root, '.tmp')
mkdirSync(tmp, { recursive: true })
const extra = process.argv.slice(2)

function run(label, cmd, args) {
  console.log(`\n▶ ${label}: ${cmd} ${args.join(' ')}`)
  const t0 = Date.now()
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env })
  console.log(`  ${label} ${r.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  return r.status === 0
}

const checks = []
checks.push(['build', run('build', 'npx', ['electron-vite', 'build'])])
checks.push([
  'typecheck (node)',
  run('typecheck node', 'npx', ['tsc', '-p', 'tsconfig.node.json', '--noEmit']),
])
checks.push([
  'typecheck (web)',
  run('typecheck web', 'npx', ['vue-tsc', '-p', 'tsconfig.web.json', '--noEmit']),
])
checks.push(['lint', run('lint', 'npx', ['eslint', '.', '--max-warnings', '0'])])
// Formatting is a check like lint: `npm run format` fixes what this reports.
checks.push(['format', run('format', 'npx', ['prettier', '--check', '.'])])

const jsonFile = join(tmp, 'vitest.json')
const vitestOk = run('vitest', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${jsonFile}`,
  ...extra,
])

let passed = 0
let failed = 0
let skipped = 0
if (existsSync(jsonFile)) {
  const report = JSON.parse(readFileSync(jsonFile, 'utf8'))
  passed = report.numPassedTests ?? 0
  failed = report.numFailedTests ?? 0
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
  // A test file that failed to load has no test results but counts as a failure.
  for (const f of report.testResults ?? []) {
    if (f.status === 'failed' && (f.assertionResults ?? []).length === 0) {
      console.log(`✗ test file failed to run: ${f.name}\n${f.message ?? ''}`)
      failed += 1
    }
  }
} else if (!vitestOk) {
  failed += 1
}
for (const [name, ok] of checks) {
  if (ok) passed += 1
  else {
    failed += 1
    console.log(`✗ check failed: ${name}`)
  }
}
if (!vitestOk && failed === 0) failed = 1
const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`
writeFileSync(join(tmp, 'test-summary.txt'), line + '\n')
console.log(`\n${line}`)
process.exit(failed === 0 ? 0 : 1)
