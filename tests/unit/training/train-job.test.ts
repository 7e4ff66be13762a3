/**
 * Training as a job of the persistent queue: progress streamed into the jobs table, the job's cancel
 * stops the worker, the run folder lives under <project>/runs/<id>/, and a resume job continues from the
 * last checkpoint with the config from run.json.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { JobQueue } from '../../../src/main/jobs/job-queue'
import { Project } from '../../../src/main/project/project'
import type { JobRecord } from '../../../src/shared/domain'
import { enqueueTrainJob, runDirFor, type TrainJobResult } from '../../../src/main/engine/worker'
import { latestCheckpoint } from '../../../src/main/engine/runs'
import { TempDirs } from '../project/fixtures'

const tmp = new TempDirs()
let project: Project
let queue: JobQueue
let events: JobRecord[]

beforeEach(() => {
  project = Project.create(path.join(tmp.make(), 'p'))
  events = []
  queue = new JobQueue(project.db, { writeIntervalMs: 0, onChange: (j) => events.push(j) })
})

afterEach(async () => {
  await queue.close()
  if (project.isOpen) project.close()
  tmp.cleanup()
})

const CONFIG = { seed: 3, steps: 8, batch: 2, size: 64, width: 16, checkpointEvery: 4 }

describe('train job', () => {
  it('streams progress, cancels, and resumes from the last checkpoint under <project>/runs/<id>/', async () => {
    const runsRoot = project.paths.runs
    const job = enqueueTrainJob(queue, { runsRoot, runId: 'run-1', config: CONFIG })
    expect(job).toMatchObject({ kind: 'train', status: 'queued', title: 'Train run run-1' })
    // Cancel through the queue once iteration 5 is reported (the iteration-4 checkpoint is on disk).
    const stop = queue.settled(job.id)
    const off = setInterval(() => {
      if (queue.get(job.id).progress.done >= 5) {
        clearInterval(off)
        queue.cancel(job.id)
      }
    }, 5)
    const cancelled = await stop
    clearInterval(off)
    expect(cancelled.status).toBe('cancelled')
    const runDir = runDirFor(runsRoot, 'run-1')
    expect(runDir).toBe(path.join(project.root, 'runs', 'run-1'))
    expect(fs.existsSync(path.join(runDir, 'run.json'))).toBe(true)
    const stoppedAt = (cancelled.result as TrainJobResult | null)?.iteration ?? cancelled.progress.done
    expect(stoppedAt).toBeGreaterThanOrEqual(5)
    expect(stoppedAt).toBeLessThan(8)
    expect(latestCheckpoint(runDir)?.state.iteration).toBe(4)
    const progress = events.filter((e) => e.id === job.id && e.status === 'running')
    expect(progress.some((e) => /^loss \d+\.\d{4} · [\d.]+ images\/s$/.test(e.progress.message))).toBe(true)

    const again = enqueueTrainJob(queue, { runsRoot, runId: 'run-1', resume: true })
    const done = await queue.settled(again.id)
    expect(done.status).toBe('done')
    const r = done.result as TrainJobResult
    expect(r).toMatchObject({ runDir, status: 'done', iteration: 8, lastCheckpoint: 8 })
    expect(done.progress).toMatchObject({ done: 8, total: 8, etaSeconds: 0 })
    // The resumed job starts its progress at the checkpoint, not at 0.
    const resumedAt = events.find((e) => e.id === again.id && e.progress.message.startsWith('resumed'))
    expect(resumedAt?.progress).toMatchObject({ done: 4, total: 8, message: 'resumed at 4 · backend wasm' })
    expect(latestCheckpoint(runDir)?.state.losses.map((l) => l.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  }, 60_000)

  it('refuses a run id that is not a plain folder name, before any job exists', () => {
    for (const bad of ['../x', 'a/b', '', '.hidden', 'x'.repeat(65)]) {
      expect(() =>
        enqueueTrainJob(queue, { runsRoot: project.paths.runs, runId: bad, config: CONFIG }),
      ).toThrow(/run id .* is not valid/)
    }
    expect(queue.list(10)).toEqual([])
  })

  it('fails the job with a message naming run.json when resuming a run that does not exist', async () => {
    const job = enqueueTrainJob(queue, { runsRoot: project.paths.runs, runId: 'nope', resume: true })
    const r = await queue.settled(job.id)
    expect(r.status).toBe('failed')
    expect(r.error).toContain(path.join(project.paths.runs, 'nope', 'run.json'))
  })
})
