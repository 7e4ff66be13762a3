/**
 * Renaming and deleting an album: the preview counts what goes; the delete removes every row and file
 * of the album (images, masks, proposals, splits, clusterings, runs with their folders and scores) in
 * one transaction, never an in-place original, and leaves another album exactly as it was.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/project/project'
import { ConflictError, NotFoundError } from '../../../src/main/project/errors'
import { RunsRepo } from '../../../src/main/project/runs-repo'
import { ProposalsRepo } from '../../../src/main/project/proposals-repo'
import { encodeLabelPng } from '../../../src/main/media/label-png'
import { describeAlbumDeletion } from '../../../src/shared/album-deletion'
import { makePhoto, TempDirs } from './fixtures'

const tmp = new TempDirs()
const open: Project[] = []
afterEach(() => {
  for (const p of open.splice(0)) p.close()
  tmp.cleanup()
})

interface Built {
  albumId: number
  images: number[]
  runIds: number[]
  inPlace: string
}

/** An album with 2 copied + 1 in-place photo, 3 mask versions, a proposal, a split, a clustering and 2 runs. */
async function buildAlbum(p: Project, name: string, seed: number, photos: string): Promise<Built> {
  const albumId = p.importTarget.createAlbum(name, null)
  const images: number[] = []
  for (let i = 0; i < 2; i++) {
    const img = await makePhoto(photos, `${name}-${i}.jpg`, seed + i, { width: 8, height: 4 })
    images.push(p.importTarget.addImage({ albumId }, img) as number)
  }
  const inPlaceImg = await makePhoto(photos, `${name}-ref.jpg`, seed + 5, {
    width: 8,
    height: 4,
    copy: false,
  })
  images.push(p.importTarget.addImage({ albumId }, inPlaceImg) as number)
  const labels = new Uint8Array(32).fill(1)
  p.masks.add(images[0]!, { labels, width: 8, height: 4, author: 'human', origin: 'test' })
  p.masks.add(images[0]!, {
    labels: labels.map(() => 2),
    width: 8,
    height: 4,
    author: 'human',
    origin: 'test',
  })
  p.masks.add(images[1]!, { labels, width: 8, height: 4, author: 'human', origin: 'test' })
  new ProposalsRepo(p.db, p.paths).putMany([
    {
      imageId: images[1]!,
      kind: 'tags',
      sourceId: `tags:${name}`,
      label: 'tags',
      png: encodeLabelPng({ width: 8, height: 4, labels }),
      classes: [1],
    },
  ])
  const splitId = p.importTarget.addSplit(albumId, 'val', [images[0]!], {})
  p.importTarget.addClustering(albumId, 'k2', new Map(images.map((id, i) => [id, i % 2])), {})
  const runs = new RunsRepo(p.db, p.paths)
  const runIds: number[] = []
  for (const method of ['noda', 'ours-s2']) {
    const id = runs.create({
      kind: 'album',
      method,
      albumId,
      config: {},
      seed: 0,
      backend: null,
      codeVersion: null,
      splitId,
      jobId: null,
    })
    runs.setMasks(id, [{ imageId: images[0]!, maskVersion: 2 }])
    runs.finish(id, 'done', null)
    fs.mkdirSync(path.join(runs.dir(id), 'predictions'), { recursive: true })
    fs.writeFileSync(
      path.join(runs.dir(id), 'predictions', `${images[0]}.png`),
      encodeLabelPng({ width: 8, height: 4, labels }),
    )
    // A per-image score row as the evaluation writes it (metrics-repo.ts: image level "fiou").
    p.db
      .prepare("INSERT INTO metrics (run_id, album_id, image_id, name, value) VALUES (?, ?, ?, 'fiou', 0.5)")
      .run(id, albumId, images[0])
    runIds.push(id)
  }
  return { albumId, images, runIds, inPlace: inPlaceImg.sourcePath }
}

/** Every row that mentions one of these images or runs, table by table. */
function rowsOf(p: Project, b: Built): Record<string, number> {
  const ids = JSON.stringify(b.images)
  const runs = JSON.stringify(b.runIds)
  const count = (sql: string): number =>
    (p.db.prepare(sql).get({ ids, runs, album: b.albumId }) as { n: number }).n
  const inIds = (col: string): string => `${col} IN (SELECT value FROM json_each(@ids))`
  const inRuns = (col: string): string => `${col} IN (SELECT value FROM json_each(@runs))`
  return {
    albums: count('SELECT count(*) AS n FROM albums WHERE id = @album'),
    images: count(`SELECT count(*) AS n FROM images WHERE ${inIds('id')} OR album_id = @album`),
    masks: count(`SELECT count(*) AS n FROM masks WHERE ${inIds('image_id')}`),
    proposals: count(`SELECT count(*) AS n FROM mask_proposals WHERE ${inIds('image_id')}`),
    splits: count('SELECT count(*) AS n FROM splits WHERE album_id = @album'),
    splitMembers: count(`SELECT count(*) AS n FROM split_members WHERE ${inIds('image_id')}`),
    clusterings: count('SELECT count(*) AS n FROM clusterings WHERE album_id = @album'),
    clusterMembers: count(`SELECT count(*) AS n FROM cluster_members WHERE ${inIds('image_id')}`),
    runs: count(`SELECT count(*) AS n FROM runs WHERE ${inRuns('id')} OR album_id = @album`),
    runMasks: count(`SELECT count(*) AS n FROM run_masks WHERE ${inRuns('run_id')}`),
    metrics: count(`SELECT count(*) AS n FROM metrics WHERE ${inRuns('run_id')} OR album_id = @album`),
  }
}

