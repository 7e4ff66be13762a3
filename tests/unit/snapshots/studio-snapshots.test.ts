/**
 * Snapshots end to end in the studio, on the tiny demo project: a No-DA run keeps a snapshot every 2
 * iterations, every snapshot is evaluated on the validation split (in the engine worker) and its stored
 * numbers equal the independent numpy oracle (tests/unit/runs/oracle_scores.py) on the snapshot's own
 * prediction files, per part; held-out selection picks the argmax on the selection part, and the run's
 * stored metrics are those of the chosen snapshot's album predictions. Re-evaluating with the oracle mode
 * picks the argmax on the full split and is labelled oracle. Bad requests are refused before any job.
 */
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { SnapshotsRepo } from '../../../src/main/project/snapshots-repo'
import type { RunSnapshots } from '../../../src/shared/snapshots'
import { albumWithMasks, openDemoStudio, type DemoStudio } from '../runs/fixtures/demo-studio'

const ORACLE = path.join(__dirname, '..', 'runs', 'oracle_scores.py')
let demo: DemoStudio
let studio: Studio
let albumId = 0

interface Oracle {
  fiou: number
  miou_all21: number
  miou_present: number | null
  per_image: number[]
}

function oracle(pairs: { gt: string; pred: string }[]): Oracle {
  return JSON.parse(
    execFileSync('/usr/bin/python3', [ORACLE], { input: JSON.stringify(pairs) }).toString(),
  ) as Oracle
}

beforeAll(async () => {
  demo = await openDemoStudio('pss-snapshots-')
  studio = demo.studio
  albumId = albumWithMasks(demo.albums, 6)
}, 120_000)

afterAll(async () => {
  await demo?.close()
})

function gtFile(imageId: number, version: number): string {
  return path.join(studio.currentProject().paths.masks, String(imageId), `v${version}.png`)
}

/** Checks every stored point against the numpy oracle on that snapshot's prediction files. */
function checkPoints(runId: number, snaps: RunSnapshots, versions: Map<number, number>): void {
  const parts = snaps.choice!.partImages
  for (const p of snaps.points) {
    // An adaptation run's source model (iteration 0) keeps its predictions under its own stage, 'source-model'.
    const dir = path.join(studio.currentProject().paths.runs, String(runId), 'snapshots', p.stage)
    for (const [part, ids] of [
      ['selection', parts.selection],
      ['report', parts.report],
      ['full', [...parts.selection, ...parts.report]],
    ] as const) {
      const o = oracle(
        ids.map((id) => ({
          gt: gtFile(id, versions.get(id)!),
          pred: path.join(dir, String(p.iteration).padStart(6, '0'), `${id}.png`),
        })),
      )
      const s = p.parts[part]!
      expect(s.images, `${part} @${p.iteration}`).toBe(ids.length)
      expect(s.fiou).toBeCloseTo(o.fiou, 12)
      expect(s.miouAll21).toBeCloseTo(o.miou_all21, 12)
      if (o.miou_present === null) expect(s.miouPresent).toBeNull()
      else expect(s.miouPresent!).toBeCloseTo(o.miou_present, 12)
    }
  }
}

/** The argmax by iteration; ties go to the later snapshot, except that the source model (iteration 0) keeps them. */
function argmax(snaps: RunSnapshots, part: 'selection' | 'full'): number {
  let best = snaps.points[0]!
  for (const p of snaps.points) {
    const [a, b] = [p.parts[part]!.fiou, best.parts[part]!.fiou]
    if (a > b || (a === b && best.iteration !== 0)) best = p
  }
  return best.iteration
}

