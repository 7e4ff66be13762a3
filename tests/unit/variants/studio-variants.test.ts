/**
 * Prediction variants from the studio (issue 7): a done No-DA run predicted again with the dense CRF,
 * a PSS run (group context model, adapted stages) with TTA. The variant's stored numbers are checked
 * against the independent numpy oracle (tests/unit/runs/oracle_scores.py) on the variant's own files and
 * the run's mask versions; bad requests are refused before any job exists; the variants' media refs
 * resolve only inside the run's variant folder.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { albumWithMasks, openDemoStudio, type DemoStudio } from '../runs/fixtures/demo-studio'
import type { Studio } from '../../../src/main/app/studio'
import { runDisplayNumbers, runName } from '../../../src/shared/run-names'
import { runCli } from '../../../src/main/cli/run'
import { RunsRepo } from '../../../src/main/project/runs-repo'
import type { RunDetail } from '../../../src/shared/runs'
import { variantPredictionRef, type VariantInfo } from '../../../src/shared/variants'

const ORACLE = path.join(__dirname, '..', 'runs', 'oracle_scores.py')
let demo: DemoStudio
let studio: Studio
let tmp = ''
let albumId = 0
let noda: RunDetail

beforeAll(async () => {
  demo = await openDemoStudio('pss-variants-')
  studio = demo.studio
  tmp = demo.tmp
  albumId = albumWithMasks(demo.albums)
}, 120_000)

afterAll(async () => {
  await demo?.close()
})

async function runToEnd(args: Parameters<Studio['api']['startRun']>[0]): Promise<RunDetail> {
  const started = await studio.api.startRun(args)
  const job = await studio.currentJobs().settled(started.jobId)
  expect(job.status, job.error ?? '').toBe('done')
  return studio.api.getRun({ runId: started.runId })
}

async function variantToEnd(runId: number, tta: boolean, crf: boolean): Promise<VariantInfo> {
  const started = await studio.api.predictVariant({ runId, tta, crf })
  const job = await studio.currentJobs().settled(started.jobId)
  expect(job.status, job.error ?? '').toBe('done')
  expect(job.kind).toBe('variant')
  const list = await studio.api.listVariants({ runId })
  const v = list.find((x) => x.variant === started.variant)
  expect(v).toBeDefined()
  return v!
}

interface Oracle {
  fiou: number
  miou_all21: number
  miou_present: number | null
  miou_paper: number | null
  per_image: number[]
  iou: number[]
}

/** The numpy oracle on the variant's prediction files against the mask versions it was scored on. */
function oracleOf(v: VariantInfo): Oracle {
  const project = studio.currentProject()
  const dir = path.join(project.paths.runs, String(v.runId), 'variants', v.variant, 'predictions')
  const pairs = v.perImage.map((m) => ({
    gt: path.join(project.paths.masks, String(m.imageId), `v${m.maskVersion}.png`),
    pred: path.join(dir, `${m.imageId}.png`),
  }))
  return JSON.parse(
    execFileSync('/usr/bin/python3', [ORACLE], { input: JSON.stringify(pairs) }).toString(),
  ) as Oracle
}

function expectOracle(v: VariantInfo): void {
  const o = oracleOf(v)
  expect(v.metrics!.fiou).toBeCloseTo(o.fiou, 12)
  expect(v.metrics!.miouAll21).toBeCloseTo(o.miou_all21, 12)
  expect(v.metrics!.miouPresent).toBeCloseTo(o.miou_present!, 12)
  expect(o.miou_paper).not.toBeNull()
  expect(v.metrics!.miouPaper).toBeCloseTo(o.miou_paper!, 12)
  v.perImage.forEach((m, i) => expect(m.fiou).toBeCloseTo(o.per_image[i]!, 12))
  v.perClass.forEach((iou, i) => expect(iou).toBeCloseTo(o.iou[i]!, 12))
}

function albumImageIds(): number[] {
  const rows = studio
    .currentProject()
    .db.prepare('SELECT id FROM images WHERE album_id = ? ORDER BY id')
    .all(albumId) as { id: number }[]
  return rows.map((r) => r.id)
}

