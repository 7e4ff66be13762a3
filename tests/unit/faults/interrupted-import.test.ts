/**
 * Fault: a studio importing a folder is killed (SIGKILL) part-way. Before, the partial album stayed,
 * running the same import again was refused because the album name existed, and temp or orphan files
 * were left in 5 of 10 trials. Now the sweep at open removes temp files and copies whose row never
 * committed, and the same import again continues into the album, skipping (by sha256) what is already in:
 * afterwards the album holds every image exactly once and media/ holds exactly the files its rows name.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { resumableFolderImport } from '../../../src/main/app/import-resume'
import { mulberry32 } from '../../../src/shared/stratified-sample'
import { JobsRepo } from '../../../src/main/jobs/jobs-repo'
import { Project } from '../../../src/main/project/project'
import { makePhoto, TempDirs } from '../project/fixtures'
import { until } from '../server/helpers'

const PHOTOS = 48
const tmp = new TempDirs()
const children: ChildProcess[] = []
let photos = ''

beforeAll(async () => {
  photos = tmp.make('pss-interrupted-photos-')
  // Noise, so decoding and thumbnailing take real time and the kill lands mid-import.
  const rand = mulberry32(7)
  for (let i = 0; i < PHOTOS; i++) {
    const w = 640
    const h = 480
    const px = Buffer.alloc(w * h * 3)
    for (let j = 0; j < px.length; j++) px[j] = Math.floor(rand() * 256)
    await sharp(px, { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(path.join(photos, `photo_${String(i).padStart(3, '0')}.jpg`))
  }
}, 120_000)

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
})
afterAll(() => tmp.cleanup())

function imageRows(root: string): number {
  const db = new Database(path.join(root, 'project.sqlite'), { readonly: true, fileMustExist: true })
  try {
    return (db.prepare('SELECT count(*) AS n FROM images').get() as { n: number }).n
  } finally {
    db.close()
  }
}

/** Every file under media/ and thumbs/ (relative, forward slashes). */
function projectFiles(root: string): string[] {
  const out: string[] = []
  for (const top of ['media', 'thumbs']) {
    const walk = (rel: string): void => {
      for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
        const r = `${rel}/${e.name}`
        if (e.isDirectory()) walk(r)
        else out.push(r)
      }
    }
    if (fs.existsSync(path.join(root, top))) walk(top)
  }
  return out.sort()
}

