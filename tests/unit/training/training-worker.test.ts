/**
 * Training in a worker thread (issue 3, item 4): the main thread stays responsive while a run trains,
 * cancel stops within one step, a run killed mid-way resumes from its last checkpoint on the same loss
 * curve, a step leaks no tensors, and the loss falls. Real runs on the wasm backend: compact net, 64²,
 * batch 4, width 16, synthetic shapes.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  startTrainingWorker,
  type TrainingResult,
  type TrainingWorkerOptions,
} from '../../../src/main/engine/api'
import {
  checkResumable,
  latestCheckpoint,
  parseTrainConfig,
  runTraining,
  writeRunFile,
  type TrainProgress,
  type TrainStarted,
} from '../../../src/main/engine/runs'

const STEPS = 20
let tmp = ''

function config(runDir: string) {
  return {
    runDir,
    seed: 7,
    steps: STEPS,
    batch: 4,
    size: 64,
    width: 16,
    lr: 0.01,
    checkpointEvery: 4,
    backend: 'wasm',
  }
}

interface Recorded {
  started: TrainStarted[]
  progress: TrainProgress[]
  checkpoints: number[]
}

function recorder(): { rec: Recorded; opts: TrainingWorkerOptions } {
  const rec: Recorded = { started: [], progress: [], checkpoints: [] }
  return {
    rec,
    opts: {
      onStarted: (s) => rec.started.push(s),
      onProgress: (p) => rec.progress.push(p),
      onCheckpoint: (c) => rec.checkpoints.push(c.iteration),
    },
  }
}

function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12)
}

function lossAt(r: { losses: { iteration: number; loss: number }[] }, it: number): number {
  const p = r.losses.find((l) => l.iteration === it)
  if (!p) throw new Error(`no loss for iteration ${it}`)
  return p.loss
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-training-'))
})

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('training worker', () => {
  // The uninterrupted reference run; later tests compare against its loss curve.
  let reference: TrainingResult
  let refRec: Recorded

  it('trains in a worker while the main thread stays responsive; no leaks; the loss falls', async () => {
    const { rec, opts } = recorder()
    const h = monitorEventLoopDelay({ resolution: 10 })
    h.enable()
    const t0 = performance.now()
    reference = await startTrainingWorker(config(path.join(tmp, 'reference')), opts).result
    const wallMs = performance.now() - t0
    h.disable()
    refRec = rec
    const p99 = h.percentile(99) / 1e6
    const stepMs = rec.progress.slice(2).map((p) => p.msPerStep)
    const meanStep = stepMs.reduce((a, b) => a + b, 0) / stepMs.length
    console.log(
      `[training-worker] ${STEPS} steps in ${(wallMs / 1000).toFixed(1)} s (worker start included); ` +
        `mean ${meanStep.toFixed(0)} ms/step in the worker (steps 3..${STEPS}); ` +
        `main-thread event-loop delay p99 ${p99.toFixed(1)} ms, max ${(h.max / 1e6).toFixed(1)} ms`,
    )

    expect(reference.status).toBe('done')
    expect(reference.iteration).toBe(STEPS)
    expect(rec.started[0]?.backend.name).toBe('wasm')
    expect(rec.started[0]?.fromIteration).toBe(0)
    expect(rec.progress.map((p) => p.iteration)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1))
    expect(rec.checkpoints).toEqual([4, 8, 12, 16, 20])
    // Each step blocks its thread for ≥ 100 ms (see the main-thread contrast below); here it is the
    // worker's thread, so the main thread's timers keep running on time.
    expect(p99).toBeLessThan(50)

    // Progress carries rate and ETA; the ETA reaches 0 at the last step.
    for (const p of rec.progress) {
      expect(p.imagesPerSecond).toBeGreaterThan(0)
      expect(p.etaSeconds).toBeGreaterThanOrEqual(0)
    }
    expect(rec.progress.at(-1)?.etaSeconds).toBe(0)

    // No tensor leak: the count after a step equals the count before it. The first step of a fresh run
    // is the exception that proves the rule: it creates the momentum buffers (one per trainable variable).
    const [first, ...rest] = rec.progress
    expect(first && first.tensorsAfter - first.tensorsBefore).toBeGreaterThan(0)
    for (const p of rest) expect(p.tensorsAfter, `iteration ${p.iteration}`).toBe(p.tensorsBefore)

    // The loss falls: mean of the last 5 steps well below the mean of the first 5.
    const losses = reference.losses.map((l) => l.loss)
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length
    expect(mean(losses.slice(-5))).toBeLessThan(0.7 * mean(losses.slice(0, 5)))
  }, 60_000)

  it('cancel stops within one step and resolves with status cancelled; same seed, same losses', async () => {
    const { rec, opts } = recorder()
    let cancelledAt = -1
    const handle = startTrainingWorker(config(path.join(tmp, 'cancelled')), {
      ...opts,
      onProgress: (p) => {
        rec.progress.push(p)
        if (p.iteration === 3) {
          cancelledAt = p.iteration
          handle.cancel()
        }
      },
    })
    const r = await handle.result
    expect(r.status).toBe('cancelled')
    expect(cancelledAt).toBe(3)
    // The message lands between steps: at most the step already under way completes.
    expect(r.iteration).toBeGreaterThanOrEqual(3)
    expect(r.iteration).toBeLessThanOrEqual(4)
    expect(rec.progress.at(-1)?.iteration).toBe(r.iteration)
    // Seeded: the same config gives the same loss curve, bit for bit.
    for (const l of r.losses) expect(l.loss).toBe(lossAt(reference, l.iteration))
  }, 30_000)

  it('a run killed at iteration 10 resumes from its iteration-8 checkpoint on the same loss curve', async () => {
    const runDir = path.join(tmp, 'killed')
    const cfg = config(runDir)
    const first = recorder()
    const handle = startTrainingWorker(cfg, {
      ...first.opts,
      onProgress: (p) => {
        first.rec.progress.push(p)
        if (p.iteration === 10) void handle.terminate()
      },
    })
    const killed = await handle.result
    expect(killed.status).toBe('killed')
    expect(killed.iteration).toBeGreaterThanOrEqual(10)
    expect(killed.iteration).toBeLessThan(12)
    expect(first.rec.checkpoints).toEqual([4, 8])
    expect(latestCheckpoint(runDir)?.state.iteration).toBe(8)

    const second = recorder()
    const resumed = await startTrainingWorker(cfg, { ...second.opts, resume: true }).result
    expect(resumed.status).toBe('done')
    expect(second.rec.started[0]?.fromIteration).toBe(8)
    expect(second.rec.started[0]?.resumedFrom).toBe(path.join(runDir, 'checkpoints', '000008'))
    expect(second.rec.progress[0]?.iteration).toBe(9)
    // Restored optimiser slots: no new tensors even on the resumed run's first step.
    for (const p of second.rec.progress) expect(p.tensorsAfter).toBe(p.tensorsBefore)
    expect(second.rec.checkpoints).toEqual([12, 16, 20])

    // Iterations 9..20 after the restart follow the uninterrupted run (brief tolerance 1e-4 relative).
    const worst = Math.max(...second.rec.progress.map((p) => relDiff(p.loss, lossAt(reference, p.iteration))))
    console.log(`[training-worker] resumed vs uninterrupted, iterations 9..${STEPS}: max rel diff ${worst}`)
    expect(second.rec.progress.map((p) => p.iteration)).toEqual(
      refRec.progress.filter((p) => p.iteration >= 9).map((p) => p.iteration),
    )
    expect(worst).toBeLessThanOrEqual(1e-4)
    // A resume that would not continue the same run fails in the worker with a message naming run.json.
    await expect(startTrainingWorker({ ...cfg, seed: 8 }, { resume: true }).result).rejects.toThrow(
      `training failed: ${path.join(runDir, 'run.json')}: cannot resume with a different configuration (seed 7 → 8)`,
    )
    // The resumed result carries the whole curve: 1..8 from the checkpoint, 9..20 from the new worker.
    expect(resumed.losses.map((l) => l.iteration)).toEqual(reference.losses.map((l) => l.iteration))
  }, 60_000)
})

describe('the responsiveness check can fail', () => {
  it('the same loop on the main thread blocks its event loop far beyond 50 ms', async () => {
    // Not a benchmark: this shows the p99 < 50 ms assertion above measures the design (training off the
    // main thread), by running the identical loop here for a few steps.
    const h = monitorEventLoopDelay({ resolution: 10 })
    let ms = 0
    const cfg = parseTrainConfig({ ...config(path.join(tmp, 'main-thread')), steps: 4, checkpointEvery: 0 })
    const r = await runTraining(cfg, false, {
      shouldStop: () => false,
      onStarted: () => h.enable(),
      onProgress: (p) => (ms = p.msPerStep),
      onCheckpoint: () => {},
    })
    h.disable()
    const p99 = h.percentile(99) / 1e6
    console.log(
      `[training-worker] on the main thread: p99 ${p99.toFixed(1)} ms, last step ${ms.toFixed(0)} ms`,
    )
    expect(r.status).toBe('done')
    expect(p99).toBeGreaterThan(50)
  }, 30_000)
})

describe('run configuration', () => {
  it('names the bad fields of a config', () => {
    expect(() => parseTrainConfig({ runDir: '/x', seed: 1, steps: 0, size: 60 })).toThrow(
      /Invalid training config: steps: .*; size: size must be a multiple of 8/,
    )
    expect(() => startTrainingWorker({ runDir: '', seed: 1, steps: 5 })).toThrow(/runDir/)
  })

  it('refuses to resume a run folder with a different seed or schedule, naming run.json', () => {
    const runDir = path.join(tmp, 'identity')
    writeRunFile(parseTrainConfig(config(runDir)))
    expect(() => checkResumable(parseTrainConfig({ ...config(runDir), seed: 8, lr: 0.02 }))).toThrow(
      `${path.join(runDir, 'run.json')}: cannot resume with a different configuration (seed 7 → 8, lr 0.01 → 0.02)`,
    )
    expect(() => checkResumable(parseTrainConfig({ ...config(runDir), checkpointEvery: 2 }))).not.toThrow()
    expect(latestCheckpoint(runDir)).toBeNull()
    expect(() => writeRunFile(parseTrainConfig(config(runDir)))).toThrow(
      `${path.join(runDir, 'run.json')}: this folder already holds a run: resume it or use a new run folder`,
    )
  })
})
