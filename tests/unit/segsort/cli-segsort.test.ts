/** `pss-studio run --method segsort`: a tiny SegSort run from the command line ends done with metrics. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDemoProject } from '../../../src/main/app/demo-project'
import { runCli } from '../../../src/main/cli/run'
import type { RunDetail } from '../../../src/shared/runs'

let tmp = ''
let project = ''
const saved = { PSS_BACKEND: process.env.PSS_BACKEND, PSS_STUDIO_HOME: process.env.PSS_STUDIO_HOME }

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    signal: new AbortController().signal,
  })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-segsort-cli-'))
  process.env.PSS_BACKEND = 'wasm'
  process.env.PSS_STUDIO_HOME = path.join(tmp, 'home')
  project = (await ensureDemoProject(path.join(tmp, 'demo'), { preset: 'tiny' })).path
}, 180_000)

afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('pss-studio run --method segsort', () => {
  it('runs SegSort on an album and prints the stored run with its metrics and bank', async () => {
    const r = await cli([
      'run',
      '--project',
      project,
      '--album',
      'id2',
      '--method',
      'segsort',
      '--iterations',
      '4',
      '--adapt-iterations',
      '2',
      '--size',
      '32',
      '--json',
    ])
    expect(r.code, r.err).toBe(0)
    const run = JSON.parse(r.out) as RunDetail
    expect(run).toMatchObject({
      kind: 'album',
      method: 'segsort',
      status: 'done',
      albumName: 'id2',
      backend: 'wasm',
    })
    expect(run.config).toMatchObject({ segsortBankMode: 'source' })
    expect(run.metrics!.images).toBeGreaterThan(0)
    expect(r.err).toMatch(/SegSort embedding iteration|memory bank|clustering \+ k-NN/)
  }, 300_000)
})
