/**
 * A No-DA run started through the Studio API on the tiny demo project (the synthetic personalized
 * benchmark, imported): source model trained in the engine worker, every album image predicted into
 * <project>/runs/<id>/predictions/, the active validation split scored, metrics stored. The stored
 * numbers are checked against an independent numpy oracle run on the same prediction and mask files.
 * Then: a second run reuses the source model, predictions are served only from the run folder, a run
 * can be cancelled and deleted, and bad input is refused before any job exists.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import type { RunDetail } from '../../../src/shared/runs'
import type { JobRecord } from '../../../src/shared/domain'
import { albumWithMasks, openDemoStudio, type DemoStudio } from './fixtures/demo-studio'

const ITERATIONS = 6
const SIZE = 32
let tmp = ''
let demo: DemoStudio
let studio: Studio
let albumId = 0
let first: RunDetail

beforeAll(async () => {
  demo = await openDemoStudio('pss-runs-')
  tmp = demo.tmp
  studio = demo.studio
  albumId = albumWithMasks(demo.albums)
}, 120_000)

afterAll(async () => {
  await demo?.close()
})

async function runToEnd(args: { iterations?: number; size?: number; seed?: number } = {}) {
  const started = await studio.api.startRun({
    albumId,
    method: 'noda',
    iterations: ITERATIONS,
    size: SIZE,
    ...args,
  })
  const job = await studio.currentJobs().settled(started.jobId)
  return { started, job }
}

describe('a No-DA run in the studio', () => {
  it('trains, predicts, scores and stores metrics equal to an independent numpy oracle', async () => {
    const { started, job } = await runToEnd()
    expect(job.status, job.error ?? '').toBe('done')
    expect(job.kind).toBe('run')
    const run = await studio.api.getRun({ runId: started.runId })
    first = run
    expect(run).toMatchObject({
      kind: 'album',
      method: 'noda',
      status: 'done',
      albumId,
      seed: 0,
      backend: 'wasm',
      error: null,
    })
    expect(run.config).toMatchObject({
      method: 'noda',
      iterations: ITERATIONS,
      size: SIZE,
      sourceReused: false,
    })
    expect(run.sourceRunId).not.toBeNull()
    expect(run.codeVersion).toMatch(/^pss-studio /)
    const album = (await studio.api.listAlbums({})).find((a) => a.id === albumId)!
    expect(run.splitId).toBe(album.splitId)
    expect(run.splitVersion).toBe(1)
    expect(run.durations.source).toBeGreaterThan(0)
    expect(run.durations.predict).toBeGreaterThan(0)
    expect(run.durations.total).toBeGreaterThanOrEqual(run.durations.source!)
    expect(run.lossCurve.map((p) => p.iteration)).toEqual(Array.from({ length: ITERATIONS }, (_, i) => i + 1))
    expect(run.perClass).toHaveLength(21)
    expect(run.live).toBeNull()

    // Every album image predicted (label + colour PNG), named by image id.
    const project = studio.currentProject()
    const predDir = path.join(project.paths.runs, String(run.id), 'predictions')
    const ids = (
      project.db.prepare('SELECT id FROM images WHERE album_id = ?').all(albumId) as { id: number }[]
    ).map((r) => r.id)
    expect(fs.readdirSync(predDir).sort()).toEqual(
      ids.flatMap((id) => [`${id}.png`, `${id}_color.png`]).sort(),
    )

    // The stored evaluation = the numpy oracle on the same files (scored at original size).
    const perImage = await studio.api.runImageMetrics({ runId: run.id })
    expect(perImage.length).toBe(album.validationMaskedCount)
    expect(run.metrics!.images).toBe(perImage.length)
    expect(run.maskCount).toBe(perImage.length)
    const pairs = perImage.map((m) => ({
      gt: path.join(project.paths.masks, String(m.imageId), `v${m.maskVersion}.png`),
      pred: path.join(predDir, `${m.imageId}.png`),
    }))
    const oracle = JSON.parse(
      execFileSync('/usr/bin/python3', [path.join(__dirname, 'oracle_scores.py')], {
        input: JSON.stringify(pairs),
      }).toString(),
    ) as {
      fiou: number
      miou_all21: number
      miou_present: number | null
      miou_paper: number | null
      per_image: number[]
      iou: number[]
      images: number[]
    }
    expect(run.metrics!.fiou).toBeCloseTo(oracle.fiou, 12)
    expect(run.metrics!.miouAll21).toBeCloseTo(oracle.miou_all21, 12)
    expect(run.metrics!.miouPresent).toBeCloseTo(oracle.miou_present!, 12)
    expect(oracle.miou_paper).not.toBeNull()
    expect(run.metrics!.miouPaper).toBeCloseTo(oracle.miou_paper!, 12)
    perImage.forEach((m, i) => expect(m.fiou).toBeCloseTo(oracle.per_image[i]!, 12))
    run.perClass.forEach((c, i) => {
      expect(c.iou).toBeCloseTo(oracle.iou[i]!, 12)
      expect(c.images).toBe(oracle.images[i])
    })
    const confusionTotal = run.confusion!.flat().reduce((s, v) => s + v, 0)
    expect(confusionTotal).toBeGreaterThan(0)
  }, 180_000)

  it('lists runs, reuses the source model for the same config, and serves predictions only from the run folder', async () => {
    const { started, job } = await runToEnd()
    expect(job.status, job.error ?? '').toBe('done')
    const second = await studio.api.getRun({ runId: started.runId })
    expect(second.sourceRunId).toBe(first.sourceRunId)
    expect(second.config.sourceReused).toBe(true)
    expect(second.durations.source).toBeNull()
    // Same model, same images: the same numbers, on the same split and masks.
    expect(second.metrics).toEqual(first.metrics)
    expect(second.maskSet).toBe(first.maskSet)
    expect(second.lossCurve).toEqual(first.lossCurve)

    const all = await studio.api.listRuns({})
    expect(all.filter((r) => r.kind === 'source').map((r) => r.id)).toEqual([first.sourceRunId])
    const source = all.find((r) => r.kind === 'source')!
    expect(source.status).toBe('done')
    expect(source.maskSet).not.toBeNull()
    const mine = await studio.api.listRuns({ albumId })
    expect(mine.map((r) => r.id)).toEqual([second.id, first.id])
    expect(mine[0]!.metrics).toEqual(second.metrics)

    const [img] = await studio.api.runImageMetrics({ runId: second.id })
    const label = studio.resolveMedia(img!.media.prediction)
    const color = studio.resolveMedia(img!.media.color)
    const runDir = fs.realpathSync(path.join(studio.currentProject().paths.runs, String(second.id)))
    expect(label).toEqual({
      path: path.join(runDir, 'predictions', `${img!.imageId}.png`),
      contentType: 'image/png',
    })
    expect(color?.path).toBe(path.join(runDir, 'predictions', `${img!.imageId}_color.png`))
    for (const bad of [
      `pred/${second.id}/../../project.sqlite`,
      `pred/${second.id}/${img!.imageId}/../x`,
      `pred/${second.id}/%2e%2e/1`,
      `pred/0/${img!.imageId}`,
      `pred/${second.id}/${img!.imageId}/colour`,
      `pred/${second.id}`,
      `pred/../${second.id}/${img!.imageId}`,
      `pred/999999/${img!.imageId}`,
    ])
      expect(studio.resolveMedia(bad), bad).toBeNull()
    // A predictions folder that is a symlink out of the project serves nothing.
    const outside = fs.mkdtempSync(path.join(tmp, 'outside-'))
    fs.writeFileSync(path.join(outside, '1.png'), 'secret')
    const evil = path.join(studio.currentProject().paths.runs, '424242')
    fs.mkdirSync(evil)
    fs.symlinkSync(outside, path.join(evil, 'predictions'))
    expect(studio.resolveMedia('pred/424242/1')).toBeNull()
    fs.rmSync(evil, { recursive: true, force: true })

    await studio.api.deleteRun({ runId: second.id })
    expect(fs.existsSync(runDir)).toBe(false)
    await expect(studio.api.getRun({ runId: second.id })).rejects.toMatchObject({
      payload: { code: 'NOT_FOUND' },
    })
    expect(studio.resolveMedia(img!.media.prediction)).toBeNull()
  }, 120_000)

  it('cancels a running run: the run and its unfinished source model end as cancelled', async () => {
    const started = await studio.api.startRun({
      albumId,
      method: 'noda',
      iterations: 5000,
      size: SIZE,
      seed: 99,
    })
    const report = await new Promise<JobRecord>((resolve) => {
      const off = studio.on('job', (j) => {
        if (j.id === started.jobId && j.progress.done >= 1) {
          off()
          resolve(j)
        }
      })
    })
    const during = await studio.api.getRun({ runId: started.runId })
    expect(during.status).toBe('running')
    expect(during.live?.phase).toBe('source')
    // Training counts steps (the jobs panel and the run page say "steps/s", not "img/s").
    expect(report.progress.unit).toBe('steps')
    expect(during.live?.unit).toBe('steps')
    await studio.api.cancelJob({ jobId: started.jobId })
    const job = await studio.currentJobs().settled(started.jobId)
    expect(job.status).toBe('cancelled')
    const run = await studio.api.getRun({ runId: started.runId })
    expect(run.status).toBe('cancelled')
    expect(run.metrics).toBeNull()
    const source = (await studio.api.listRuns({})).find((r) => r.id === run.sourceRunId)!
    expect(source.status).toBe('cancelled')
  }, 120_000)

  it('refuses bad input with a clear message before any job exists', async () => {
    const jobsBefore = (await studio.api.listJobs({})).length
    await expect(studio.api.startRun({ albumId, method: 'no-such-method' as 'noda' })).rejects.toMatchObject({
      payload: { code: 'BAD_ARGUMENTS' },
    })
    await expect(studio.api.startRun({ albumId, method: 'noda', size: 30 })).rejects.toMatchObject({
      payload: { code: 'BAD_ARGUMENTS', message: expect.stringContaining('multiple of 8') },
    })
    await expect(studio.api.startRun({ albumId: 9999, method: 'noda' })).rejects.toMatchObject({
      payload: { code: 'NOT_FOUND' },
    })
    const empty = studio.currentProject().importTarget.createAlbum('No split yet', null)
    await expect(studio.api.startRun({ albumId: empty, method: 'noda' })).rejects.toMatchObject({
      payload: {
        code: 'BAD_ARGUMENTS',
        message: expect.stringContaining('"No split yet" has no validation split'),
      },
    })
    await expect(studio.api.startRun({ albumId, method: 'noda', sourceId: 777 })).rejects.toMatchObject({
      payload: { code: 'NOT_FOUND', message: 'source dataset 777 does not exist' },
    })
    expect((await studio.api.listJobs({})).length).toBe(jobsBefore)
  })
})
