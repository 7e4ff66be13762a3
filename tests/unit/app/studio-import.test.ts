import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { latestVersion } from '../../../src/main/project/migrations'
import { Studio } from '../../../src/main/app/studio'
import { encodeLabelPng } from '../../../src/main/media/label-png'
import type { JobRecord, StudioEvents } from '../../../src/shared/api'
import { makePhoto, TempDirs } from '../project/fixtures'

const tmp = new TempDirs()
const studios: Studio[] = []
afterEach(async () => {
  for (const s of studios.splice(0)) await s.close()
  tmp.cleanup()
})
function studio(): Studio {
  const s = new Studio({ mode: 'cli', homeDir: tmp.make(), jobs: { writeIntervalMs: 0 } })
  studios.push(s)
  return s
}

describe('Studio imports (real importers, real files)', () => {
  it('imports a folder as an album: duplicates skipped, a broken file reported, events sent', async () => {
    const s = studio()
    const photos = tmp.make()
    await makePhoto(photos, 'b.jpg', 1)
    await makePhoto(photos, 'a.jpg', 2)
    fs.copyFileSync(path.join(photos, 'a.jpg'), path.join(photos, 'z copy.jpg'))
    fs.writeFileSync(path.join(photos, 'broken.jpg'), 'not a jpeg at all')
    await s.api.createProject({ path: path.join(tmp.make(), 'p') })
    const jobEvents: JobRecord[] = []
    const library: StudioEvents['library'][] = []
    s.on('job', (j) => jobEvents.push(j))
    s.on('library', (l) => library.push(l))

    const { jobId } = await s.api.importFolder({ dir: photos, albumName: 'Holiday' })
    const job = await s.currentJobs().settled(jobId)
    expect(job.status, job.error ?? '').toBe('done')
    expect(job.kind).toBe('import-folder')
    expect(job.result).toMatchObject({ imported: 2, duplicates: 1, rejected: 1 })
    expect(job.problemCount).toBeGreaterThanOrEqual(1)
    expect(job.problems.some((p) => p.file.endsWith('broken.jpg'))).toBe(true)
    expect(jobEvents[0]?.status).toBe('queued')
    expect(jobEvents.at(-1)?.status).toBe('done')

    const [album] = await s.api.listAlbums({})
    expect(album).toMatchObject({ name: 'Holiday', imageCount: 2, maskedCount: 0 })
    expect(library.map((l) => l.reason)).toContain('album created')
    expect(library.at(-1)).toEqual({ albumId: album!.id, reason: 'import finished' })
    const page = await s.api.listImages({ albumId: album!.id })
    expect(page.total).toBe(2)
    expect(page.items.map((i) => i.name).sort()).toEqual(['a.jpg', 'b.jpg'].sort())
    for (const item of page.items) {
      expect(s.resolveMedia(item.media.image)).not.toBeNull()
      expect(s.resolveMedia(item.media.thumb)).not.toBeNull()
    }
    const detail = await s.api.getImage({ imageId: page.items[0]!.id })
    expect(detail.albumName).toBe('Holiday')
    expect(detail.originalPath.startsWith(path.join(s.currentProject().root, 'media'))).toBe(true)
  })

  it('imports a VOC source with masks and lists; the grid filters by its val list', async () => {
    const s = studio()
    const voc = path.join(tmp.make(), 'VOC2012')
    const names = ['2007_000001', '2007_000002', '2007_000003']
    for (const [i, n] of names.entries()) {
      const img = await makePhoto(path.join(voc, 'JPEGImages'), `${n}.jpg`, i + 1, { width: 20, height: 10 })
      const labels = new Uint8Array(img.width * img.height).fill(i + 1)
      labels[0] = 255
      fs.mkdirSync(path.join(voc, 'SegmentationClass'), { recursive: true })
      fs.writeFileSync(
        path.join(voc, 'SegmentationClass', `${n}.png`),
        encodeLabelPng({ width: 20, height: 10, labels }),
      )
    }
    fs.mkdirSync(path.join(voc, 'ImageSets', 'Segmentation'), { recursive: true })
    fs.writeFileSync(path.join(voc, 'ImageSets', 'Segmentation', 'train.txt'), `${names[0]}\n${names[1]}\n`)
    fs.writeFileSync(path.join(voc, 'ImageSets', 'Segmentation', 'val.txt'), `${names[2]}\n`)
    await s.api.createProject({ path: path.join(tmp.make(), 'p') })
    const { jobId } = await s.api.importVoc({ root: voc, name: 'VOC' })
    const job = await s.currentJobs().settled(jobId)
    expect(job.status, job.error ?? '').toBe('done')
    expect(job.result).toMatchObject({ imported: 3, masks: 3 })

    const [source] = await s.api.listSources({})
    expect(source).toMatchObject({ name: 'VOC', format: 'voc', imageCount: 3, maskedCount: 3 })
    expect(source!.lists).toEqual([
      { name: 'train', count: 2 },
      { name: 'val', count: 1 },
    ])
    const val = await s.api.listImages({ sourceId: source!.id, filter: 'validation' })
    expect(val.items.map((i) => i.name)).toEqual([`${names[2]}.jpg`])
    expect((await s.api.listImages({ sourceId: source!.id, filter: 'train' })).total).toBe(2)
    const detail = await s.api.getImage({ imageId: val.items[0]!.id })
    expect(detail.masks).toEqual([
      expect.objectContaining({ version: 1, classPixels: { '3': 199, '255': 1 } }),
    ])
    expect(detail.originalPath).toBe(path.join(voc, 'JPEGImages', `${names[2]}.jpg`)) // referenced in place
    expect(s.resolveMedia(detail.media.mask!)?.contentType).toBe('image/png')
  })

  it('a failing import (missing folder) ends failed with the path in the error', async () => {
    const s = studio()
    await s.api.createProject({ path: path.join(tmp.make(), 'p') })
    const missing = path.join(tmp.make(), 'nope')
    const { jobId } = await s.api.importFolder({ dir: missing, albumName: 'x' })
    const job = await s.currentJobs().settled(jobId)
    expect(job.status).toBe('failed')
    expect(job.error).toContain(missing)
  })

  it('after close and reopen everything is still there, and a job left running reads as interrupted', async () => {
    const root = path.join(tmp.make(), 'p')
    const photos = tmp.make()
    for (let i = 0; i < 4; i++) await makePhoto(photos, `p${i}.jpg`, i + 1)
    const s = studio()
    await s.api.createProject({ path: root, name: 'Keep' })
    const { jobId } = await s.api.importFolder({ dir: photos, albumName: 'A', copy: false })
    await s.currentJobs().settled(jobId)
    const [album] = await s.api.listAlbums({})
    const first = (await s.api.listImages({ albumId: album!.id })).items[0]!
    await s.api.setImageTags({ imageId: first.id, tags: [15, 12] })
    // a job the app "crashes" during: mark it running in the DB as a killed app would leave it
    s.currentProject()
      .db.prepare(
        `INSERT INTO jobs (kind, title, status, created_at, started_at) VALUES ('import-folder', 'x', 'running', '2024-01-01', '2024-01-01')`,
      )
      .run()
    await s.close()

    const t = studio()
    const info = await t.api.openProject({ path: root })
    expect(info).toMatchObject({ name: 'Keep', schemaVersion: latestVersion() })
    expect(await t.api.listAlbums({})).toEqual([expect.objectContaining({ name: 'A', imageCount: 4 })])
    expect((await t.api.getImage({ imageId: first.id })).tags).toEqual([12, 15])
    const jobs = await t.api.listJobs({})
    expect(jobs.map((j) => [j.status, j.error])).toEqual([
      ['failed', 'interrupted (the app closed while it ran)'],
      ['done', null],
    ])
  })
})
