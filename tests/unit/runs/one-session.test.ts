/**
 * A studio run is ONE engine worker session (issue 15 item 4): source training, the method's stages,
 * snapshot evaluation and choice, the album prediction and the scoring all run in the worker the run job
 * starts. Checked on No-DA and ADVENT with held-out selection:
 *   - the process spawns exactly one engine worker for the run (engine/api's engineWorkerSpawns counter);
 *   - the album is predicted once: in the run session's own progress stream (every event, caught where the
 *     job starts the session; the studio's run events are throttled) the 'predict' phase starts once, after
 *     the last 'snapshots' event, and its count never goes back; every album image has one label PNG,
 *     written after the last snapshot prediction (so the album was not predicted before the choice and again
 *     after it); and the run's metrics are the chosen snapshot's;
 *   - the plan the job hands the session is plain data (it survives JSON unchanged).
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { engineWorkerSpawns, type ChainProgress } from '../../../src/main/engine/api'
import type { RunMethod } from '../../../src/shared/runs'
import { albumWithMasks, openDemoStudio, type DemoStudio } from './fixtures/demo-studio'

/** What the run job sent to and got from its `run` session: the plans, and every progress event in order. */
const seen = vi.hoisted(() => ({ plans: [] as unknown[], progress: [] as ChainProgress[] }))

vi.mock('../../../src/main/engine/api', async (importOriginal) => {
  const api = await importOriginal<typeof import('../../../src/main/engine/api')>()
  type Start = (name: string, input: unknown, opts?: Record<string, unknown>) => unknown
  const start = api.startSession as unknown as Start
  const startSession: Start = (name, input, opts = {}) => {
    if (name !== 'run') return start(name, input, opts)
    seen.plans.push(input)
    const onProgress = opts.onProgress as ((p: ChainProgress) => void) | undefined
    return start(name, input, {
      ...opts,
      onProgress: (p: ChainProgress) => {
        seen.progress.push(p)
        onProgress?.(p)
      },
    })
  }
  return { ...api, startSession }
})

let demo: DemoStudio
let albumId = 0

beforeAll(async () => {
  demo = await openDemoStudio('pss-one-session-')
  albumId = albumWithMasks(demo.albums, 2)
}, 120_000)

afterAll(async () => {
  await demo?.close()
})

/** Label PNGs (not the colour ones) under a folder, recursively, with their modification times. */
function labelPngs(dir: string): { file: string; mtimeMs: number }[] {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.png') && !f.endsWith('_color.png'))
    .map((f) => ({ file: f, mtimeMs: fs.statSync(path.join(dir, f)).mtimeMs }))
}

async function runAndCount(method: RunMethod, extra: Record<string, unknown>) {
  const { studio } = demo
  seen.plans.length = 0
  seen.progress.length = 0
  const before = engineWorkerSpawns()
  const started = await studio.api.startRun({
    albumId,
    method,
    iterations: 4,
    size: 32,
    snapshotEvery: 2,
    selection: 'heldout',
    ...extra,
  })
  const job = await studio.currentJobs().settled(started.jobId)
  const spawned = engineWorkerSpawns() - before
  expect(job.status, job.error ?? '').toBe('done')
  expect(seen.plans).toHaveLength(1)
  expect(JSON.parse(JSON.stringify(seen.plans[0]))).toEqual(seen.plans[0])
  return { runId: started.runId, spawned, live: [...seen.progress] }
}

async function checkOnePrediction(runId: number, live: ChainProgress[]) {
  const { studio } = demo
  const predict = live.filter((l) => l.phase === 'predict')
  // One pass: the phase starts (done 0) once, its count only grows, and it ends at the album's size.
  expect(predict.filter((l) => l.done === 0)).toHaveLength(1)
  for (let i = 1; i < predict.length; i++)
    expect(predict[i]!.done, 'the predict phase went back').toBeGreaterThanOrEqual(predict[i - 1]!.done)
  const album = (await studio.api.listAlbums({})).find((a) => a.id === albumId)!
  expect(predict.at(-1)!.done).toBe(album.imageCount)
  // The album prediction comes after the snapshot choice, never before it.
  const lastSnapshotEvent = live.findLastIndex((l) => l.phase === 'snapshots')
  const firstPredictEvent = live.findIndex((l) => l.phase === 'predict')
  expect(lastSnapshotEvent).toBeGreaterThanOrEqual(0)
  expect(firstPredictEvent).toBeGreaterThan(lastSnapshotEvent)

  const runDir = path.join(studio.currentProject().paths.runs, String(runId))
  const predictions = labelPngs(path.join(runDir, 'predictions'))
  expect(predictions).toHaveLength(album.imageCount)
  const snapshots = labelPngs(path.join(runDir, 'snapshots'))
  expect(snapshots.length).toBeGreaterThan(0)
  const lastSnapshotWrite = Math.max(...snapshots.map((s) => s.mtimeMs))
  expect(Math.min(...predictions.map((p) => p.mtimeMs))).toBeGreaterThanOrEqual(lastSnapshotWrite)
  // No folder of a second prediction pass (a re-prediction swaps one in).
  expect(fs.readdirSync(runDir).filter((f) => f.startsWith('predictions.'))).toEqual([])

  // The album was predicted with the chosen snapshot: the run's score is that snapshot's on the full split.
  const run = await studio.api.getRun({ runId })
  const snaps = await studio.api.runSnapshots({ runId })
  const chosen = snaps.points.find(
    (p) => p.iteration === snaps.choice!.iteration && p.stage === snaps.choice!.stage,
  )!
  expect(snaps.choice!.mode).toBe('heldout')
  expect(run.metrics!.fiou).toBeCloseTo(chosen.parts.full!.fiou, 12)
  return { run, snaps }
}

describe('a studio run is one worker session', () => {
  it('No-DA: one engine worker, one album prediction with the held-out choice', async () => {
    const { runId, spawned, live } = await runAndCount('noda', {})
    expect(spawned).toBe(1)
    const { snaps } = await checkOnePrediction(runId, live)
    expect(snaps.points.map((p) => p.iteration)).toEqual([2, 4])
  }, 300_000)

  it('ADVENT: one engine worker for the stage, the snapshots and the source candidate; one prediction', async () => {
    const { runId, spawned, live } = await runAndCount('advent', { adaptIterations: 4 })
    expect(spawned).toBe(1)
    expect(live.some((l) => l.phase === 'adapt')).toBe(true)
    const { snaps } = await checkOnePrediction(runId, live)
    expect(snaps.points.map((p) => [p.stage, p.iteration])).toEqual([
      ['source-model', 0],
      ['advent', 2],
      ['advent', 4],
    ])
  }, 300_000)
})
