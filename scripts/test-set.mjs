#!/usr/bin/env node
// `npm run test:fast` / `npm run test:training`: Vitest over one test set (see tests/test-sets.ts).
// fast = unit + dom without the files that train a model (the inner loop); training = only those files.
import { spawnSync } from 'node:child_process'

const set = process.argv[2]
if (set !== 'fast' && set !== 'training') {
  console.error('usage: node scripts/test-set.mjs fast|training [vitest args…]')
  process.exit(2)
}
const projects = set === 'fast' ? ['--project', 'unit', '--project', 'dom'] : ['--project', 'unit']
const r = spawnSync('npx', ['vitest', 'run', ...projects, ...process.argv.slice(3)], {
  stdio: 'inherit',
  env: { ...process.env, PSS_TEST_SET: set },
})
process.exit(r.status ?? 1)
