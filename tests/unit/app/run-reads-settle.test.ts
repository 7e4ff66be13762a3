/**
 * Reading runs never writes: runs whose job ended without them are settled once when the project opens
 * (and when a run job ends), each with a `run` ended event, so `getRun`/`listRuns` leave the database
 * untouched (SQLite's total_changes() is the same before and after). No model is trained here.
 */
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { JobsRepo } from '../../../src/main/jobs/jobs-repo'
import { Project } from '../../../src/main/project/project'
import { RunsRepo } from '../../../src/main/project/runs-repo'
import type { RunEvent } from '../../../src/shared/runs'
import { TempDirs } from '../project/fixtures'

const temp = new TempDirs()
const studios: Studio[] = []
afterEach(async () => {
  for (const s of studios.splice(0)) await s.close()
  temp.cleanup()
})

function totalChanges(p: Project): number {
  return (p.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n
}

/** A closed project holding an album run left 'running' by a job that failed, and a finished run. */
function projectWithOrphan(): { dir: string; orphan: number; done: number; albumId: number } {
  const dir = path.join(temp.make(), 'proj')
  const p = Project.create(dir)
  try {
    const albumId = p.importTarget.createAlbum('Trip', 'id1')
    const runs = new RunsRepo(p.db, p.paths)
    const jobs = new JobsRepo(p.db)
    const job = jobs.insert('run', 'crashed', {})
    jobs.finish(job.id, 'failed', null, 'interrupted: the studio crashed')
    const mk = (jobId: number | null): number =>
      runs.create({
        kind: 'album',
        method: 'noda',
        albumId,
        config: {},
        seed: 0,
        backend: null,
        codeVersion: null,
        splitId: null,
        jobId,
      })
    const orphan = mk(job.id)
    runs.markRunning(orphan)
    const done = mk(null)
    runs.markRunning(done)
    runs.finish(done, 'done', null)
    return { dir, orphan, done, albumId }
  } finally {
    p.close()
  }
}

describe('run reads and settling', () => {
  it('settles orphan runs at project open (with an ended event) and reads write nothing', async () => {
    const { dir, orphan, done, albumId } = projectWithOrphan()
    const studio = new Studio({ mode: 'cli', homeDir: path.join(temp.make(), 'home') })
    studios.push(studio)
    const events: RunEvent[] = []
    studio.on('run', (e) => events.push(e))
    await studio.openProjectPath(dir)
    expect(events).toEqual([{ runId: orphan, albumId, change: 'ended', status: 'failed', live: null }])
    const project = studio.currentProject()
    expect(new RunsRepo(project.db, project.paths).row(orphan)).toMatchObject({
      status: 'failed',
      error: 'interrupted: the studio crashed',
    })

    // A run that looks orphaned now (its job row ended): reads still leave it alone; the next open or
    // run-job end settles it. Before, every read settled such runs, writing on each getRun.
    const runs = new RunsRepo(project.db, project.paths)
    const jobsRepo = new JobsRepo(project.db)
    const ended = jobsRepo.insert('run', 'ended', {})
    jobsRepo.finish(ended.id, 'failed', null, 'gone')
    const stale = runs.create({
      kind: 'album',
      method: 'noda',
      albumId,
      config: {},
      seed: 0,
      backend: null,
      codeVersion: null,
      splitId: null,
      jobId: ended.id,
    })
    const before = totalChanges(project)
    const one = await studio.api.getRun({ runId: orphan })
    const other = await studio.api.getRun({ runId: done })
    const third = await studio.api.getRun({ runId: stale })
    const list = await studio.api.listRuns({})
    await studio.api.listRuns({ albumId })
    expect(totalChanges(project)).toBe(before)
    expect([one.status, other.status, third.status]).toEqual(['failed', 'done', 'queued'])
    expect(list.map((r) => r.id).sort()).toEqual([orphan, done, stale].sort())
  })

  it('settles a run whose job is cancelled before it starts, when the job ends', async () => {
    const { dir, albumId } = projectWithOrphan()
    const studio = new Studio({ mode: 'cli', homeDir: path.join(temp.make(), 'home') })
    studios.push(studio)
    await studio.openProjectPath(dir)
    const project = studio.currentProject()
    const runs = new RunsRepo(project.db, project.paths)
    const jobs = studio.currentJobs()
    // A run job that waits behind a blocker in the run queue, then is cancelled while queued.
    let release = (): void => {}
    const gate = new Promise<void>((r) => (release = r))
    const blocker = jobs.enqueue({ kind: 'other', title: 'blocker', args: {}, queue: 'run' }, () => gate)
    const queued = jobs.enqueue({ kind: 'run', title: 'queued run', args: {}, queue: 'run' }, async () => {
      throw new Error('a cancelled queued job must never start')
    })
    const runId = runs.create({
      kind: 'album',
      method: 'noda',
      albumId,
      config: {},
      seed: 0,
      backend: null,
      codeVersion: null,
      splitId: null,
      jobId: queued.id,
    })
    const events: RunEvent[] = []
    studio.on('run', (e) => events.push(e))
    jobs.cancel(queued.id)
    expect(runs.row(runId).status).toBe('cancelled')
    expect(events).toEqual([{ runId, albumId, change: 'ended', status: 'cancelled', live: null }])
    release()
    await jobs.settled(blocker.id)
  })
})
