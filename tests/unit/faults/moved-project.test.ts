/**
 * Fault: the open project's folder is deleted (`rm -rf`) or moved (`mv`) while the studio has it open.
 * Before, saves, tag changes and imports kept answering success: after `rm -rf` they were gone (and a
 * folder without a database was recreated at the old path); after `mv`, mask rows pointed at PNGs
 * written under the old path. Now every write is refused with a message that says what happened, the old
 * path is never recreated, jobs stop, a 'projectFolder' event tells the UI, and the project reopens from
 * its new place with everything that was acknowledged.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { StudioEvents } from '../../../src/shared/api'
import { encodeLabelPng } from '../../../src/main/media/label-png'
import { saveMaskVersion } from '../../../src/main/annotation/mask-save'
import { FOLDER_POLL_MS } from '../../../src/main/project/folder-watch'
import { albumFixture, b64, labelsFor, type AlbumFixture } from '../annotation/helpers'
import { makePhoto, TempDirs } from '../project/fixtures'

const tmp = new TempDirs()
const fixtures: AlbumFixture[] = []
afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.studio.close()
  tmp.cleanup()
})

async function fixture(count: number): Promise<AlbumFixture> {
  const f = await albumFixture(tmp, count)
  fixtures.push(f)
  return f
}

function maskPng(f: AlbumFixture, seed: number): string {
  return b64(encodeLabelPng({ width: f.width, height: f.height, labels: labelsFor(f.width, f.height, seed) }))
}

const GONE = /project folder .* was moved or deleted while it was open/

async function until<T>(get: () => T | null | undefined, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = get()
    if (v !== null && v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('the project folder deleted while open', () => {
  it('refuses saves, tag changes and imports, and never recreates the folder', async () => {
    const f = await fixture(2)
    const { studio, imageIds } = f
    const root = studio.currentProject().root
    const events: StudioEvents['projectFolder'][] = []
    studio.on('projectFolder', (e) => events.push(e))
    await studio.api.saveMask({ imageId: imageIds[0]!, pngBase64: maskPng(f, 1), baseVersion: null })

    fs.rmSync(root, { recursive: true, force: true })

    await expect(
      studio.api.saveMask({ imageId: imageIds[1]!, pngBase64: maskPng(f, 2), baseVersion: null }),
    ).rejects.toThrow(GONE)
    await expect(studio.api.setImageTags({ imageId: imageIds[0]!, tags: [3] })).rejects.toThrow(GONE)
    const photos = tmp.make()
    await makePhoto(photos, 'a.jpg', 1)
    await expect(studio.api.importFolder({ dir: photos, albumName: 'Later' })).rejects.toThrow(GONE)
    expect(fs.existsSync(root)).toBe(false)
    expect(events).toHaveLength(1)
    expect(events[0]!.path).toBe(root)
    expect(events[0]!.message).toMatch(GONE)
    expect(events[0]!.message).toContain('no longer exists')
    // A renderer that reloads learns it from appInfo.
    expect((await studio.api.appInfo({})).project?.folderProblem).toMatch(GONE)
    // Closing still works (and does not recreate anything).
    await studio.api.closeProject({})
    expect(fs.existsSync(root)).toBe(false)
  })

  it('a mask save that starts after the check (the store itself) does not recreate the folder either', async () => {
    const f = await fixture(1)
    const project = f.studio.currentProject()
    const root = project.root
    fs.rmSync(root, { recursive: true, force: true })
    expect(() =>
      saveMaskVersion(project.db, project.paths, {
        imageId: f.imageIds[0]!,
        labels: labelsFor(f.width, f.height, 1),
        width: f.width,
        height: f.height,
        baseVersion: null,
        author: 'human',
        origin: 'test',
      }),
    ).toThrow(/masks no longer exists \(was the project folder moved or deleted\?\)/)
    expect(fs.existsSync(root)).toBe(false)
  })

  it('fails a running import with the reason instead of writing into a recreated folder', async () => {
    const f = await fixture(1)
    const { studio } = f
    const root = studio.currentProject().root
    const photos = tmp.make()
    for (let i = 0; i < 40; i++)
      await makePhoto(photos, `p${String(i).padStart(2, '0')}.jpg`, i + 10, { width: 320, height: 240 })
    const { jobId } = await studio.api.importFolder({ dir: photos, albumName: 'Big' })
    const jobs = studio.currentJobs()
    await until(() => (jobs.get(jobId).progress.done >= 2 ? true : null), 30_000, 'the import to add images')
    fs.rmSync(root, { recursive: true, force: true })
    const ended = await jobs.settled(jobId)
    expect(ended.status).toBe('failed')
    expect(ended.error).toMatch(GONE)
    // It stopped at the next file instead of refusing all the rest one by one.
    expect(ended.problemCount).toBeLessThanOrEqual(1)
    expect(ended.progress.done).toBeLessThan(40)
    expect(fs.existsSync(root)).toBe(false)
  })
})

describe('the project folder moved while open', () => {
  it('refuses writes, writes nothing under the old path, and reopens at the new path with every acknowledged save', async () => {
    const f = await fixture(2)
    const { studio, imageIds } = f
    const root = studio.currentProject().root
    const saved = await studio.api.saveMask({
      imageId: imageIds[0]!,
      pngBase64: maskPng(f, 1),
      baseVersion: null,
    })
    await studio.api.setImageTags({ imageId: imageIds[1]!, tags: [5] })
    const moved = `${root}-moved`

    fs.renameSync(root, moved)

    await expect(
      studio.api.saveMask({ imageId: imageIds[1]!, pngBase64: maskPng(f, 2), baseVersion: null }),
    ).rejects.toThrow(GONE)
    await expect(
      studio.api.saveMask({ imageId: imageIds[0]!, pngBase64: maskPng(f, 3), baseVersion: saved.version }),
    ).rejects.toThrow(GONE)
    expect(fs.existsSync(root)).toBe(false)

    // Reopening from the new place, in the same studio (the old lock travelled with the folder).
    const info = await studio.api.openProject({ path: moved })
    expect(info.path).toBe(moved)
    const first = await studio.api.getImage({ imageId: imageIds[0]! })
    const second = await studio.api.getImage({ imageId: imageIds[1]! })
    expect(first.maskVersion).toBe(saved.version)
    expect(second.maskVersion).toBeNull()
    expect(second.tags).toEqual([5])
    // Every mask row's file is inside the moved project.
    const rows = studio.currentProject().db.prepare('SELECT file FROM masks').all() as { file: string }[]
    expect(rows).toHaveLength(1)
    for (const r of rows) expect(fs.existsSync(path.join(moved, r.file))).toBe(true)
    // And writes work again there.
    const next = await studio.api.saveMask({
      imageId: imageIds[1]!,
      pngBase64: maskPng(f, 4),
      baseVersion: null,
    })
    expect(fs.existsSync(path.join(moved, 'masks', String(imageIds[1]), `v${next.version}.png`))).toBe(true)
  })

  it('tells the UI without waiting for a write (folder watch / poll)', async () => {
    const f = await fixture(1)
    const { studio } = f
    const root = studio.currentProject().root
    const events: StudioEvents['projectFolder'][] = []
    studio.on('projectFolder', (e) => events.push(e))
    fs.renameSync(root, `${root}-elsewhere`)
    const e = await until(() => events[0], FOLDER_POLL_MS * 2 + 1000, 'the projectFolder event')
    expect(e.path).toBe(root)
    expect(e.message).toMatch(GONE)
  })

  it('refuses a folder replaced by another one at the same path', async () => {
    const f = await fixture(1)
    const { studio, imageIds } = f
    const root = studio.currentProject().root
    fs.renameSync(root, `${root}-old`)
    fs.cpSync(`${root}-old`, root, { recursive: true })
    await expect(
      studio.api.saveMask({ imageId: imageIds[0]!, pngBase64: maskPng(f, 1), baseVersion: null }),
    ).rejects.toThrow(/is now a different folder/)
  })
})
