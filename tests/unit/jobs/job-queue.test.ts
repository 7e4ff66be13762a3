import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { JobQueue, type JobQueueOptions } from '../../../src/main/jobs/job-queue'
import { Project } from '../../../src/main/project/project'
import type { JobRecord } from '../../../src/shared/domain'
import { TempDirs } from '../project/fixtures'

const tmp = new TempDirs()
let project: Project
let queues: JobQueue[] = []

beforeEach(() => {
  project = Project.create(path.join(tmp.make(), 'p'))
})
afterEach(async () => {
  for (const q of queues.splice(0)) await q.close()
  if (project.isOpen) project.close()
  tmp.cleanup()
})

function queue(opts: JobQueueOptions = {}): { q: JobQueue; events: JobRecord[] } {
  const events: JobRecord[] = []
  const q = new JobQueue(project.db, { writeIntervalMs: 0, ...opts, onChange: (j) => events.push(j) })
  queues.push(q)
  return { q, events }
}

/** A promise with its resolve exposed, to hold a job at a known point. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {}
  const promise = new Promise<void>((r) => (open = r))
  return { promise, open }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('JobQueue', () => {
  it('runs a job through queued → running → done, storing its result', async () => {
    const { q, events } = queue()
    const job = q.enqueue({ kind: 'test', title: 'Test job', args: { a: 1 } }, async () => ({ answer: 42 }))
    expect(job).toMatchObject({ status: 'queued', kind: 'test', title: 'Test job', startedAt: null })
    const done = await q.settled(job.id)
    expect(done).toMatchObject({ status: 'done', result: { answer: 42 }, error: null })
    expect(done.startedAt).not.toBeNull()
    expect(done.finishedAt).not.toBeNull()
    expect(events.map((e) => e.status)).toEqual(['queued', 'running', 'done'])
    expect(q.list(10).map((j) => j.id)).toEqual([job.id])
    expect(project.db.prepare('SELECT args FROM jobs').get()).toEqual({ args: '{"a":1}' })
  })

  it('records a thrown error as failed with its message', async () => {
    const { q } = queue()
    const job = q.enqueue({ kind: 'test', title: 't' }, async () => {
      throw new Error('photo.jpg: not a JPEG')
    })
    expect(await q.settled(job.id)).toMatchObject({
      status: 'failed',
      error: 'photo.jpg: not a JPEG',
      result: null,
    })
  })

  it('computes rate and ETA from progress over time', async () => {
    let now = 0
    const { q } = queue({ now: () => now })
    const g = gate()
    const job = q.enqueue({ kind: 'test', title: 't' }, async (ctx) => {
      ctx.progress({ done: 0, total: 100, message: 'importing' })
      now = 1000
      ctx.progress({ done: 10 })
      now = 2000
      ctx.progress({ done: 20 })
      await g.promise
      return null
    })
    while (q.get(job.id).progress.done < 20) await sleep(5)
    expect(q.get(job.id).progress).toEqual({
      done: 20,
      total: 100,
      rate: 10,
      etaSeconds: 8,
      message: 'importing',
    })
    g.open()
    expect((await q.settled(job.id)).progress).toMatchObject({ done: 20, etaSeconds: 0 })
  })

  it('throttles progress writes but keeps the last value', async () => {
    const { q, events } = queue({ writeIntervalMs: 200 })
    const g = gate()
    const job = q.enqueue({ kind: 'test', title: 't' }, async (ctx) => {
      for (let i = 1; i <= 1000; i++) ctx.progress({ done: i, total: 1000 })
      await g.promise
      return null
    })
    await sleep(400) // longer than the interval: the trailing write has happened
    const running = events.filter((e) => e.status === 'running')
    expect(running.length).toBeGreaterThanOrEqual(2)
    expect(running.length).toBeLessThanOrEqual(3)
    expect(q.get(job.id).progress.done).toBe(1000)
    g.open()
    await q.settled(job.id)
  })

  it('caps stored problems and counts them all', async () => {
    const { q } = queue({ maxProblems: 5 })
    const job = q.enqueue({ kind: 'test', title: 't' }, async (ctx) => {
      for (let i = 0; i < 12; i++) ctx.problem({ file: `f${i}.jpg`, reason: 'unreadable' })
      return null
    })
    const r = await q.settled(job.id)
    expect(r.problemCount).toBe(12)
    expect(r.problems.map((p) => p.file)).toEqual(['f0.jpg', 'f1.jpg', 'f2.jpg', 'f3.jpg', 'f4.jpg'])
  })

  it('runs one job at a time per queue, different queues side by side', async () => {
    const { q } = queue()
    const log: string[] = []
    const g = gate()
    const a = q.enqueue({ kind: 'import', title: 'a' }, async () => {
      log.push('a start')
      await g.promise
      log.push('a end')
    })
    const b = q.enqueue({ kind: 'import', title: 'b' }, async () => {
      log.push('b start')
    })
    const c = q.enqueue({ kind: 'train', title: 'c' }, async () => {
      log.push('c start')
    })
    await q.settled(c.id)
    expect(q.get(b.id).status).toBe('queued')
    g.open()
    await q.settled(b.id)
    expect(log).toEqual(['a start', 'c start', 'a end', 'b start'])
    expect(q.get(a.id).status).toBe('done')
  })

  it('cancels a queued job at once, without running it', async () => {
    const { q } = queue()
    const g = gate()
    const a = q.enqueue({ kind: 'k', title: 'a' }, async () => g.promise)
    let ran = false
    const b = q.enqueue({ kind: 'k', title: 'b' }, async () => {
      ran = true
    })
    const cancelled = q.cancel(b.id)
    expect(cancelled.status).toBe('cancelled')
    expect(cancelled.finishedAt).not.toBeNull()
    g.open()
    await q.settled(a.id)
    await q.idle()
    expect(ran).toBe(false)
    expect(q.cancel(b.id).status).toBe('cancelled') // idempotent
  })

  it('cancels a running job through its signal, keeping what it returned', async () => {
    const { q } = queue()
    const job = q.enqueue({ kind: 'k', title: 'a' }, async (ctx) => {
      let done = 0
      while (!ctx.cancelled()) {
        ctx.progress({ done: ++done, total: 1e9 })
        await sleep(2)
      }
      expect(ctx.signal.aborted).toBe(true)
      return { imported: done }
    })
    while (q.get(job.id).status !== 'running') await sleep(2)
    await sleep(20)
    expect(q.cancel(job.id).progress.message).toBe('cancelling…')
    const r = await q.settled(job.id)
    expect(r.status).toBe('cancelled')
    expect((r.result as { imported: number }).imported).toBeGreaterThan(0)
  })

  it('a job that throws after being cancelled ends cancelled, not failed', async () => {
    const { q } = queue()
    const job = q.enqueue(
      { kind: 'k', title: 'a' },
      (ctx) =>
        new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))),
    )
    while (q.get(job.id).status !== 'running') await sleep(2)
    q.cancel(job.id)
    expect(await q.settled(job.id)).toMatchObject({ status: 'cancelled', error: null })
  })

  it('on reopen, jobs left running or queued by a crashed app are failed as interrupted', async () => {
    const { q } = queue()
    const never = new Promise<void>(() => {})
    const running = q.enqueue({ kind: 'k', title: 'a' }, async () => never)
    const queued = q.enqueue({ kind: 'k', title: 'b' }, async () => never)
    while (q.get(running.id).status !== 'running') await sleep(2)
    // The app dies: no queue.close(), the database just goes away.
    queues = []
    const root = project.root
    project.close()
    project = Project.open(root)
    const { q: q2, events } = queue()
    const recovered = q2.recoverInterrupted()
    expect(recovered.map((r) => [r.id, r.status, r.error])).toEqual([
      [running.id, 'failed', 'interrupted (the app closed while it ran)'],
      [queued.id, 'failed', 'interrupted (the app closed before it started)'],
    ])
    expect(events).toHaveLength(2)
    expect(q2.get(running.id).finishedAt).not.toBeNull()
  })

  it('close() stops running jobs; one that ignores cancel is recorded after the timeout', async () => {
    const { q } = queue({ closeTimeoutMs: 100 })
    const polite = q.enqueue(
      { kind: 'a', title: 'polite' },
      (ctx) => new Promise((r) => ctx.signal.addEventListener('abort', () => r('stopped'))),
    )
    const stubborn = q.enqueue({ kind: 'b', title: 'stubborn' }, () => new Promise(() => {}))
    const waiting = q.enqueue({ kind: 'b', title: 'waiting' }, async () => 1)
    while (q.get(stubborn.id).status !== 'running' || q.get(polite.id).status !== 'running') await sleep(2)
    await q.close()
    expect(q.get(polite.id)).toMatchObject({ status: 'cancelled', result: 'stopped' })
    expect(q.get(stubborn.id)).toMatchObject({
      status: 'cancelled',
      error: expect.stringMatching(/did not stop in time/),
    })
    expect(q.get(waiting.id).status).toBe('cancelled')
    expect(() => q.enqueue({ kind: 'a', title: 'late' }, async () => 1)).toThrow(/closed/)
  })

  it('unknown job ids are NOT_FOUND', () => {
    const { q } = queue()
    expect(() => q.get(5)).toThrow('job 5 does not exist')
    expect(() => q.cancel(5)).toThrow('job 5 does not exist')
  })
})
