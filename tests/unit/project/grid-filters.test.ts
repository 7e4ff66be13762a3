/**
 * Grid filters: class present in the ground truth (the newest mask version, in SQL), class present in a
 * done run's prediction (decoded from its label PNGs), and a range of the run's per-image FIoU; each
 * combines with the other filters and the total counts the filtered set. The API schema bounds them.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/project/project'
import type { PageQuery } from '../../../src/main/project/images-repo'
import { RunsRepo } from '../../../src/main/project/runs-repo'
import { encodeLabelPng } from '../../../src/main/media/label-png'
import {
  checkRunOfAlbum,
  classBits,
  imagesPredictedWithClass,
} from '../../../src/main/app/prediction-classes'
import { apiSchemas } from '../../../src/shared/api'
import { insightImages } from '../../../src/main/app/insight-handlers'
import { fakeImage, TempDirs } from './fixtures'

const tmp = new TempDirs()
let p: Project
let album: number
let other: number
let run: number
let otherRun: number
const ids: number[] = []
const W = 4
const H = 2

/** A 4×2 label map holding the given classes (one pixel each, the rest background). */
function labelsWith(...classes: number[]): Uint8Array {
  const l = new Uint8Array(W * H)
  classes.forEach((c, i) => (l[i] = c))
  return l
}

const q = (over: Partial<PageQuery>): PageQuery => ({
  owner: { albumId: album },
  offset: 0,
  limit: 100,
  filter: 'all',
  sort: 'name',
  ...over,
})
const names = (over: Partial<PageQuery>): string[] => p.images.page(q(over)).items.map((i) => i.name)

beforeAll(() => {
  p = Project.create(path.join(tmp.make(), 'grid'))
  album = p.importTarget.createAlbum('a', null)
  other = p.importTarget.createAlbum('b', null)
  for (let i = 0; i < 6; i++)
    ids.push(
      p.importTarget.addImage(
        { albumId: album },
        { ...fakeImage(i, `img${i}.jpg`), width: W, height: H },
      ) as number,
    )
  const otherImage = p.importTarget.addImage(
    { albumId: other },
    { ...fakeImage(99, 'x.jpg'), width: W, height: H },
  ) as number
  const add = (id: number, l: Uint8Array): void => {
    p.masks.add(id, { labels: l, width: W, height: H, author: 'human', origin: 'test' })
  }
  // GT: img0 person(15); img1 person+dog(12); img2 dog; img3 had person in v1, only background in v2;
  // img4 only 255 (ignore) besides background; img5 has no mask. The other album's image has a person.
  add(ids[0]!, labelsWith(15))
  add(ids[1]!, labelsWith(15, 12))
  add(ids[2]!, labelsWith(12))
  add(ids[3]!, labelsWith(15))
  add(ids[3]!, labelsWith())
  add(ids[4]!, labelsWith(255))
  add(otherImage, labelsWith(15))
  p.importTarget.addSplit(album, 'val', [ids[0]!, ids[2]!], {})

  const runs = new RunsRepo(p.db, p.paths)
  const mk = (albumId: number): number =>
    runs.create({
      kind: 'album',
      method: 'noda',
      albumId,
      config: {},
      seed: 0,
      backend: null,
      codeVersion: null,
      splitId: null,
      jobId: null,
    })
  run = mk(album)
  otherRun = mk(other)
  runs.finish(run, 'done', null)
  runs.finish(otherRun, 'done', null)
  const dir = path.join(runs.dir(run), 'predictions')
  fs.mkdirSync(dir, { recursive: true })
  // Predictions: person on img1 and img5, cat(8) on img2; img0 background only. Colour renderings are skipped.
  const pred: [number, Uint8Array][] = [
    [ids[0]!, labelsWith()],
    [ids[1]!, labelsWith(15)],
    [ids[2]!, labelsWith(8)],
    [ids[5]!, labelsWith(15, 8)],
  ]
  for (const [id, l] of pred) {
    fs.writeFileSync(path.join(dir, `${id}.png`), encodeLabelPng({ width: W, height: H, labels: l }))
    fs.writeFileSync(path.join(dir, `${id}_color.png`), 'not a label map')
  }
  const fiou = [0.1, 0.5, 0.62, 0.9]
  const ins = p.db.prepare(
    "INSERT INTO metrics (run_id, album_id, image_id, name, value) VALUES (?, ?, ?, 'fiou', ?)",
  )
  fiou.forEach((v, i) => ins.run(run, album, ids[i], v))
  ins.run(otherRun, other, otherImage, 0.5)
})
afterAll(() => {
  p.close()
  tmp.cleanup()
})

