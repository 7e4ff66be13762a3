/**
 * Bounded inputs (issue 17, item 1): a number read from a file never sizes an allocation or a loop.
 * The group column of a PIS train_cluster*.txt with 1e20, 50000000 or 4294967294 once crashed or froze
 * listClusterings / clusterOverview (`new Array(k).fill(0)`); now such lines are refused with file, line and
 * value, ids are stored densely, and a bad K already in an old project is clamped by the image count.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { boundedK } from '../../../src/main/app/clustering-handlers'
import { Studio } from '../../../src/main/app/studio'
import { denseGroups, importedK } from '../../../src/main/datasets/dense-groups'
import { MAX_GROUP_NUMBER, parsePairList } from '../../../src/main/datasets/list-files'
import { MAX_LIST_BYTES } from '../../../src/main/datasets/read-list'
import { makePhoto, TempDirs } from '../project/fixtures'
import { waitForJob } from '../server/helpers'

const tmp = new TempDirs()
const studios: Studio[] = []
afterEach(async () => {
  for (const s of studios.splice(0)) await s.close()
  tmp.cleanup()
})

const HUGE = ['100000000000000000000', '50000000', '4294967294']

describe('group numbers in list files', () => {
  it('refuses groups above the bound with the line and the value as written', () => {
    const text = [
      '/JPEGImages/a.jpg /SegmentationClass/a.png 7',
      ...HUGE.map((g, i) => `/JPEGImages/b${i}.jpg /SegmentationClass/b${i}.png ${g}`),
    ].join('\n')
    const { entries, issues } = parsePairList(text, { groupRequired: true })
    expect(entries.map((e) => e.group)).toEqual([7])
    expect(issues).toEqual(
      HUGE.map((g, i) => ({ line: i + 2, reason: `group ${g} is out of range (0–999,999); line skipped` })),
    )
    expect(parsePairList(`a.jpg b.png ${MAX_GROUP_NUMBER}`, { groupRequired: true }).entries[0]!.group).toBe(
      MAX_GROUP_NUMBER,
    )
  })

  it('re-numbers ids densely in ascending order and keeps a K from the file name only when it can hold', () => {
    const d = denseGroups(
      new Map([
        [10, 500],
        [11, 3],
        [12, 999_999],
        [13, 3],
      ]),
    )
    expect([...d.assignments]).toEqual([
      [10, 1],
      [11, 0],
      [12, 2],
      [13, 0],
    ])
    expect([d.groups, d.renumbered, d.range]).toEqual([3, true, [3, 999_999]])
    expect(
      denseGroups(
        new Map([
          [1, 0],
          [2, 1],
        ]),
      ).renumbered,
    ).toBe(false)
    expect(importedK(80, 2, 7)).toBe(2) // 80 groups among 7 images: impossible
    expect(importedK(5, 2, 7)).toBe(5)
    expect(importedK(1, 2, 7)).toBe(2)
    expect(importedK(null, 2, 7)).toBe(2)
  })

  it('clamps a stored K by the image count and ignores values that are not whole numbers', () => {
    expect(boundedK(1e20, 12)).toBe(12)
    expect(boundedK(4294967294, 12)).toBe(12)
    expect(boundedK(3, 12)).toBe(3)
    expect(boundedK(-1, 12)).toBe(0)
    expect(boundedK(2.5, 12)).toBe(0)
    expect(boundedK('7', 12)).toBe(0)
  })
})

async function studioWithProject(): Promise<Studio> {
  const studio = new Studio({ mode: 'cli', homeDir: tmp.make(), jobs: { writeIntervalMs: 0 } })
  studios.push(studio)
  await studio.api.createProject({ path: path.join(tmp.make(), 'p') })
  return studio
}

async function pisUser(names: string[]): Promise<{ root: string; user: string }> {
  const root = tmp.make('pss-pis-')
  const user = path.join(root, 'personal', 'id1')
  for (const [i, n] of names.entries())
    await makePhoto(path.join(user, 'JPEGImages'), `${n}.jpg`, i + 1, { width: 16, height: 12 })
  return { root, user }
}

describe('PIS import with out-of-range cluster ids', () => {
  it('names file, line and value of each refused line, stores the rest densely, and the cluster views answer', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f']
    const { root, user } = await pisUser(names)
    const clusterFile = path.join(user, 'train_cluster40.txt')
    fs.writeFileSync(
      clusterFile,
      [
        '/JPEGImages/a.jpg /SegmentationClass/a.png 500',
        '/JPEGImages/b.jpg /SegmentationClass/b.png 7',
        '/JPEGImages/c.jpg /SegmentationClass/c.png 500',
        ...HUGE.map((g, i) => `/JPEGImages/${names[3 + i]}.jpg /SegmentationClass/${names[3 + i]}.png ${g}`),
      ].join('\n'),
    )
    const studio = await studioWithProject()
    const { jobId } = await studio.api.importPis({ root, copy: true })
    const job = await waitForJob(studio, jobId)
    expect(job.status).toBe('done')
    expect(job.problems.filter((p) => p.file === clusterFile).map((p) => p.reason)).toEqual(
      HUGE.map((g, i) => `line ${i + 4}: group ${g} is out of range (0–999,999); line skipped`),
    )
    const [album] = await studio.api.listAlbums({})
    const t = performance.now()
    const [clustering] = await studio.api.listClusterings({ albumId: album!.id })
    const overview = await studio.api.clusterOverview({ albumId: album!.id })
    expect(performance.now() - t).toBeLessThan(1000)
    expect(clustering!.k).toBe(2)
    expect(clustering!.sizes).toEqual([1, 2]) // 7 → 0 (b), 500 → 1 (a, c)
    expect(clustering!.meta).toMatchObject({ kInFileName: 40, idsInFile: [7, 500] })
    expect(overview.clusters.map((c) => [c.cluster, c.size])).toEqual([
      [0, 1],
      [1, 2],
    ])
    expect(overview.unclustered).toBe(3)
  })

  it('refuses a list file too big to be a list without reading it', async () => {
    const { root, user } = await pisUser(['a'])
    const big = path.join(user, 'train_cluster1.txt')
    fs.writeFileSync(big, '')
    fs.truncateSync(big, MAX_LIST_BYTES + 1) // sparse: costs no disk
    const studio = await studioWithProject()
    const job = await waitForJob(studio, (await studio.api.importPis({ root, copy: true })).jobId)
    expect(job.problems.find((p) => p.file === big)?.reason).toBe(
      `not read: ${(MAX_LIST_BYTES + 1).toLocaleString('en-US')} bytes is more than a list file can be (limit ${MAX_LIST_BYTES.toLocaleString('en-US')})`,
    )
  })
})

describe('a bad K or group already stored in a project', () => {
  for (const bad of [1e20, 50000000, 4294967294]) {
    it(`listClusterings and clusterOverview answer at once with k = ${bad} stored`, async () => {
      const studio = await studioWithProject()
      const project = studio.currentProject()
      const albumId = project.importTarget.createAlbum('Trip', null)
      const ids: number[] = []
      for (let i = 0; i < 4; i++)
        ids.push(
          project.importTarget.addImage(
            { albumId },
            await makePhoto(tmp.make(), `p${i}.jpg`, i + 1),
          ) as number,
        )
      const cid = project.groupings.addClustering(albumId, 'c', new Map(ids.map((id, i) => [id, i % 2])), {})
      // What an old import (or a hand edit) could leave: a giant K and a giant group id.
      project.db.prepare('UPDATE clusterings SET k = ? WHERE id = ?').run(bad, cid)
      project.db
        .prepare('UPDATE cluster_members SET cluster = ? WHERE clustering_id = ? AND image_id = ?')
        .run(bad, cid, ids[0])
      const t = performance.now()
      const [c] = await studio.api.listClusterings({ albumId })
      await studio.api.clusterOverview({ albumId })
      expect(performance.now() - t).toBeLessThan(1000)
      expect(c!.k).toBe(4)
      expect(c!.sizes).toEqual([1, 2, 0, 0]) // the image moved to the giant id is not counted, never used as an index
    })
  }

  it('addClustering refuses a group past the album image count', async () => {
    const studio = await studioWithProject()
    const project = studio.currentProject()
    const albumId = project.importTarget.createAlbum('Trip', null)
    const id = project.importTarget.addImage({ albumId }, await makePhoto(tmp.make(), 'p.jpg', 1)) as number
    expect(() => project.groupings.addClustering(albumId, 'c', new Map([[id, 50000000]]), {})).toThrow(
      `clustering "c": image ${id} has group 50000000; groups are integers 0–0 (album ${albumId} has 1 images)`,
    )
  })
})

describe('counts in API requests', () => {
  it('saveMask refuses a handPixels count larger than the mask', async () => {
    const studio = await studioWithProject()
    const project = studio.currentProject()
    const albumId = project.importTarget.createAlbum('Trip', null)
    const photo = await makePhoto(tmp.make(), 'p.jpg', 1, { width: 8, height: 4 })
    const imageId = project.importTarget.addImage({ albumId }, photo) as number
    const indicesBase64 = Buffer.alloc(32).toString('base64')
    await expect(
      studio.api.saveMask({ imageId, indicesBase64, baseVersion: null, handPixels: 33 }),
    ).rejects.toThrow(`mask for image ${imageId} (p.jpg): handPixels 33 is not a count of its 32 pixels`)
    expect(
      (await studio.api.saveMask({ imageId, indicesBase64, baseVersion: null, handPixels: 32 })).version,
    ).toBe(1)
  })
})
