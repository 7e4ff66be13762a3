/**
 * One-click Personalize never hands back a worse model (issue 13 item 7), end to end in the studio on the
 * tiny demo project. An adaptation forced to collapse — MinEnt with an absurd entropy weight and learning
 * rate, whose trivial optimum is one confident class everywhere — is stopped by the collapse detector with
 * a message in the run record, and held-out selection (the source model competing as iteration 0) keeps
 * the source model: the run ends 'done', says plainly that adaptation did not help, and its metrics are the
 * No-DA run's on the same split.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { COLLAPSE_REMAINING, COLLAPSE_SHARE } from '../../../src/main/engine/methods/collapse-detector'
import { decodeLabelPng } from '../../../src/main/media/label-png'
import { readAdaptationGuard } from '../../../src/shared/adaptation-guard'
import { albumWithMasks, openDemoStudio, type DemoStudio } from './fixtures/demo-studio'

/** Enough source training (150 iterations at 64²) that the source model predicts some objects on the probe: a collapse has somewhere to fall from. */
const RUN = { iterations: 150, size: 64, seed: 3 } as const
const ADAPT_ITERATIONS = 8
/** MinEnt at 10⁴× its entropy weight and 100× the learning rate: the entropy term swamps the source CE. */
const COLLAPSING = { entMain: 50, entAux: 50, seg: { lr: 0.25 } }

let demo: DemoStudio
let studio: Studio
let albumId = 0

beforeAll(async () => {
  demo = await openDemoStudio('pss-collapse-')
  studio = demo.studio
  albumId = albumWithMasks(demo.albums, 6)
}, 120_000)

afterAll(async () => {
  await demo?.close()
})

/** Share of background pixels over the label PNGs of a folder of predictions. */
function backgroundShare(dir: string): number {
  let bg = 0
  let all = 0
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.png'))
  expect(files.length, dir).toBeGreaterThan(0)
  for (const f of files) {
    const { labels } = decodeLabelPng(fs.readFileSync(path.join(dir, f)))
    for (const v of labels) if (v === 0) bg++
    all += labels.length
  }
  return bg / all
}

describe('a collapsing Personalize run keeps the source model', () => {
  it('stops the collapsing stage, keeps the source model and says so, with No-DA metrics', async () => {
    // No-DA with the final weights: exactly the checkpoint the adaptation starts from.
    const noda = await studio.api.startRun({ albumId, method: 'noda', ...RUN, selection: 'last' })
    expect((await studio.currentJobs().settled(noda.jobId)).status).toBe('done')
    const source = await studio.api.getRun({ runId: noda.runId })

    const started = await studio.api.startRun({
      albumId,
      method: 'minent',
      ...RUN,
      adaptIterations: ADAPT_ITERATIONS,
      selection: 'heldout',
      methodConfig: COLLAPSING,
    })
    const job = await studio.currentJobs().settled(started.jobId)
    expect(job.status, job.error ?? '').toBe('done')
    const run = await studio.api.getRun({ runId: started.runId })
    expect(run.status).toBe('done')
    expect(run.sourceRunId).toBe(source.sourceRunId)
    const snaps = await studio.api.runSnapshots({ runId: run.id })

    const guard = readAdaptationGuard(run.config)!
    expect(guard.keptSource).toBe(true)
    expect(guard.notice).toBe('adaptation did not help on the held-out half; kept the source model')
    expect(guard.stops).toHaveLength(1)
    expect(guard.stops[0]!.message).toMatch(
      /^stage minent stopped at step \d+ of 8: predictions collapsed to /,
    )
    expect(guard.stops[0]!.iteration).toBeLessThan(ADAPT_ITERATIONS)
    expect(job.result).toMatchObject({
      keptSource: true,
      notice: guard.notice,
      stops: [guard.stops[0]!.message],
    })

    // The stage really collapsed: on the probe, background rose to ≥ 98 % from a start that still predicted
    // objects, and ≥ 90 % of those objects vanished (the tiny demo's source model finds few: measured 97.3 %
    // background at the start, 100 % at step 1); the stopped step is the stage's last snapshot, and its
    // predictions of the validation images are all but background.
    const stop = guard.stops[0]!
    expect(stop).toMatchObject({ stage: 'minent', kind: 'background', steps: ADAPT_ITERATIONS })
    expect(stop.startShare).toBeLessThan(COLLAPSE_SHARE)
    expect(stop.share).toBeGreaterThanOrEqual(COLLAPSE_SHARE)
    expect(1 - stop.share).toBeLessThanOrEqual(COLLAPSE_REMAINING * (1 - stop.startShare))
    expect(snaps.choice).toMatchObject({
      mode: 'heldout',
      stage: 'source-model',
      iteration: 0,
      chosenOn: 'selection',
    })
    const minent = snaps.points.filter((p) => p.stage === 'minent').map((p) => p.iteration)
    expect(Math.max(...minent)).toBe(guard.stops[0]!.iteration)
    const snapDir = (stage: string, iteration: number) =>
      path.join(
        studio.currentProject().paths.runs,
        String(run.id),
        'snapshots',
        stage,
        String(iteration).padStart(6, '0'),
      )
    const collapsedShare = backgroundShare(snapDir('minent', guard.stops[0]!.iteration))
    expect(collapsedShare).toBeGreaterThan(0.98)
    // The source model's predictions of the same images were evaluated too (iteration 0).
    expect(fs.readdirSync(snapDir('source-model', 0)).length).toBe(run.metrics!.images)

    // The run's predictions and metrics are the source model's: equal to No-DA's on the same split and masks.
    expect(run.splitId).toBe(source.splitId)
    expect(run.maskSet).toBe(source.maskSet)
    expect(run.metrics!.images).toBe(source.metrics!.images)
    expect(run.metrics!.fiou).toBeCloseTo(source.metrics!.fiou, 12)
    expect(run.metrics!.miouAll21).toBeCloseTo(source.metrics!.miouAll21, 12)
    const runs = studio.currentProject().paths.runs
    for (const f of fs
      .readdirSync(path.join(runs, String(source.id), 'predictions'))
      .filter((n) => n.endsWith('.png'))) {
      expect(
        fs
          .readFileSync(path.join(runs, String(run.id), 'predictions', f))
          .equals(fs.readFileSync(path.join(runs, String(source.id), 'predictions', f))),
        f,
      ).toBe(true)
    }

    // A prediction variant of the run uses the model it kept: the source run's latest checkpoint.
    const variant = await studio.api.predictVariant({ runId: run.id, tta: false, crf: true })
    const vjob = await studio.currentJobs().settled(variant.jobId)
    expect(vjob.status, vjob.error ?? '').toBe('done')
    const v = (await studio.api.listVariants({ runId: run.id })).find((x) => x.variant === variant.variant)!
    expect(v).toMatchObject({
      status: 'done',
      current: true,
      checkpoint: { stage: 'source-model', iteration: RUN.iterations },
    })
  }, 600_000)
})