/** Every file of the project folder (relative), except the database and its journals. */
function filesOf(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter(
      (f) => fs.statSync(path.join(root, f)).isFile() && !f.startsWith('project.sqlite') && f !== '.lock',
    )
    .map((f) => f.split(path.sep).join('/'))
    .sort()
}

describe('album rename and delete', () => {
  it('previews what goes, then removes all of it and nothing of another album', async () => {
    const root = path.join(tmp.make(), 'p')
    const photos = tmp.make()
    const p = Project.create(root)
    open.push(p)
    const a = await buildAlbum(p, 'Trip', 1, photos)
    const b = await buildAlbum(p, 'Home', 20, photos)

    const preview = p.albums.deletionPreview(a.albumId)
    expect(preview).toEqual({
      albumId: a.albumId,
      name: 'Trip',
      images: 3,
      maskedImages: 2,
      maskVersions: 3,
      runs: 2,
      activeRuns: 0,
      copiedOriginals: 2,
      inPlaceOriginals: 1,
    })
    expect(describeAlbumDeletion(preview)).toBe(
      'Deletes "Trip": 3 images, 3 masks, 2 runs. The 1 photo imported in place stays where it is.',
    )

    const bRowsBefore = rowsOf(p, b)
    const bFiles = filesOf(root).filter((f) => !filesOnlyOf(p, a, f))
    expect(Object.values(rowsOf(p, a)).every((n) => n > 0)).toBe(true)

    p.deleteAlbum(a.albumId)

    expect(rowsOf(p, a)).toEqual(Object.fromEntries(Object.keys(bRowsBefore).map((k) => [k, 0])))
    expect(rowsOf(p, b)).toEqual(bRowsBefore)
    // Only the other album's files (and its emptied-folder-free layout) remain.
    expect(filesOf(root)).toEqual(bFiles)
    for (const runId of a.runIds) expect(fs.existsSync(path.join(p.paths.runs, String(runId)))).toBe(false)
    for (const runId of b.runIds)
      expect(fs.existsSync(path.join(p.paths.runs, String(runId), 'predictions'))).toBe(true)
    // The in-place original is the user's file: never removed.
    expect(fs.existsSync(a.inPlace)).toBe(true)
    expect(p.albums.list().map((x) => x.name)).toEqual(['Home'])
    expect(() => p.albums.deletionPreview(a.albumId)).toThrow(NotFoundError)
  })

  it('refuses while a run of the album is queued or running, and changes nothing', async () => {
    const root = path.join(tmp.make(), 'p')
    const p = Project.create(root)
    open.push(p)
    const a = await buildAlbum(p, 'Trip', 1, tmp.make())
    const runs = new RunsRepo(p.db, p.paths)
    const active = runs.create({
      kind: 'album',
      method: 'noda',
      albumId: a.albumId,
      config: {},
      seed: 0,
      backend: null,
      codeVersion: null,
      splitId: null,
      jobId: null,
    })
    runs.markRunning(active)
    expect(p.albums.deletionPreview(a.albumId)).toMatchObject({ runs: 3, activeRuns: 1 })
    const before = rowsOf(p, a)
    const files = filesOf(root)
    expect(() => p.deleteAlbum(a.albumId)).toThrow(ConflictError)
    expect(() => p.deleteAlbum(a.albumId)).toThrow(/cancel them before deleting the album/)
    expect(rowsOf(p, a)).toEqual(before)
    expect(filesOf(root)).toEqual(files)
  })

  it('renames: trims, refuses a taken name, keeps the files where they are', async () => {
    const root = path.join(tmp.make(), 'p')
    const p = Project.create(root)
    open.push(p)
    const a = await buildAlbum(p, 'Trip', 1, tmp.make())
    await buildAlbum(p, 'Home', 20, tmp.make())
    const files = filesOf(root)
    expect(p.albums.rename(a.albumId, '  Trip 2024 ').name).toBe('Trip 2024')
    expect(() => p.albums.rename(a.albumId, 'Home')).toThrow(ConflictError)
    expect(p.albums.get(a.albumId).name).toBe('Trip 2024')
    expect(filesOf(root)).toEqual(files)
  })
})

/** Whether a project file belongs to album `a` alone (its copied originals, thumbs, masks, proposals, runs). */
function filesOnlyOf(p: Project, a: Built, rel: string): boolean {
  const slug = p.albums.slug(a.albumId)
  if (rel.startsWith(`media/${slug}/`)) return true
  if (a.runIds.some((id) => rel.startsWith(`runs/${id}/`))) return true
  return a.images.some(
    (id) =>
      rel.startsWith(`masks/${id}/`) ||
      new RegExp(`^thumbs/${id}\\.`).test(rel) ||
      new RegExp(`^proposals/.*/${id}-`).test(rel),
  )
}
