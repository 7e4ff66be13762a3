/**
 * A tiny SegSort run through the Studio API on the tiny demo project: source model, embedding training,
 * memory bank (source segments), clustering + k-NN predictions of every album image, scoring; then
 * explainRegion answers the segment under a point and the bank segments that decided its label.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { readBank, readExplain } from '../../../src/main/engine/segsort/bank-files'
import { decodeLabelPng } from '../../../src/main/media/label-png'
import { albumWithMasks, openDemoStudio, type DemoStudio } from '../runs/fixtures/demo-studio'

let demo: DemoStudio
let studio: Studio
let albumId = 0

beforeAll(async () => {
  demo = await openDemoStudio('pss-segsort-')
  studio = demo.studio
  albumId = albumWithMasks(demo.albums)
}, 180_000)

afterAll(async () => {
  await demo?.close()
})

describe('a SegSort run in the studio', () => {
  it('trains embeddings, builds the memory bank, predicts by k-NN, scores, and explains a region', async () => {
    const started = await studio.api.startRun({
      albumId,
      method: 'segsort',
      iterations: 4,
      adaptIterations: 3,
      size: 32,
    })
    const job = await studio.currentJobs().settled(started.jobId)
    expect(job.status, job.error ?? '').toBe('done')
    const run = await studio.api.getRun({ runId: started.runId })
    expect(run).toMatchObject({ method: 'segsort', status: 'done', error: null })
    expect(run.config).toMatchObject({ segsortBank: expect.stringMatching(/source segments only/) })
    expect(run.metrics!.images).toBeGreaterThan(0)
    expect(run.metrics!.fiou).toBeGreaterThanOrEqual(0)

    const project = studio.currentProject()
    const runDir = path.join(project.paths.runs, String(run.id))
    const ids = (
      project.db.prepare('SELECT id FROM images WHERE album_id = ? ORDER BY id').all(albumId) as {
        id: number
      }[]
    ).map((r) => r.id)
    expect(fs.readdirSync(path.join(runDir, 'predictions')).sort()).toEqual(
      ids.flatMap((id) => [`${id}.png`, `${id}_color.png`]).sort(),
    )

    // The bank: source segments only, keyed by source image ids, boxes inside their images.
    const bank = readBank(path.join(runDir, 'segsort'))
    expect(bank.entries.length).toBeGreaterThan(0)
    expect(bank.origins).toEqual(['source'])
    const sourceIds = new Set(
      (project.db.prepare('SELECT id FROM images WHERE source_id IS NOT NULL').all() as { id: number }[]).map(
        (r) => String(r.id),
      ),
    )
    for (const e of bank.entries) {
      expect(sourceIds.has(e.key)).toBe(true)
      expect(e.bbox[2]).toBeLessThanOrEqual(e.imageWidth)
      expect(e.bbox[3]).toBeLessThanOrEqual(e.imageHeight)
    }

    // Each prediction is its segments' vote: the label under every pixel is its segment's label.
    const first = ids[0]!
    const ex = readExplain(path.join(runDir, 'segsort'), String(first))
    const pred = decodeLabelPng(fs.readFileSync(path.join(runDir, 'predictions', `${first}.png`)))
    for (let i = 0; i < pred.labels.length; i += 7)
      expect(pred.labels[i]).toBe(ex.record.segments[ex.segments.labels[i]!]!.label)

    // explainRegion: the segment under a point, its label, and its k nearest bank segments.
    const seg = ex.record.segments.find((s) => s.pixels > 0)!
    const x = seg.bbox[0]
    const y = (() => {
      for (let yy = seg.bbox[1]; yy < seg.bbox[3]; yy++)
        if (ex.segments.labels[yy * ex.record.width + x] === seg.id) return yy
      return -1
    })()
    const answer = await studio.api.explainRegion({ runId: run.id, imageId: first, x, y })
    expect(answer.segment.id).toBe(seg.id)
    expect(answer.segment.label).toBe(seg.label)
    expect(answer.neighbours.length).toBe(Math.min(ex.record.knn, bank.entries.length))
    const sims = answer.neighbours.map((n) => n.similarity)
    expect([...sims].sort((a, b) => b - a)).toEqual(sims)
    for (const n of answer.neighbours) {
      expect(sourceIds.has(String(n.imageId))).toBe(true)
      expect(n.media.image).toBe(`image/${n.imageId}`)
    }
    await expect(
      studio.api.explainRegion({ runId: run.id, imageId: first, x: 100000, y: 0 }),
    ).rejects.toThrow(/outside/)
    // No snapshots: the predictions come from the bank, and no snapshot selection may replace them.
    expect((await studio.api.runSnapshots({ runId: run.id })).stage).toBeNull()
    await expect(studio.api.evaluateSnapshots({ runId: run.id })).rejects.toThrow(/no snapshots to select/)
    // Only a done SegSort run explains, and only images it predicted.
    await expect(
      studio.api.explainRegion({ runId: run.sourceRunId!, imageId: first, x: 0, y: 0 }),
    ).rejects.toThrow(/only SegSort runs explain/)
    const sourceImage = Number([...sourceIds][0])
    await expect(
      studio.api.explainRegion({ runId: run.id, imageId: sourceImage, x: 0, y: 0 }),
    ).rejects.toThrow(/no prediction of image/)
  }, 600_000)

  it('adds the album validation segments to the bank only when asked, and says the metrics are not held out', async () => {
    await expect(
      studio.api.startRun({
        albumId,
        method: 'noda',
        iterations: 4,
        size: 32,
        segsortBank: 'source+validation',
      }),
    ).rejects.toThrow(/segsortBank applies to SegSort runs only/)
    const started = await studio.api.startRun({
      albumId,
      method: 'segsort',
      iterations: 4,
      adaptIterations: 2,
      size: 32,
      segsortBank: 'source+validation',
    })
    const job = await studio.currentJobs().settled(started.jobId)
    expect(job.status, job.error ?? '').toBe('done')
    const run = await studio.api.getRun({ runId: started.runId })
    expect(run.config).toMatchObject({
      segsortBankMode: 'source+validation',
      segsortBank: expect.stringMatching(/NOT held out/),
      sourceReused: true,
    })
    const project = studio.currentProject()
    const bank = readBank(path.join(project.paths.runs, String(run.id), 'segsort'))
    expect(bank.origins).toEqual(['source', 'album-validation'])
    const validationIds = new Set(
      (await studio.api.runImageMetrics({ runId: run.id })).map((m) => String(m.imageId)),
    )
    const fromAlbum = bank.entries.filter((e) => e.origin === 'album-validation')
    expect(fromAlbum.length).toBeGreaterThan(0)
    for (const e of fromAlbum) expect(validationIds.has(e.key)).toBe(true)
  }, 600_000)
})
