/**
 * RunsRepo and MetricsRepo on a real SQLite project: run rows and their folders, status changes, the
 * settling of runs whose job ended without them, source-run reuse keyed by config, the mask record, and
 * one evaluation stored (and replaced) in one transaction — a bad value stores nothing.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/project/project'
import { ConflictError, InvalidInputError, NotFoundError } from '../../../src/main/project/errors'
import { MetricsRepo, type EvaluationInput } from '../../../src/main/project/metrics-repo'
import { canonicalJson, maskSetFingerprint, RunsRepo } from '../../../src/main/project/runs-repo'
import { JobsRepo } from '../../../src/main/jobs/jobs-repo'
import { UserEvaluation } from '../../../src/main/engine/eval'
import { makePhoto, TempDirs } from '../project/fixtures'

const temp = new TempDirs()
const open: Project[] = []
afterEach(() => {
  for (const p of open.splice(0)) p.close()
  temp.cleanup()
})

async function projectWithAlbum(): Promise<{
  p: Project
  albumId: number
  images: number[]
  splitId: number
}> {
  const root = temp.make()
  const p = Project.create(path.join(root, 'proj'))
  open.push(p)
  const albumId = p.importTarget.createAlbum('Trip', 'id1')
  const images: number[] = []
  for (let i = 0; i < 3; i++) {
    const img = await makePhoto(path.join(root, 'in'), `p${i}.jpg`, i + 1, { width: 8, height: 4 })
    const id = p.importTarget.addImage({ albumId }, img) as number
    p.masks.add(id, {
      labels: new Uint8Array(32).fill(i),
      width: 8,
      height: 4,
      author: 'human',
      origin: 'test',
    })
    images.push(id)
  }
  const splitId = p.groupings.addSplit(albumId, 'val', images.slice(0, 2), {})
  return { p, albumId, images, splitId }
}

function evaluation(
  runId: number,
  albumId: number,
  images: number[],
  over: Partial<EvaluationInput> = {},
): EvaluationInput {
  const n = 21
  const counts = new Float64Array(n * n)
  counts[0] = 10
  counts[1 * n + 1] = 5
  counts[1 * n + 0] = 2
  const perClass = new Float64Array(n)
  perClass[0] = 10 / 12
  perClass[1] = 5 / 7
  const present = new Float64Array(n).fill(Number.NaN)
  present[0] = 10 / 12
  present[1] = 5 / 7
  const perClassImages = new Uint32Array(n)
  perClassImages[0] = 2
  perClassImages[1] = 1
  return {
    runId,
    albumId,
    images: [
      { imageId: images[0]!, maskVersion: 1, fiou: 0.25 },
      { imageId: images[1]!, maskVersion: 1, fiou: 0.75 },
    ],
    fiou: 0.5,
    miouAll21: (10 / 12 + 5 / 7) / 21,
    miouPresent: (10 / 12 + 5 / 7) / 2,
    perClass,
    perClassPresent: present,
    perClassImages,
    confusion: { numClasses: n, counts },
    ...over,
  }
}

describe('RunsRepo', () => {
  it('creates, lists, updates, finishes and deletes runs with their folders', async () => {
    const { p, albumId, splitId } = await projectWithAlbum()
    const runs = new RunsRepo(p.db, p.paths)
    const id = runs.create({
      kind: 'album',
      method: 'noda',
      albumId,
      config: { b: 2, a: { y: 1, x: [3, { d: 1, c: 2 }] } },
      seed: 7,
      backend: null,
      codeVersion: 'pss-studio 0.1.0',
      splitId,
      jobId: null,
    })
    const row = runs.row(id)
    expect(row).toMatchObject({
      kind: 'album',
      method: 'noda',
      status: 'queued',
      seed: 7,
      album_name: 'Trip',
      split_version: 1,
    })
    expect(row.config).toBe('{"a":{"x":[3,{"c":2,"d":1}],"y":1},"b":2}')
    runs.markRunning(id)
    runs.setBackend(id, 'wasm')
    expect(runs.row(id)).toMatchObject({ status: 'running', backend: 'wasm' })
    expect(() => runs.delete(id)).toThrow(ConflictError)
    runs.finish(id, 'done', null)
    runs.finish(id, 'failed', 'too late') // an ended run keeps its first ending
    expect(runs.row(id)).toMatchObject({ status: 'done', error: null })
    expect(runs.row(id).finished_at).not.toBeNull()
    const source = runs.create({
      kind: 'source',
      method: 'source',
      albumId: null,
      config: {},
      seed: 0,
      backend: null,
      codeVersion: null,
      splitId: null,
      jobId: null,
    })
    expect(runs.list(albumId).map((r) => r.id)).toEqual([id])
    expect(runs.list().map((r) => r.id)).toEqual([source, id])

    fs.mkdirSync(path.join(runs.dir(id), 'predictions'), { recursive: true })
    fs.writeFileSync(path.join(runs.dir(id), 'predictions', '1.png'), 'x')
    runs.delete(id)
    expect(fs.existsSync(runs.dir(id))).toBe(false)
    expect(() => runs.row(id)).toThrow(NotFoundError)
    expect(() => runs.dir(0)).toThrow(InvalidInputError)
  })

  it('settles runs whose job ended without them (closed app, cancelled while queued)', async () => {
    const { p, albumId } = await projectWithAlbum()
    const runs = new RunsRepo(p.db, p.paths)
    const jobs = new JobsRepo(p.db)
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
    const live = jobs.insert('run', 'live', {})
    jobs.markRunning(live.id)
    const cancelled = jobs.insert('run', 'cancelled', {})
    jobs.finish(cancelled.id, 'cancelled', null, null)
    const failed = jobs.insert('run', 'failed', {})
    jobs.finish(failed.id, 'failed', null, 'interrupted')
    const a = mk(live.id)
    const b = mk(cancelled.id)
    const c = mk(failed.id)
    runs.markRunning(c)
    const d = mk(null)
    expect(runs.reconcile()).toBe(3)
    expect(runs.row(a).status).toBe('queued')
    expect(runs.row(b).status).toBe('cancelled')
    expect(runs.row(c)).toMatchObject({ status: 'failed', error: 'interrupted' })
    expect(runs.row(d).status).toBe('failed')
    expect(runs.reconcile()).toBe(0)
  })

  it('reuses a finished source run only for the same config and while its model is on disk', async () => {
    const { p } = await projectWithAlbum()
    const runs = new RunsRepo(p.db, p.paths)
    const config = { iterations: 10, size: 32, masks: 'abc' }
    const id = runs.create({
      kind: 'source',
      method: 'source',
      albumId: null,
      config,
      seed: 0,
      backend: null,
      codeVersion: null,
      splitId: null,
      jobId: null,
    })
    expect(runs.findReusableSource(config)).toBeNull() // not finished
    runs.finish(id, 'done', null)
    expect(runs.findReusableSource(config)).toBeNull() // no checkpoint in its folder
    fs.mkdirSync(runs.dir(id), { recursive: true })
    fs.writeFileSync(path.join(runs.dir(id), 'checkpoint.json'), '{}')
    expect(runs.findReusableSource({ masks: 'abc', size: 32, iterations: 10 })?.id).toBe(id) // key order does not matter
    expect(runs.findReusableSource({ ...config, iterations: 11 })).toBeNull()
  })

  it('records mask versions and fingerprints them independently of order', async () => {
    const { p, images } = await projectWithAlbum()
    const runs = new RunsRepo(p.db, p.paths)
    const id = runs.create({
      kind: 'source',
      method: 'source',
      albumId: null,
      config: {},
      seed: 0,
      backend: null,
      codeVersion: null,
      splitId: null,
      jobId: null,
    })
    const masks = [
      { imageId: images[1]!, maskVersion: 1 },
      { imageId: images[0]!, maskVersion: 1 },
    ]
    runs.setMasks(id, masks)
    expect(runs.masks(id)).toEqual([...masks].reverse())
    expect(maskSetFingerprint(masks)).toBe(maskSetFingerprint([...masks].reverse()))
    expect(maskSetFingerprint(masks)).not.toBe(
      maskSetFingerprint([{ imageId: images[0]!, maskVersion: 2 }, masks[0]!]),
    )
    expect(runs.maskSets([id]).get(id)).toEqual({ fingerprint: maskSetFingerprint(masks), count: 2 })
    expect(canonicalJson({ b: undefined, a: 1 })).toBe('{"a":1}')
  })
})

describe('MetricsRepo', () => {
  it('reads miou_paper back equal to the engine’s miouPaper on the same evaluation', async () => {
    const { p, albumId, images, splitId } = await projectWithAlbum()
    const runs = new RunsRepo(p.db, p.paths)
    const metrics = new MetricsRepo(p.db)
    const id = runs.create({
      kind: 'album',
      method: 'noda',
      albumId,
      config: {},
      seed: 0,
      backend: null,
      codeVersion: null,
      splitId,
      jobId: null,
    })
    // GT: background, person (15), dog (12), void; the prediction adds bird (3), in no GT pixel.
    const user = new UserEvaluation()
    user.add('a', Uint8Array.from([0, 0, 0, 15, 15, 15, 0]), Uint8Array.from([0, 0, 3, 15, 15, 0, 0]))
    user.add('b', Uint8Array.from([12, 12, 255, 0]), Uint8Array.from([12, 3, 15, 0]))
    const m = user.result()
    metrics.storeEvaluation({
      ...m,
      runId: id,
      albumId,
      images: [
        { imageId: images[0]!, maskVersion: 1, fiou: m.perImage[0]!.fiou },
        { imageId: images[1]!, maskVersion: 1, fiou: m.perImage[1]!.fiou },
      ],
    })
    // IoU15 = 2/3, IoU12 = 1/2: background and bird are left out.
    expect(m.miouPaper).toBeCloseTo((2 / 3 + 1 / 2) / 2, 14)
    expect(metrics.summary(id)!.miouPaper).toBeCloseTo(m.miouPaper, 14)
    expect(metrics.summaries([id]).get(id)!.miouPaper).toBeCloseTo(m.miouPaper, 14)
  })

  it('miou_paper is null when the GT holds no object class', async () => {
    const { p, albumId, images, splitId } = await projectWithAlbum()
    const runs = new RunsRepo(p.db, p.paths)
    const metrics = new MetricsRepo(p.db)
    const id = runs.create({
      kind: 'album',
      method: 'noda',
      albumId,
      config: {},
      seed: 0,
      backend: null,
      codeVersion: null,
      splitId,
      jobId: null,
    })
    const user = new UserEvaluation()
    user.add('a', Uint8Array.from([0, 0, 255]), Uint8Array.from([0, 7, 7]))
    const m = user.result()
    metrics.storeEvaluation({
      ...m,
      runId: id,
      albumId,
      images: [{ imageId: images[0]!, maskVersion: 1, fiou: m.fiou }],
    })
    expect(metrics.summary(id)!.miouPaper).toBeNull()
  })

  it('stores one evaluation and reads back exactly the same numbers', async () => {
    const { p, albumId, images, splitId } = await projectWithAlbum()
    const runs = new RunsRepo(p.db, p.paths)
    const metrics = new MetricsRepo(p.db)
    const id = runs.create({
      kind: 'album',
      method: 'noda',
      albumId,
      config: {},
      seed: 0,
      backend: null,
      codeVersion: null,
      splitId,
      jobId: null,
    })
    expect(metrics.summary(id)).toBeNull()
    expect(metrics.perClass(id)).toEqual([])
    expect(metrics.confusion(id)).toBeNull()
    const e = evaluation(id, albumId, images)
    metrics.storeEvaluation(e)
    // miou_paper is derived on read: the only GT object class is 1 (aeroplane), IoU 5/7.
    expect(metrics.summary(id)).toEqual({
      images: 2,
      fiou: 0.5,
      miouAll21: e.miouAll21,
      miouPresent: e.miouPresent,
      miouPaper: 5 / 7,
    })
    expect(metrics.summaries([id]).get(id)).toEqual(metrics.summary(id))
    const perClass = metrics.perClass(id)
    expect(perClass).toHaveLength(21)
    expect(perClass[0]).toEqual({
      classId: 0,
      name: 'background',
      iou: 10 / 12,
      iouPresent: 10 / 12,
      images: 2,
    })
    expect(perClass[1]).toEqual({ classId: 1, name: 'aeroplane', iou: 5 / 7, iouPresent: 5 / 7, images: 1 })
    expect(perClass[5]).toEqual({ classId: 5, name: 'bottle', iou: 0, iouPresent: null, images: 0 })
    const conf = metrics.confusion(id)!
    expect(conf[0]![0]).toBe(10)
    expect(conf[1]![0]).toBe(2)
    expect(conf[1]![1]).toBe(5)
    expect(conf.flat().reduce((s, v) => s + v, 0)).toBe(17)
    expect(metrics.images(id)).toEqual([
      { imageId: images[0], name: 'p0.jpg', maskVersion: 1, fiou: 0.25 },
      { imageId: images[1], name: 'p1.jpg', maskVersion: 1, fiou: 0.75 },
    ])
    expect(runs.masks(id)).toEqual([
      { imageId: images[0], maskVersion: 1 },
      { imageId: images[1], maskVersion: 1 },
    ])
    metrics.storeDurations(id, { source: 12.5, predict: 1.25, total: 14 })
    expect(metrics.durations(id)).toEqual({
      source: 12.5,
      adapt: null,
      predict: 1.25,
      score: null,
      total: 14,
    })
  })

  it('replaces an earlier evaluation; a bad value rolls the whole evaluation back', async () => {
    const { p, albumId, images, splitId } = await projectWithAlbum()
    const runs = new RunsRepo(p.db, p.paths)
    const metrics = new MetricsRepo(p.db)
    const id = runs.create({
      kind: 'album',
      method: 'noda',
      albumId,
      config: {},
      seed: 0,
      backend: null,
      codeVersion: null,
      splitId,
      jobId: null,
    })
    metrics.storeEvaluation(evaluation(id, albumId, images))
    const before = p.db.prepare('SELECT count(*) AS n FROM metrics WHERE run_id = ?').get(id) as { n: number }
    metrics.storeEvaluation(evaluation(id, albumId, images, { fiou: 0.4 }))
    expect(metrics.summary(id)?.fiou).toBe(0.4)
    expect(
      (p.db.prepare('SELECT count(*) AS n FROM metrics WHERE run_id = ?').get(id) as { n: number }).n,
    ).toBe(before.n)
    // The last per-image value is NaN: nothing of this evaluation may be stored, the earlier one stays.
    const bad = evaluation(id, albumId, images, {
      fiou: 0.9,
      images: [
        { imageId: images[0]!, maskVersion: 1, fiou: 0.5 },
        { imageId: images[1]!, maskVersion: 1, fiou: Number.NaN },
      ],
    })
    expect(() => metrics.storeEvaluation(bad)).toThrow(/fiou of image/)
    expect(metrics.summary(id)?.fiou).toBe(0.4)
    expect(metrics.images(id).map((m) => m.fiou)).toEqual([0.25, 0.75])
    expect(() => metrics.storeEvaluation(evaluation(id, albumId, images, { images: [] }))).toThrow(
      InvalidInputError,
    )
    // Deleting the run removes its metrics and mask record (cascade).
    runs.finish(id, 'done', null)
    runs.delete(id)
    expect(
      (p.db.prepare('SELECT count(*) AS n FROM metrics WHERE run_id = ?').get(id) as { n: number }).n,
    ).toBe(0)
    expect(
      (p.db.prepare('SELECT count(*) AS n FROM run_masks WHERE run_id = ?').get(id) as { n: number }).n,
    ).toBe(0)
  })
})
