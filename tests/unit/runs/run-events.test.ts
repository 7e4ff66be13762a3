/**
 * A real tiny No-DA run in the studio pushes `run` events: one `started`, progress events whose `done`
 * grows within each phase (training counts steps up to its total), the same live numbers the run record
 * holds, and exactly one `ended` with the final status, after which the record is read once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunEvent } from '../../../src/shared/runs'
import { albumWithMasks, openDemoStudio, type DemoStudio } from './fixtures/demo-studio'

const ITERATIONS = 40
let demo: DemoStudio

beforeAll(async () => {
  demo = await openDemoStudio('pss-run-events-')
}, 120_000)

afterAll(async () => {
  await demo?.close()
})

describe('run events', () => {
  it('a running run emits started, growing progress and one ended event', async () => {
    const { studio } = demo
    const events: RunEvent[] = []
    studio.on('run', (e) => events.push(e))
    const albumId = albumWithMasks(demo.albums)
    const started = await studio.api.startRun({ albumId, method: 'noda', iterations: ITERATIONS, size: 32 })
    const job = await studio.currentJobs().settled(started.jobId)
    expect(job.status, job.error ?? '').toBe('done')

    const mine = events.filter((e) => e.runId === started.runId)
    expect(mine.every((e) => e.albumId === albumId)).toBe(true)
    expect(mine[0]).toEqual({
      runId: started.runId,
      albumId,
      change: 'started',
      status: 'running',
      live: null,
    })
    expect(mine.filter((e) => e.change === 'ended')).toEqual([
      { runId: started.runId, albumId, change: 'ended', status: 'done', live: null },
    ])
    expect(mine.at(-1)!.change).toBe('ended')

    const progress = mine.filter((e) => e.change === 'progress')
    expect(progress.every((e) => e.status === 'running' && e.live !== null)).toBe(true)
    // Within a phase, done never goes back.
    for (let i = 1; i < progress.length; i++) {
      const [a, b] = [progress[i - 1]!.live!, progress[i]!.live!]
      if (a.phase === b.phase) expect(b.done, `${b.phase} went back`).toBeGreaterThanOrEqual(a.done)
    }
    // Training reports steps, growing up to the iterations asked for.
    const train = progress.map((e) => e.live!).filter((l) => l.phase === 'source' && l.unit === 'steps')
    expect(train.length).toBeGreaterThan(1)
    expect(train.at(-1)!.done).toBeGreaterThan(train[0]!.done)
    expect(train.every((l) => l.total === ITERATIONS && l.done <= ITERATIONS)).toBe(true)
    expect(train.some((l) => typeof l.loss === 'number' && Number.isFinite(l.loss))).toBe(true)

    const run = await studio.api.getRun({ runId: started.runId })
    expect(run.status).toBe('done')
    expect(run.live).toBeNull()
  }, 300_000)
})
