#!/usr/bin/env node
// `npm run test:fast` / `npm run test:training`: Vitest over one test set (see tests/test-sets.ts).
// fast = unit + dom without the files that train a model (the inner loop); training = only those files.
import { spawnSync } from 'node:child_process'
import os from 'node:os'

const set = process.argv[2]
if (set !== 'fast' && set !== 'training') {
  console.error('usage: node scripts/test-set.mjs fast|training [vitest args…]')
  process.exit(2)
}
const projects = set === 'fast' ? ['--project', 'unit', '--project', 'dom'] : ['--project', 'unit']
// Vitest's default is one worker fewer than the cores — a single worker on a 2-core machine. The fast set
// waits on child processes and disk as much as it computes, so it uses every core (unless asked otherwise).
const extra = process.argv.slice(3)
const workers = extra.some((a) => a.startsWith('--maxWorkers'))
  ? []
  : [
      `--maxWorkers=${set === 'fast' ? os.availableParallelism() : Math.max(1, os.availableParallelism() - 1)}`,
    ]
const r = spawnSync('npx', ['vitest', 'run', ...projects, ...workers, ...extra], {
  stdio: 'inherit',
  env: { ...process.env, PSS_TEST_SET: set },
})
process.exit(r.status ?? 1)