describe('snapshot evaluation and selection', () => {
  it('evaluates every snapshot of a run, stores numbers equal to numpy, and uses the held-out choice', async () => {
    const started = await studio.api.startRun({
      albumId,
      method: 'noda',
      iterations: 6,
      size: 32,
      snapshotEvery: 2,
    })
    const job = await studio.currentJobs().settled(started.jobId)
    expect(job.status, job.error ?? '').toBe('done')
    const run = await studio.api.getRun({ runId: started.runId })
    expect(run.config).toMatchObject({ selection: 'heldout', snapshotEvery: 2 })
    const snaps = await studio.api.runSnapshots({ runId: run.id })
    expect(snaps.stage).toBe('source')
    expect(snaps.points.map((p) => p.iteration)).toEqual([2, 4, 6])
    expect(snaps.onDisk.count).toBe(3)
    expect(snaps.onDisk.bytes).toBeGreaterThan(0)
    const choice = snaps.choice!
    expect(choice).toMatchObject({
      mode: 'heldout',
      stage: 'source',
      chosenOn: 'selection',
      reportOn: 'report',
      oracle: false,
    })
    expect(choice.modeReason).toMatch(/labelled validation images/)

    // The division: disjoint, covering exactly the images the run was scored on.
    const perImage = await studio.api.runImageMetrics({ runId: run.id })
    const versions = new Map(perImage.map((m) => [m.imageId, m.maskVersion]))
    const all = [...choice.partImages.selection, ...choice.partImages.report].sort((a, b) => a - b)
    expect(all).toEqual([...versions.keys()].sort((a, b) => a - b))
    expect(new Set(all).size).toBe(all.length)
    expect(choice.partImages.selection.length).toBe(Math.round(all.length / 2))

    checkPoints(run.id, snaps, versions)
    expect(choice.iteration).toBe(argmax(snaps, 'selection'))
    // (At these few iterations the snapshots may still score alike; selectSnapshot's argmax and tie rule
    // are tested on constructed points in split-and-select.test.ts.)

    // The run's metrics are the chosen snapshot's: its album predictions, scored on the full split.
    const predDir = path.join(studio.currentProject().paths.runs, String(run.id), 'predictions')
    const o = oracle(
      perImage.map((m) => ({
        gt: gtFile(m.imageId, m.maskVersion),
        pred: path.join(predDir, `${m.imageId}.png`),
      })),
    )
    expect(run.metrics!.fiou).toBeCloseTo(o.fiou, 12)
    const chosen = snaps.points.find((p) => p.iteration === choice.iteration)!
    expect(run.metrics!.fiou).toBeCloseTo(chosen.parts.full!.fiou, 12)
    expect(run.metrics!.miouAll21).toBeCloseTo(chosen.parts.full!.miouAll21, 12)

    // Oracle mode, as a re-evaluation job: the argmax on the full split, flagged oracle.
    const again = await studio.api.evaluateSnapshots({ runId: run.id, select: 'oracle' })
    const job2 = await studio.currentJobs().settled(again.jobId)
    expect(job2.status, job2.error ?? '').toBe('done')
    const snaps2 = await studio.api.runSnapshots({ runId: run.id })
    expect(snaps2.choice).toMatchObject({ mode: 'oracle', chosenOn: 'full', reportOn: 'full', oracle: true })
    expect(snaps2.choice!.iteration).toBe(argmax(snaps2, 'full'))
    expect(snaps2.choice!.partImages).toEqual(choice.partImages)
    checkPoints(run.id, snaps2, versions)
    const run2 = await studio.api.getRun({ runId: run.id })
    const o2 = oracle(
      perImage.map((m) => ({
        gt: gtFile(m.imageId, m.maskVersion),
        pred: path.join(predDir, `${m.imageId}.png`),
      })),
    )
    expect(run2.metrics!.fiou).toBeCloseTo(o2.fiou, 12)
    expect(run2.metrics!.fiou).toBeCloseTo(
      snaps2.points.find((p) => p.iteration === snaps2.choice!.iteration)!.parts.full!.fiou,
      12,
    )

    // 'last': the final weights; their full-split score is the last point's. The stored choice is set to
    // snapshot 2 first, so the job must predict the album again with snapshot 6 (the re-prediction path).
    new SnapshotsRepo(studio.currentProject().db).setChoice(run.id, { ...snaps2.choice!, iteration: 2 })
    const last = await studio.api.evaluateSnapshots({ runId: run.id, select: 'last' })
    const job3 = await studio.currentJobs().settled(last.jobId)
    expect(job3.status, job3.error ?? '').toBe('done')
    expect(job3.result).toMatchObject({ mode: 'last', iteration: 6, repredicted: true })
    const snaps3 = await studio.api.runSnapshots({ runId: run.id })
    expect(snaps3.choice).toMatchObject({ mode: 'last', iteration: 6, chosenOn: null, oracle: false })
    const run3 = await studio.api.getRun({ runId: run.id })
    expect(run3.metrics!.fiou).toBeCloseTo(snaps3.points[2]!.parts.full!.fiou, 12)
  }, 300_000)

  it('selects among the snapshots of an adaptation stage (ADVENT)', async () => {
    const started = await studio.api.startRun({
      albumId,
      method: 'advent',
      iterations: 4,
      adaptIterations: 4,
      size: 32,
      snapshotEvery: 2,
      selection: 'oracle',
    })
    const job = await studio.currentJobs().settled(started.jobId)
    expect(job.status, job.error ?? '').toBe('done')
    const snaps = await studio.api.runSnapshots({ runId: started.runId })
    expect(snaps.stage).toBe('advent')
    // The source model the stage started from competes as iteration 0.
    expect(snaps.points.map((p) => [p.stage, p.iteration])).toEqual([
      ['source-model', 0],
      ['advent', 2],
      ['advent', 4],
    ])
    expect(snaps.choice).toMatchObject({
      mode: 'oracle',
      modeReason: 'asked for',
      oracle: true,
      chosenOn: 'full',
    })
    expect(snaps.choice!.iteration).toBe(argmax(snaps, 'full'))
    const perImage = await studio.api.runImageMetrics({ runId: started.runId })
    checkPoints(started.runId, snaps, new Map(perImage.map((m) => [m.imageId, m.maskVersion])))
    const run = await studio.api.getRun({ runId: started.runId })
    const chosen = snaps.points.find((p) => p.iteration === snaps.choice!.iteration)!
    expect(run.metrics!.fiou).toBeCloseTo(chosen.parts.full!.fiou, 12)
    expect(snaps.choice!.stage).toBe(chosen.stage)
  }, 300_000)

  it('refuses bad requests before any job exists', async () => {
    await expect(
      studio.api.startRun({ albumId, method: 'noda', iterations: 600, size: 32, snapshotEvery: 2 }),
    ).rejects.toMatchObject({
      payload: { code: 'BAD_ARGUMENTS', message: expect.stringMatching(/at most 50/) },
    })
    await expect(studio.api.evaluateSnapshots({ runId: 999_999 })).rejects.toMatchObject({
      payload: { code: 'NOT_FOUND' },
    })
    const runs = await studio.api.listRuns({})
    const source = runs.find((r) => r.kind === 'source')!
    await expect(studio.api.evaluateSnapshots({ runId: source.id })).rejects.toMatchObject({
      payload: { code: 'BAD_ARGUMENTS' },
    })
    await expect(studio.api.runSnapshots({ runId: 1, select: 'best' } as never)).rejects.toMatchObject({
      payload: { code: 'BAD_ARGUMENTS' },
    })
  })
})
