/**
 * Fault: a studio running a training run is killed (SIGKILL), and the next thing to open the project is a
 * short CLI command (`info`, `runs`). Before, that command took the run over, and cancelled it on its way
 * out (4 of 4 trials); only `serve` resumed it. Now CLI commands leave the run interrupted (and say so),
 * and the next door that stays up (here a Studio in its default 'resume' mode, as `serve` and the desktop
 * app use) resumes it. An interrupted run the user does not want is discarded by cancelling its job.
 */
import type { ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { runCli } from '../../../src/main/cli/run'
import { JobQueue } from '../../../src/main/jobs/job-queue'
import { JobsRepo } from '../../../src/main/jobs/jobs-repo'
import { Project } from '../../../src/main/project/project'
import { demoProjectWithRunnableAlbum, killHard, startRunChild, until } from '../server/helpers'

let tmp = ''
let project = ''
let albumId = 0
let child: ChildProcess | null = null
const saved = { backend: process.env.PSS_BACKEND, home: process.env.PSS_STUDIO_HOME }

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-interrupted-run-'))
  process.env.PSS_BACKEND = 'wasm'
  process.env.PSS_STUDIO_HOME = path.join(tmp, 'home')
  ;({ project, albumId } = await demoProjectWithRunnableAlbum(tmp))
}, 120_000)

afterAll(() => {
  child?.kill('SIGKILL')
  for (const [k, v] of [
    ['PSS_BACKEND', saved.backend],
    ['PSS_STUDIO_HOME', saved.home],
  ] as const) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

/** The run's and its job's status, read straight from the database (no studio, nothing reconciled). */
function stored(runId: number): { run: string; job: string | null } {
  const db = new Database(path.join(project, 'project.sqlite'), { readonly: true, fileMustExist: true })
  try {
    return db
      .prepare(
        'SELECT r.status AS run, j.status AS job FROM runs r LEFT JOIN jobs j ON j.id = r.job_id WHERE r.id = ?',
      )
      .get(runId) as { run: string; job: string | null }
  } finally {
    db.close()
  }
}

/** The No-DA run's display name ("No-DA #n": n counts the album runs with an id ≤ its id). */
function nodaName(runId: number): string {
  const db = new Database(path.join(project, 'project.sqlite'), { readonly: true, fileMustExist: true })
  try {
    const { n } = db
      .prepare("SELECT COUNT(*) AS n FROM runs WHERE kind = 'album' AND id <= ?")
      .get(runId) as { n: number }
    return `No-DA #${n}`
  } finally {
    db.close()
  }
}

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = []
  const io = {
    out: (l: string) => void out.push(l),
    err: (l: string) => void out.push(l),
    signal: new AbortController().signal,
  }
  const code = await runCli(argv, io)
  return { code, out: out.join('\n') }
}

describe('a training run killed mid-way, then opened by a CLI command', () => {
  it('stays interrupted through `info` and `runs`, and resumes when a staying door opens the project', async () => {
    const spawned = await startRunChild(project, albumId, 400, 32)
    child = spawned.child
    const { started } = spawned
    await until(
      () => (stored(started.runId).job === 'running' ? true : null),
      60_000,
      'the run job to be running',
    )
    await killHard(child)
    child = null

    for (const argv of [
      ['info', '--project', project],
      ['runs', '--project', project],
      ['info', '--project', project, '--json'],
    ]) {
      const r = await cli(...argv)
      expect(r.code, r.out).toBe(0)
      // Not cancelled, not failed: still waiting to be resumed.
      expect(stored(started.runId)).toEqual({
        run: expect.stringMatching(/^(queued|running)$/),
        job: expect.stringMatching(/^(queued|running)$/),
      })
      if (!argv.includes('--json')) expect(r.out).toContain(`Interrupted: ${nodaName(started.runId)} on `)
      if (!argv.includes('--json')) expect(r.out).toMatch(/Interrupted: .*resumes when/)
    }

    const studio = new Studio({ mode: 'browser', homeDir: path.join(tmp, 'home') })
    try {
      await studio.openProjectPath(project)
      const run = await studio.api.getRun({ runId: started.runId })
      expect(run.status).toMatch(/^(queued|running)$/)
      const resumed = (await studio.api.listJobs({})).find((j) => j.kind === 'run' && j.id !== started.jobId)!
      expect(resumed.title.startsWith(`Resume ${nodaName(started.runId)} on "`), resumed.title).toBe(true)
      expect(resumed.status).toMatch(/^(queued|running)$/)
      expect((await studio.api.getJob({ jobId: started.jobId })).error).toMatch(/interrupted/)
    } finally {
      await studio.close()
    }
  }, 300_000)
})

describe('interrupted run jobs kept for resuming', () => {
  it('are left untouched by a keeping open, listed as orphaned, and discarded by cancelling them', () => {
    const root = path.join(tmp, 'kept')
    const p = Project.create(root)
    try {
      const repo = new JobsRepo(p.db)
      const run = repo.insert('run', 'No-DA run #1 on "A"', {})
      repo.markRunning(run.id)
      const imp = repo.insert('import-folder', 'Import /x as album "A"', {})
      repo.markRunning(imp.id)
      const jobs = new JobQueue(p.db)
      const failed = jobs.recoverInterrupted(['run'])
      expect(failed.map((j) => j.id)).toEqual([imp.id])
      expect(jobs.get(imp.id)).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/interrupted/),
      })
      expect(jobs.get(run.id).status).toBe('running')
      expect(jobs.orphaned().map((j) => j.id)).toEqual([run.id])
      expect(jobs.cancel(run.id)).toMatchObject({
        status: 'cancelled',
        error: expect.stringMatching(/interrupted/),
      })
      expect(jobs.orphaned()).toEqual([])
    } finally {
      p.close()
    }
  })
})
