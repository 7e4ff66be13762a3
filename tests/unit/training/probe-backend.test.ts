/**
 * The backend report, from a real worker thread (issue 3, item 1): which backend the engine trains on,
 * why the better ones were skipped and how to get them — and the run record that keeps it.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeRequire } from '../../../src/main/engine/backend/node-require'
import { backendSummary, probeBackend, resolveForceAlias } from '../../../src/main/engine/api'
import { parseTrainConfig, readRunFile, runTraining } from '../../../src/main/engine/runs'

function installed(pkg: string): boolean {
  try {
    nodeRequire().resolve(pkg)
    return true
  } catch {
    return false
  }
}
const NATIVE = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node')

let tmp = ''
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-probe-'))
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe('probeBackend (worker thread)', () => {
  it.skipIf(NATIVE)('picks wasm here and says why tfjs-node-gpu and tfjs-node were skipped', async () => {
    const r = await probeBackend()
    expect(r).toMatchObject({ name: 'wasm', tfBackend: 'wasm', forced: false })
    expect(r.device).toMatch(/WebAssembly/)
    expect(r.trainingKernels).toContain('Conv2DBackpropFilter')
    expect(r.reasons[0]).toMatch(/^tfjs-node-gpu: not installed/)
    expect(r.reasons[0]).toContain('CUDA 11.2 + cuDNN 8.1')
    expect(r.reasons[1]).toMatch(/^tfjs-node: not installed/)

    const s = backendSummary(r)
    expect(s.name).toBe('wasm')
    expect(s.notes).toHaveLength(r.reasons.length + 1)
    expect(s.notes.at(-1)).toMatch(
      /^chosen automatically; the project's training kernels: Conv2DBackpropFilter/,
    )
  })

  it('honours a forced backend; a forced GPU backend that is missing rejects with "not available"', async () => {
    const cpu = await probeBackend({ force: 'cpu' })
    expect(cpu).toMatchObject({ name: 'cpu', forced: true })
    expect(cpu.reasons).toEqual(['forced by the backend setting: cpu'])
    expect(resolveForceAlias('GPU')).toBe('tfjs-node-gpu')
    if (installed('@tensorflow/tfjs-node-gpu')) return
    await expect(probeBackend({ force: 'gpu' })).rejects.toThrow(
      /^The forced backend 'tfjs-node-gpu' is not available: tfjs-node-gpu: not installed/,
    )
  })

  it('a name that is not a backend rejects with the allowed names', async () => {
    await expect(probeBackend({ force: 'webgpu' })).rejects.toThrow(
      /is not a backend; allowed: tfjs-node-gpu/,
    )
  })
})

describe('run record', () => {
  it('run.json records each start of a run with its backend report', async () => {
    const runDir = path.join(tmp, 'run-a')
    const config = parseTrainConfig({
      runDir,
      seed: 3,
      steps: 2,
      batch: 2,
      size: 64,
      width: 16,
      lr: 0.01,
      checkpointEvery: 1,
      backend: 'wasm',
    })
    let done = 0
    const hooks = {
      // The first start stops after one step (as a cancel would); the resume finishes the run.
      shouldStop: () => done === 1,
      onStarted: () => {},
      onProgress: () => void done++,
      onCheckpoint: () => {},
    }
    expect((await runTraining(config, false, hooks)).status).toBe('cancelled')
    done = 2
    expect((await runTraining(config, true, hooks)).status).toBe('done')
    const run = readRunFile(runDir)
    expect(run.starts).toHaveLength(2)
    expect(run.starts?.map((s) => s.fromIteration)).toEqual([0, 1])
    for (const s of run.starts ?? []) {
      expect(s.backend).toMatchObject({ name: 'wasm', tfBackend: 'wasm', forced: true })
      expect(s.backend.device).toMatch(/WebAssembly/)
      expect(Number.isNaN(Date.parse(s.at))).toBe(false)
    }
  })
})