/** Kills an import after `killAt` images are stored; returns the number of rows the kill left. */
async function killedImport(root: string, home: string, killAt: number): Promise<number> {
  const script = path.join(__dirname, 'interrupted-import.child.ts')
  const child = spawn(process.execPath, ['--import', 'tsx', script, root, home, photos, 'Trip'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let err = ''
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  await until(
    () => (fs.existsSync(path.join(root, 'project.sqlite')) && imageRows(root) >= killAt ? true : null),
    90_000,
    `the child to import ${killAt} images (${err})`,
    10,
  )
  child.kill('SIGKILL')
  await new Promise((r) => child.once('exit', r))
  return imageRows(root)
}

describe('an import killed mid-way', () => {
  for (const killAt of [2, 20]) {
    it(`resumes after a kill at ${killAt} images: no orphans, no temp files, no duplicates`, async () => {
      const root = path.join(tmp.make(), 'p')
      const home = tmp.make()
      Project.create(root).close()
      const left = await killedImport(root, home, killAt)
      expect(left).toBeGreaterThanOrEqual(killAt)
      expect(left).toBeLessThan(PHOTOS)

      const studio = new Studio({ mode: 'cli', homeDir: home, jobs: { writeIntervalMs: 0 } })
      try {
        await studio.openProjectPath(root)
        const p = studio.currentProject()
        // The sweep at open: only files that rows name are left.
        const named = (
          p.db.prepare('SELECT original_path AS a, thumb_path AS b FROM images').all() as {
            a: string
            b: string | null
          }[]
        ).flatMap((r) => (r.b ? [r.a, r.b] : [r.a]))
        expect(projectFiles(root)).toEqual([...named].sort())

        const { jobId } = await studio.api.importFolder({ dir: photos, albumName: 'Trip' })
        const job = await studio.currentJobs().settled(jobId)
        expect(job.status, job.error ?? '').toBe('done')
        expect(job.title).toMatch(/^Resume import of .* into album "Trip"/)
        expect(job.result).toMatchObject({ imported: PHOTOS - left, duplicates: left, rejected: 0 })

        const albums = await studio.api.listAlbums({})
        expect(albums).toHaveLength(1)
        expect(albums[0]).toMatchObject({ name: 'Trip', imageCount: PHOTOS })
        const dupHashes = p.db
          .prepare('SELECT hash FROM images GROUP BY album_id, hash HAVING count(*) > 1')
          .all()
        expect(dupHashes).toEqual([])
        const files = projectFiles(root)
        expect(files.filter((f) => f.startsWith('media/'))).toHaveLength(PHOTOS)
        expect(files.some((f) => path.basename(f).startsWith('.tmp-'))).toBe(false)

        // A finished import is not resumed: the same import again is refused as before.
        const again = await studio.api.importFolder({ dir: photos, albumName: 'Trip' })
        const ended = await studio.currentJobs().settled(again.jobId)
        expect(ended.status).toBe('failed')
        expect(ended.error).toMatch(/an album named "Trip" already exists/)
      } finally {
        await studio.close()
      }
    }, 180_000)
  }
})

describe('the sweep at open', () => {
  it('after a cut-off job, removes temp files and copies or thumbnails no row names, and keeps what rows name', async () => {
    const root = path.join(tmp.make(), 'p')
    const p = Project.create(root)
    const albumId = p.importTarget.createAlbum('A', null)
    const src = tmp.make()
    const img = await makePhoto(src, 'kept.jpg', 1)
    const id = p.importTarget.addImage({ albumId }, img) as number
    const row = p.db.prepare('SELECT original_path, thumb_path FROM images WHERE id = ?').get(id) as {
      original_path: string
      thumb_path: string
    }
    // What a kill mid-import leaves in the database: its job still recorded as running.
    new JobsRepo(p.db).markRunning(
      new JobsRepo(p.db).insert('import-folder', 'Import /x as album "A"', {}).id,
    )
    p.close()
    const slugDir = path.dirname(path.join(root, row.original_path))
    const planted = [
      path.join(slugDir, '.tmp-999-abcdef'),
      path.join(slugDir, 'orphan.jpg'),
      path.join(root, 'thumbs', '.tmp-999-123456'),
      path.join(root, 'thumbs', `${id + 1}.webp`),
    ]
    for (const f of planted) fs.writeFileSync(f, 'left by a kill')

    Project.open(root).close()

    for (const f of planted) expect(fs.existsSync(f), f).toBe(false)
    expect(fs.existsSync(path.join(root, row.original_path))).toBe(true)
    expect(fs.existsSync(path.join(root, row.thumb_path))).toBe(true)
  })
})

describe('which folder import continues an existing album', () => {
  type End = 'done' | 'failed' | 'cancelled'
  /**
   * A folder import job of `dir` as `name` that ran (and, when `creates`, made the album) and ended `end`.
   * Imports run one at a time, so each starts at least a moment after the previous one's album existed.
   */
  async function importJob(
    p: Project,
    dir: string,
    name: string,
    end: End,
    creates: boolean,
  ): Promise<number> {
    await new Promise((r) => setTimeout(r, 3))
    const repo = new JobsRepo(p.db)
    const job = repo.insert('import-folder', `Import ${dir}`, {
      dir,
      albumName: name,
      copy: true,
      recursive: false,
    })
    repo.markRunning(job.id)
    if (creates) p.albums.create(name, null)
    repo.finish(job.id, end, null, end === 'failed' ? 'interrupted (the app closed while it ran)' : null)
    return job.id
  }

  async function withProject(fn: (p: Project) => Promise<void>): Promise<void> {
    const p = Project.create(path.join(tmp.make(), 'p'))
    try {
      await fn(p)
    } finally {
      p.close()
    }
  }

  it('continues after an interrupted or cancelled import of the same folder, until one ends done', async () => {
    await withProject(async (p) => {
      const first = await importJob(p, '/photos', 'Trip', 'failed', true)
      expect(resumableFolderImport(p, '/photos', 'Trip')).toEqual({ albumId: 1, jobId: first })
      expect(resumableFolderImport(p, '/elsewhere', 'Trip')).toBeNull()
      const second = await importJob(p, '/photos', 'Trip', 'cancelled', false)
      expect(resumableFolderImport(p, '/photos', 'Trip')).toEqual({ albumId: 1, jobId: second })
      await importJob(p, '/photos', 'Trip', 'done', false)
      expect(resumableFolderImport(p, '/photos', 'Trip')).toBeNull()
    })
  })

  it('never continues a finished import, even after an attempt that was refused for the name', async () => {
    await withProject(async (p) => {
      await importJob(p, '/photos', 'Trip', 'done', true)
      await importJob(p, '/photos', 'Trip', 'failed', false) // refused: the name exists
      expect(resumableFolderImport(p, '/photos', 'Trip')).toBeNull()
    })
  })

  it('never continues an album made by hand or by an import of another folder', async () => {
    await withProject(async (p) => {
      p.albums.create('Mine', null)
      expect(resumableFolderImport(p, '/photos', 'Mine')).toBeNull()
      await importJob(p, '/a', 'Trip', 'failed', true)
      expect(resumableFolderImport(p, '/b', 'Trip')).toBeNull()
      expect(resumableFolderImport(p, '/a', 'Nope')).toBeNull()
    })
  })
})
