/**
 * Issue 17, item 7: a foreign write lock on project.sqlite (a database tool, a backup holding
 * `BEGIN IMMEDIATE`) must time out only the requests that write, quickly and with a clear message;
 * reads answer as usual, and the project still opens. Before, a write waited the 5 s busy timeout on the
 * event loop (stalling every other request) or failed with a bare "SQLITE_BUSY: database is locked",
 * and opening failed outright.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { ApiError } from '../../../src/main/app/api-error'
import { JobQueue } from '../../../src/main/jobs/job-queue'
import { Project } from '../../../src/main/project/project'
import { TempDirs, writeJpeg } from '../server/helpers'

const tmp = new TempDirs()
let studio: Studio
let root: string
let foreign: Database.Database | null = null

beforeEach(async () => {
  studio = new Studio({ mode: 'cli', homeDir: tmp.make('pss-home-') })
  root = path.join(tmp.make(), 'project')
  await studio.api.createProject({ path: root })
})
afterEach(async () => {
  if (foreign?.inTransaction) foreign.exec('ROLLBACK')
  foreign?.close()
  foreign = null
  await studio.close()
  tmp.cleanup()
})

/** A second connection, as another process would have, holding the write lock with a pending write. */
function holdWriteLock(): void {
  foreign = new Database(path.join(root, 'project.sqlite'))
  foreign.exec('BEGIN IMMEDIATE')
  foreign.prepare("UPDATE project SET name = 'changed by another process'").run()
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value?: T; error?: ApiError }> {
  const t0 = performance.now()
  try {
    const value = await fn()
    return { ms: performance.now() - t0, value }
  } catch (e) {
    return { ms: performance.now() - t0, error: e as ApiError }
  }
}

const LOCKED =
  /^the project database is locked by another process \(.*project\.sqlite\); the change was not saved/

describe('a foreign write lock on project.sqlite', () => {
  it('reads answer at once while writes fail within a second, saying who holds the lock', async () => {
    const photos = tmp.make('pss-photos-')
    await writeJpeg(path.join(photos, 'a.jpg'), 40, 40, 3)
    const started = await studio.api.importFolder({
      dir: photos,
      albumName: 'album',
      copy: true,
      recursive: false,
    })
    await studio.currentJobs().settled(started.jobId)
    const [album] = await studio.api.listAlbums({})
    holdWriteLock()

    for (const read of <(() => Promise<unknown>)[]>[
      () => studio.api.listAlbums({}),
      () => studio.api.listImages({ albumId: album!.id }),
      () => studio.api.listJobs({ limit: 10 }),
      () => studio.api.getJob({ jobId: started.jobId }),
      () => studio.api.appInfo({}),
    ]) {
      const r = await timed(read)
      expect(r.error).toBeUndefined()
      expect(r.ms).toBeLessThan(100)
    }
    // A write in a transaction (read, then update) and a single-statement write (the job row).
    for (const write of <(() => Promise<unknown>)[]>[
      () => studio.api.renameAlbum({ albumId: album!.id, name: 'renamed' }),
      () => studio.api.importFolder({ dir: photos, albumName: 'second', copy: true, recursive: false }),
    ]) {
      const r = await timed(write)
      expect(r.error?.code).toBe('IO_ERROR')
      expect(r.error?.message).toMatch(LOCKED)
      expect(r.ms).toBeLessThan(1000)
    }
    // The read path still sees the committed state, not the foreign connection's pending write.
    expect((await studio.api.appInfo({})).project?.name).toBe('project')

    foreign!.exec('ROLLBACK')
    expect((await studio.api.renameAlbum({ albumId: album!.id, name: 'renamed' })).name).toBe('renamed')
  })

  it('the project opens (and reads) while another process holds the write lock', async () => {
    await studio.close()
    holdWriteLock()
    const r = await timed(() => studio.api.openProject({ path: root }))
    expect(r.error).toBeUndefined()
    expect(r.value?.path).toBe(root)
    // Not the 5 s busy timeout (or several of them); the bound leaves room for a loaded machine.
    expect(r.ms).toBeLessThan(2000)
    expect(await studio.api.listAlbums({})).toEqual([])
  })

  it('a job whose final state meets the lock still ends, and the state is stored once the lock is gone', async () => {
    await studio.close()
    const project = Project.open(root)
    const queue = new JobQueue(project.db, { writeIntervalMs: 0, recordRetryMs: 50 })
    try {
      let release: () => void = () => {}
      const job = queue.enqueue({ kind: 't', title: 'meets the lock' }, async () => {
        holdWriteLock()
        await new Promise<void>((r) => (release = r))
        return 'finished'
      })
      await new Promise((r) => setTimeout(r, 50))
      release()
      const ended = await queue.settled(job.id)
      expect(ended).toMatchObject({ status: 'done', result: 'finished' })
      const stored = (): string =>
        (project.db.prepare('SELECT status FROM jobs WHERE id = ?').get(job.id) as { status: string }).status
      expect(stored()).toBe('running')
      foreign!.exec('ROLLBACK')
      const t0 = Date.now()
      while (stored() !== 'done' && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 25))
      expect(stored()).toBe('done')
    } finally {
      await queue.close()
      project.close()
    }
    expect(fs.existsSync(path.join(root, '.lock'))).toBe(false)
  })
})