describe('prediction variants of a run', () => {
  it('refuses bad requests before any job exists', async () => {
    noda = await runToEnd({ albumId, method: 'noda', iterations: 6, size: 32 })
    const jobsBefore = (await studio.api.listJobs({})).length
    await expect(studio.api.predictVariant({ runId: noda.id, tta: false, crf: false })).rejects.toMatchObject(
      { payload: { code: 'BAD_ARGUMENTS' } },
    )
    await expect(
      studio.dispatch('predictVariant', { runId: noda.id, tta: 'yes', crf: true }),
    ).rejects.toMatchObject({ payload: { code: 'BAD_ARGUMENTS' } })
    await expect(studio.dispatch('predictVariant', { runId: noda.id, crf: true })).rejects.toMatchObject({
      payload: { code: 'BAD_ARGUMENTS' },
    })
    await expect(
      studio.dispatch('predictVariant', { runId: noda.id, tta: true, crf: true, extra: 1 }),
    ).rejects.toMatchObject({ payload: { code: 'BAD_ARGUMENTS' } })
    await expect(studio.api.predictVariant({ runId: 999_999, tta: true, crf: false })).rejects.toMatchObject({
      payload: { code: 'NOT_FOUND' },
    })
    // A source model run is not an album run.
    await expect(
      studio.api.predictVariant({ runId: noda.sourceRunId!, tta: true, crf: false }),
    ).rejects.toMatchObject({
      payload: { code: 'BAD_ARGUMENTS', message: expect.stringContaining('source model run') },
    })
    // A SegSort run has no class probabilities to refine (a done SegSort run record is enough to be refused).
    const project = studio.currentProject()
    const runs = new RunsRepo(project.db, project.paths)
    const segsort = runs.create({
      kind: 'album',
      method: 'segsort',
      albumId,
      config: { method: 'segsort' },
      seed: 0,
      backend: null,
      codeVersion: 'test',
      splitId: noda.splitId,
      jobId: null,
    })
    runs.finish(segsort, 'done', null)
    await expect(studio.api.predictVariant({ runId: segsort, tta: false, crf: true })).rejects.toMatchObject({
      payload: { code: 'BAD_ARGUMENTS', message: expect.stringContaining('SegSort') },
    })
    await studio.api.deleteRun({ runId: segsort })
    await expect(studio.api.listVariants({})).rejects.toMatchObject({ payload: { code: 'BAD_ARGUMENTS' } })
    expect((await studio.api.listJobs({})).length).toBe(jobsBefore)
    expect(await studio.api.listVariants({ runId: noda.id })).toEqual([])
  }, 180_000)

  it('predicts a No-DA run with the CRF and stores numbers equal to the numpy oracle on its files', async () => {
    const v = await variantToEnd(noda.id, false, true)
    expect(v).toMatchObject({
      runId: noda.id,
      variant: 'crf',
      status: 'done',
      current: true,
      backend: 'wasm',
      live: null,
    })
    expect(v.checkpoint!.stage).toBe('source')
    const snaps = await studio.api.runSnapshots({ runId: noda.id })
    expect(v.checkpoint!.iteration).toBe(
      snaps.choice?.iteration ?? Math.max(...snaps.points.map((p) => p.iteration)),
    )
    expect(v.options!.tta).toBeNull()
    expect(v.options!.crf).toMatchObject({
      iterations: 10,
      bilateral: { weight: 4, xyStd: 121, rgbStd: 5 },
      spatial: { weight: 3, xyStd: 3 },
    })
    // Scored on the run's validation images and mask versions.
    const runImages = await studio.api.runImageMetrics({ runId: noda.id })
    const pairs = (list: { imageId: number; maskVersion: number }[]): number[][] =>
      list.map((m) => [m.imageId, m.maskVersion]).sort((a, b) => a[0]! - b[0]!)
    expect(pairs(v.perImage)).toEqual(pairs(runImages))
    expect(v.metrics!.images).toBe(noda.metrics!.images)
    expectOracle(v)
    // Its cost: CRF timed, one plain pass, consistent totals.
    const ids = albumImageIds()
    expect(v.cost!.images).toBe(ids.length)
    expect(v.cost!.passes).toBe(1)
    expect(v.cost!.crfSecondsPerImage).toBeGreaterThan(0)
    expect(v.cost!.secondsPerImage).toBeGreaterThanOrEqual(v.cost!.crfSecondsPerImage!)
    expect(v.cost!.seconds).toBeGreaterThan(0)
    // Every album image predicted into the variant folder; the run's own predictions untouched; no temp folder left.
    const runDir = path.join(studio.currentProject().paths.runs, String(noda.id))
    const dir = path.join(runDir, 'variants', 'crf')
    expect(fs.readdirSync(path.join(dir, 'predictions')).sort()).toEqual(
      ids.flatMap((id) => [`${id}.png`, `${id}_color.png`]).sort(),
    )
    expect(fs.readdirSync(path.join(runDir, 'variants'))).toEqual(['crf'])
    const stored = JSON.parse(fs.readFileSync(path.join(dir, 'variant.json'), 'utf8')) as {
      metrics: unknown
      cost: unknown
    }
    // The record keeps the stored numbers; miou_paper is derived from its per-class IoU when listed.
    const { miouPaper, ...listed } = v.metrics!
    expect(stored.metrics).toEqual(listed)
    expect(miouPaper).not.toBeNull()
    expect(stored.cost).toEqual(v.cost)
    expect((await studio.api.getRun({ runId: noda.id })).metrics).toEqual(noda.metrics)
    // Listed with the album too.
    expect((await studio.api.listVariants({ albumId })).map((x) => [x.runId, x.variant])).toEqual([
      [noda.id, 'crf'],
    ])
  }, 180_000)

  it('serves variant predictions only from the run’s variant folder', async () => {
    const project = studio.currentProject()
    const [img] = await studio.api.runImageMetrics({ runId: noda.id })
    const id = img!.imageId
    const dir = fs.realpathSync(
      path.join(project.paths.runs, String(noda.id), 'variants', 'crf', 'predictions'),
    )
    expect(studio.resolveMedia(variantPredictionRef.label(noda.id, 'crf', id))).toEqual({
      path: path.join(dir, `${id}.png`),
      contentType: 'image/png',
    })
    expect(studio.resolveMedia(variantPredictionRef.color(noda.id, 'crf', id))?.path).toBe(
      path.join(dir, `${id}_color.png`),
    )
    for (const bad of [
      `predv/${noda.id}/tta/${id}`, // not made
      `predv/${noda.id}/crf/../../../project.sqlite`,
      `predv/${noda.id}/../crf/${id}`,
      `predv/${noda.id}/%2e%2e/${id}`,
      `predv/${noda.id}/predictions/${id}`,
      `predv/${noda.id}/crf/${id}/colour`,
      `predv/${noda.id}/crf/${id}/`,
      `predv/${noda.id}/crf`,
      `predv/0/crf/${id}`,
      `predv/${noda.id}/CRF/${id}`,
      `predv/${noda.id}/crf/${id}\0`,
    ])
      expect(studio.resolveMedia(bad), bad).toBeNull()
    // A variant folder that is a symlink out of the project serves nothing.
    const outside = fs.mkdtempSync(path.join(tmp, 'outside-'))
    fs.mkdirSync(path.join(outside, 'predictions'))
    fs.writeFileSync(path.join(outside, 'predictions', '1.png'), 'secret')
    const evil = path.join(project.paths.runs, '424242', 'variants')
    fs.mkdirSync(evil, { recursive: true })
    fs.symlinkSync(outside, path.join(evil, 'tta'))
    expect(studio.resolveMedia('predv/424242/tta/1')).toBeNull()
    fs.rmSync(path.join(project.paths.runs, '424242'), { recursive: true, force: true })
  })

  it('predicts a PSS run (group context, adapted stage, its chosen snapshot) with TTA', async () => {
    // 'last': the adapted stage's final snapshot (held-out selection may keep the source model, iteration 0).
    const pss = await runToEnd({
      albumId,
      method: 'pss',
      iterations: 6,
      adaptIterations: 2,
      size: 32,
      seed: 1,
      selection: 'last',
    })
    const v = await variantToEnd(pss.id, true, false)
    expect(v).toMatchObject({ runId: pss.id, variant: 'tta', status: 'done', current: true })
    expect(v.checkpoint!.stage).toBe('pss-s2')
    expect(v.options!.tta).toEqual({ scales: [0.5, 0.75, 1, 1.25, 1.5], flip: true })
    expect(v.options!.crf).toBeNull()
    expect(v.cost!.passes).toBe(10)
    expect(v.cost!.plainSecondsPerImage).toBeGreaterThan(0)
    expect(v.cost!.predictSecondsPerImage).toBeGreaterThan(v.cost!.plainSecondsPerImage!)
    expect(v.cost!.crfSecondsPerImage).toBeNull()
    expect(v.metrics!.images).toBe(pss.metrics!.images)
    expectOracle(v)
    // Making it again replaces it; the other run's variant stays.
    const again = await variantToEnd(pss.id, true, false)
    expect(again.metrics).toEqual(v.metrics)
    expect(again.jobId).not.toBe(v.jobId)
    const all = await studio.api.listVariants({ albumId })
    expect(all.map((x) => `${x.runId}/${x.variant}`).sort()).toEqual(
      [`${noda.id}/crf`, `${pss.id}/tta`].sort(),
    )
  }, 300_000)

  it('makes and lists variants from the CLI', async () => {
    const project = studio.currentProject().root
    // The CLI names the run as the views do ("No-DA #n").
    const nodaName = runName(noda, runDisplayNumbers(await studio.api.listRuns({})))
    expect(nodaName).toMatch(/^No-DA #\d+$/)
    await studio.close() // the CLI opens the project itself (one studio per project)
    const cli = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
      const out: string[] = []
      const err: string[] = []
      const code = await runCli(args, {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        signal: new AbortController().signal,
      })
      return { code, out: out.join('\n'), err: err.join('\n') }
    }
    expect((await cli(['variant', '--project', project, '--run', 'abc', '--crf'])).code).toBe(2)
    expect((await cli(['variant', '--project', project, '--crf'])).code).toBe(2)
    const made = await cli([
      'variant',
      '--project',
      project,
      '--run',
      String(noda.id),
      '--tta',
      '--crf',
      '--json',
    ])
    expect(made.code, made.err).toBe(0)
    const [v] = JSON.parse(made.out) as VariantInfo[]
    expect(v).toMatchObject({ runId: noda.id, variant: 'tta-crf', status: 'done', current: true })
    expect(v!.cost!.passes).toBe(10)
    expect(v!.cost!.crfSecondsPerImage).toBeGreaterThan(0)
    const listed = await cli(['variant', '--project', project, '--run', String(noda.id)])
    expect(listed.code, listed.err).toBe(0)
    expect(listed.out).toContain(`${nodaName} (run id ${noda.id}): FIoU `)
    expect(listed.out).toContain(`${nodaName} + CRF`)
    expect(listed.out).toContain(`${nodaName} + TTA + CRF`)
    expect(listed.out).toMatch(/s\/image/)
  }, 180_000)
})
