/**
 * The adaptation chain a studio run trains, read from the method table: the stage folders, the registry
 * config each stage trains, the group context and where each stage starts from. A fake session host records
 * each 'adapt' session it is asked for and writes the finished checkpoint a real one would, so no model
 * trains here.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  runAdaptStages,
  type AdaptiveMethod,
  type ProjectAdaptOptions,
} from '../../../src/main/engine/pipelines/project-adapt'
import type { SessionHost } from '../../../src/main/engine/sessions/session-host'

interface Recorded {
  runDir: string
  steps: number
  method: Record<string, unknown>
  context?: unknown
  target: unknown[]
  init: unknown
}

let tmp: string
let sourceRunDir: string
let sourceCkpt: string

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, JSON.stringify(value))
}

/** A host whose 'adapt' sessions finish at once, leaving the last checkpoint a real stage leaves. */
function fakeHost(recorded: Recorded[]): SessionHost {
  const run = (name: string, input: { config: Recorded }) => {
    expect(name).toBe('adapt')
    const c = input.config
    recorded.push(c)
    const dir = `checkpoints/${String(c.steps).padStart(6, '0')}`
    writeJson(path.join(c.runDir, 'checkpoint.json'), { iteration: c.steps, dir })
    writeJson(path.join(c.runDir, dir, 'state.json'), {
      version: 1,
      kind: 'adaptation',
      iteration: c.steps,
      steps: { seg: c.steps, dMain: 0, dAux: 0 },
      losses: [],
    })
    return { result: Promise.resolve({ status: 'done' }), cancel: () => {} }
  }
  return { run } as unknown as SessionHost
}

function options(method: AdaptiveMethod): ProjectAdaptOptions {
  return {
    method,
    runDir: path.join(tmp, 'album-run'),
    seed: 0,
    iterations: 3,
    size: 32,
    batch: 2,
    width: 16,
    ndf: 16,
    backend: 'cpu' as ProjectAdaptOptions['backend'],
    numClasses: 21,
    source: [],
    target: [{ image: '/a.jpg', name: '1', group: 0 }],
    methodConfig: { seg: { lr: 0.01 } },
  }
}

async function chain(method: AdaptiveMethod): Promise<Recorded[]> {
  const recorded: Recorded[] = []
  const hooks = { signal: new AbortController().signal, onProgress: () => {}, onProblem: () => {} }
  const out = await runAdaptStages(options(method), sourceRunDir, hooks, fakeHost(recorded))
  expect(out).toEqual({ status: 'done', stops: [] })
  return recorded
}

const stage = (name: string): string => path.join(tmp, 'album-run', 'adapt', name)
const seg = { lr: 0.01 }

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-stage-chain-'))
  sourceRunDir = path.join(tmp, 'source-run')
  sourceCkpt = path.join(sourceRunDir, 'checkpoints', '000010')
  writeJson(path.join(sourceRunDir, 'checkpoint.json'), { iteration: 10, dir: 'checkpoints/000010' })
  writeJson(path.join(sourceCkpt, 'state.json'), {
    version: 1,
    iteration: 10,
    optimizer: { kind: 'sgd', step: 10 },
    rng: { seed: 0, nextIteration: 11 },
    losses: [],
  })
})

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('adaptation stage chain', () => {
  it('a one-stage method trains its registry kind from the source checkpoint', async () => {
    const [only, ...rest] = await chain('advent')
    expect(rest).toEqual([])
    expect(only).toMatchObject({
      runDir: stage('advent'),
      steps: 3,
      method: { kind: 'advent', seg },
      init: { kind: 'checkpoint', dir: sourceCkpt },
    })
    expect(only!.context).toBeUndefined()
  })

  it('mrnet: stage 1 from the source, stage 2 from stage 1', async () => {
    const runs = await chain('mrnet')
    expect(runs.map((r) => [r.runDir, r.method.kind, r.method.stage, r.init])).toEqual([
      [stage('mrnet-s1'), 'mrnet', 1, { kind: 'checkpoint', dir: sourceCkpt }],
      [stage('mrnet-s2'), 'mrnet', 2, { kind: 'adapt-run', runDir: stage('mrnet-s1') }],
    ])
    expect(runs.every((r) => r.context === undefined)).toBe(true)
  })

  it('pss: OURS-S1 from the source checkpoint itself, OURS-S2 from OURS-S1, both with the residual context', async () => {
    const runs = await chain('pss')
    // No PSS-only warm-up: the residual context module starts as the identity, so OURS-S1 starts from the
    // same source model and budget as every other method.
    expect(runs.map((r) => [r.runDir, r.steps, r.method.kind, r.target.length, r.init])).toEqual([
      [stage('pss-s1'), 3, 'pss-s1', 1, { kind: 'checkpoint', dir: sourceCkpt }],
      [stage('pss-s2'), 3, 'pss-s2', 1, { kind: 'adapt-run', runDir: stage('pss-s1') }],
    ])
    expect(runs.map((r) => r.context)).toEqual(Array(2).fill({ variant: 'ours', fusion: 'residual' }))
    expect(runs.map((r) => r.method.seg)).toEqual([seg, seg])
  })
})
