/**
 * A run cut off by a crash resumes when the project is opened again: a child process starts a No-DA run
 * and is killed (SIGKILL) once the source training has written a checkpoint; the studio that opens the
 * project next queues the run again, the source training continues from that checkpoint (not from 0),
 * and the run ends with its metrics stored.
 */
import type { ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SOURCE_CHECKPOINT_EVERY } from '../../../src/main/app/run-jobs'
import { Studio } from '../../../src/main/app/studio'
import { demoProjectWithRunnableAlbum, killHard, startRunChild, until } from '../server/helpers'

const ITERATIONS = 3 * SOURCE_CHECKPOINT_EVERY
let tmp = ''
let project = ''
let albumId = 0
let child: ChildProcess | null = null
const savedBackend = process.env.PSS_BACKEND

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-run-resume-'))
  process.env.PSS_BACKEND = 'wasm'
  ;({ project, albumId } = await demoProjectWithRunnableAlbum(tmp))
}, 120_000)

afterAll(() => {
  child?.kill('SIGKILL')
  if (savedBackend === undefined) delete process.env.PSS_BACKEND
  else process.env.PSS_BACKEND = savedBackend
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

/** Checkpoint folders are named by the zero-padded iteration (engine/runs/checkpoint.ts). */
const ckptName = (iteration: number): string => String(iteration).padStart(6, '0')

/** The first checkpoint folder any source run has finished writing, or null. */
function firstCheckpoint(): string | null {
  const runs = path.join(project, 'runs')
  if (!fs.existsSync(runs)) return null
  for (const id of fs.readdirSync(runs)) {
    const dir = path.join(runs, id, 'checkpoints', ckptName(SOURCE_CHECKPOINT_EVERY))
    if (fs.existsSync(path.join(dir, 'weights.bin'))) return path.join(runs, id)
  }
  return null
}

describe('resume after a crash', () => {
  it('continues an interrupted run from the source checkpoint when the project is reopened', async () => {
    const spawned = await startRunChild(project, albumId, ITERATIONS, 32)
    child = spawned.child
    const { started } = spawned
    const sourceDir = await until(firstCheckpoint, 120_000, 'the first source checkpoint', 100)
    await killHard(child)
    child = null
    // Killed mid-training: the run never reached its last iteration.
    const run0 = JSON.parse(fs.readFileSync(path.join(sourceDir, 'run.json'), 'utf8')) as {
      starts: unknown[]
    }
    expect(run0.starts).toHaveLength(1)
    expect(fs.existsSync(path.join(sourceDir, 'checkpoints', ckptName(ITERATIONS)))).toBe(false)

    const studio = new Studio({ mode: 'cli', homeDir: path.join(tmp, 'home') })
    try {
      await studio.openProjectPath(project)
      const resumed = await studio.api.getRun({ runId: started.runId })
      expect(resumed.status).toBe('running')
      const jobs = await studio.api.listJobs({})
      const job = jobs.find((j) => j.kind === 'run' && j.status !== 'failed')!
      expect(job.title).toMatch(/^Resume /)
      const ended = await studio.currentJobs().settled(job.id)
      expect(ended.status, ended.error ?? '').toBe('done')
      const run = await studio.api.getRun({ runId: started.runId })
      expect(run.status).toBe('done')
      expect(run.metrics!.images).toBeGreaterThan(0)
      const runFile = JSON.parse(fs.readFileSync(path.join(sourceDir, 'run.json'), 'utf8')) as {
        starts: { fromIteration: number }[]
      }
      expect(runFile.starts).toHaveLength(2)
      expect(runFile.starts[1]!.fromIteration).toBeGreaterThanOrEqual(SOURCE_CHECKPOINT_EVERY)
      expect(fs.existsSync(path.join(sourceDir, 'checkpoints', ckptName(ITERATIONS)))).toBe(true)
    } finally {
      await studio.close()
    }
  }, 300_000)
})