describe('grid filters', () => {
  it('class present in the ground truth follows the newest mask version', () => {
    expect(names({ gtClass: 15 })).toEqual(['img0.jpg', 'img1.jpg'])
    expect(names({ gtClass: 12 })).toEqual(['img1.jpg', 'img2.jpg'])
    expect(names({ gtClass: 3 })).toEqual([])
    // Background is a class too: every masked image here has background pixels.
    expect(names({ gtClass: 0 })).toEqual(['img0.jpg', 'img1.jpg', 'img2.jpg', 'img3.jpg', 'img4.jpg'])
    expect(p.images.page(q({ gtClass: 15, filter: 'validation' }))).toMatchObject({
      total: 1,
      items: [{ name: 'img0.jpg' }],
    })
  })

  it("class present in a run's prediction", () => {
    expect(classBits(labelsWith(15, 8, 255))).toBe(((1 << 15) | (1 << 8) | 1) >>> 0)
    expect(imagesPredictedWithClass(p, run, 15).sort((a, b) => a - b)).toEqual([ids[1], ids[5]])
    expect(names({ onlyIds: imagesPredictedWithClass(p, run, 8) })).toEqual(['img2.jpg', 'img5.jpg'])
    expect(names({ onlyIds: imagesPredictedWithClass(p, run, 12) })).toEqual([])
    expect(p.images.page(q({ onlyIds: imagesPredictedWithClass(p, run, 15), gtClass: 15 }))).toMatchObject({
      total: 1,
    })
    expect(() => imagesPredictedWithClass(p, 9999, 15)).toThrow(/run 9999 does not exist/)
  })

  it('FIoU range is inclusive and counts only scored images', () => {
    expect(names({ fiouRange: { runId: run, min: 0.5, max: 0.62 } })).toEqual(['img1.jpg', 'img2.jpg'])
    expect(names({ fiouRange: { runId: run, min: 0, max: 1 } })).toEqual([
      'img0.jpg',
      'img1.jpg',
      'img2.jpg',
      'img3.jpg',
    ])
    expect(
      p.images.page(q({ fiouRange: { runId: run, min: 0.6, max: 1 }, offset: 1, limit: 1 })),
    ).toMatchObject({
      total: 2,
      items: [{ name: 'img3.jpg' }],
    })
    // The other album's run scores no image of this album.
    expect(names({ fiouRange: { runId: otherRun, min: 0, max: 1 } })).toEqual([])
  })

  it('the insight page applies the same filters', () => {
    const page = (a: Record<string, unknown>): string[] =>
      insightImages(
        p,
        apiSchemas.insightImages.parse({ albumId: album, runId: run, order: 'fiou-desc', ...a }),
      ).items.map((i) => i.name)
    expect(page({ hasClass: { classId: 15 }, fiou: { runId: run, min: 0, max: 0.6 } })).toEqual([
      'img1.jpg',
      'img0.jpg',
    ])
    expect(page({ hasClass: { classId: 15, runId: run } })).toEqual(['img1.jpg', 'img5.jpg'])
    expect(page({ hasClass: { classId: 15, runId: run }, fiou: { runId: run, min: 0, max: 0.6 } })).toEqual([
      'img1.jpg',
    ])
    expect(() => page({ fiou: { runId: otherRun, min: 0, max: 1 } })).toThrow(/is not a run of album/)
  })

  it('refuses a run of another album and bounds the API arguments', () => {
    expect(() => checkRunOfAlbum(p, otherRun, album)).toThrow(
      `run ${otherRun} is not a run of album ${album}`,
    )
    expect(() => checkRunOfAlbum(p, run, album)).not.toThrow()
    const parse = (a: Record<string, unknown>): boolean =>
      apiSchemas.listImages.safeParse({ albumId: 1, ...a }).success
    expect(parse({ hasClass: { classId: 20 } })).toBe(true)
    expect(parse({ hasClass: { classId: 21 } })).toBe(false)
    expect(parse({ hasClass: { classId: -1 } })).toBe(false)
    expect(parse({ hasClass: { classId: 1, runId: 3 } })).toBe(true)
    expect(parse({ fiou: { runId: 3, min: 0.2, max: 0.8 } })).toBe(true)
    expect(parse({ fiou: { runId: 3, min: 0.8, max: 0.2 } })).toBe(false)
    expect(parse({ fiou: { runId: 3, min: 0, max: 1.5 } })).toBe(false)
    expect(apiSchemas.listImages.safeParse({ sourceId: 1, fiou: { runId: 3, min: 0, max: 1 } }).success).toBe(
      false,
    )
    expect(apiSchemas.listImages.safeParse({ sourceId: 1, hasClass: { classId: 15 } }).success).toBe(true)
  })
})
