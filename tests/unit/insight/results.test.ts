/**
 * The project results page on the server side (projectResults) and its tables (src/shared/results-table.ts) over a
 * real project: albums imported through the Studio API, splits drawn with makeSplit, runs created through
 * RunsRepo and their evaluations stored through MetricsRepo.storeEvaluation — the same write path the run
 * chain uses. The Markdown and CSV tables are compared with the stored numbers, formatted here
 * independently; the Mean row with the mean of the per-user numbers computed here.
 *
 * Also the embedding map on a trained source model's encoder (computeEmbedding features 'encoder'):
 * a tiny checkpoint trained into a source run's folder, the layout computed in the engine worker.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { embeddingSourceRun, projectResults } from '../../../src/main/app/insight-handlers'
import { MetricsRepo } from '../../../src/main/project/metrics-repo'
import { RunsRepo } from '../../../src/main/project/runs-repo'
import type { Project } from '../../../src/main/project/project'
import { parseTrainConfig, runTraining } from '../../../src/main/engine/runs'
import { selectBackend } from '../../../src/main/engine/backend'
import { buildResultsTable, classTable, resultsCsv, resultsMarkdown } from '../../../src/shared/results-table'

let tmp: string
let studio: Studio

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-results-'))
  studio = new Studio({ mode: 'cli', homeDir: path.join(tmp, 'home'), jobs: { writeIntervalMs: 0 } })
})
afterEach(async () => {
  await studio.close()
  fs.rmSync(tmp, { recursive: true, force: true })
})

const N = 21
/** Independent formatting of a stored fraction as the tables show it. */
const pct = (v: number | null): string => (v === null ? '—' : (v * 100).toFixed(2))

async function album(name: string, count: number, shade: number): Promise<{ id: number; images: number[] }> {
  const dir = path.join(tmp, name)
  fs.mkdirSync(dir)
  for (let i = 0; i < count; i++)
    await sharp({
      create: { width: 24, height: 16, channels: 3, background: { r: shade, g: 20 * i, b: 255 - shade } },
    })
      .png()
      .toFile(path.join(dir, `${name}-${i}.png`))
  const job = await studio
    .currentJobs()
    .settled((await studio.api.importFolder({ dir, albumName: name })).jobId)
  expect(job.status).toBe('done')
  const a = (await studio.api.listAlbums({})).find((x) => x.name === name)!
  const images = (await studio.api.listImages({ albumId: a.id })).items.map((i) => i.id)
  return { id: a.id, images }
}

interface Stored {
  fiou: number
  miouAll21: number
  miouPresent: number
  /** class → [iou, iouPresent (NaN: absent), images] */
  classes: Record<number, [number, number, number]>
}

/** A done album run with one stored evaluation (the run chain's write path). */
function run(
  p: Project,
  albumId: number,
  method: string,
  images: number[],
  s: Stored,
  opts: { maskVersion?: number; sourceRunId?: number } = {},
): number {
  const runs = new RunsRepo(p.db, p.paths)
  const splitId = p.albums.get(albumId).splitId
  const id = runs.create({
    kind: 'album',
    method,
    albumId,
    config: { method, ...(opts.sourceRunId ? { sourceRunId: opts.sourceRunId } : {}) },
    seed: 0,
    backend: 'wasm',
    codeVersion: 'test',
    splitId,
    jobId: null,
  })
  runs.markRunning(id)
  const perClass = new Float64Array(N)
  const perClassPresent = new Float64Array(N).fill(Number.NaN)
  const perClassImages = new Float64Array(N)
  for (const [c, [iou, present, n]] of Object.entries(s.classes)) {
    perClass[Number(c)] = iou
    perClassPresent[Number(c)] = present
    perClassImages[Number(c)] = n
  }
  new MetricsRepo(p.db).storeEvaluation({
    runId: id,
    albumId,
    images: images.map((imageId, i) => ({ imageId, maskVersion: opts.maskVersion ?? 1, fiou: (i + 1) / 10 })),
    fiou: s.fiou,
    miouAll21: s.miouAll21,
    miouPresent: s.miouPresent,
    perClass,
    perClassPresent,
    perClassImages,
    confusion: { numClasses: N, counts: new Float64Array(N * N) },
  })
  runs.finish(id, 'done', null)
  return id
}

const S = (fiou: number, all21: number, present: number, classes: Stored['classes']): Stored => ({
  fiou,
  miouAll21: all21,
  miouPresent: present,
  classes,
})

describe('projectResults', () => {
  it('returns every scored album run with the stored numbers, and the tables copy them exactly', async () => {
    await studio.api.createProject({ path: path.join(tmp, 'p') })
    const a = await album('alice', 4, 30)
    const b = await album('bob', 4, 200)
    await studio.api.makeSplit({ albumId: a.id, fraction: 0.5, seed: 1 })
    await studio.api.makeSplit({ albumId: b.id, fraction: 0.5, seed: 1 })
    const p = studio.currentProject()
    const runs = new RunsRepo(p.db, p.paths)

    const aOld = run(p, a.id, 'noda', a.images, S(0.4, 0.2, 0.3, { 0: [0.8, 0.8, 4], 12: [0.1, 0.1, 2] }))
    const aNoda = run(
      p,
      a.id,
      'noda',
      a.images,
      S(0.45, 0.21, 0.33, { 0: [0.82, 0.82, 4], 12: [0.15, 0.15, 2] }),
    )
    const aAdv = run(
      p,
      a.id,
      'advent',
      a.images,
      S(0.5, 0.25, 0.35, { 0: [0.85, 0.85, 4], 12: [0.3, 0.3, 2], 15: [0, 0, 0] }),
    )
    const bNoda = run(
      p,
      b.id,
      'noda',
      b.images,
      S(0.3, 0.1, 0.123456, { 0: [0.7, 0.7, 4], 15: [0.2, 0.2, 3] }),
    )
    // Not results: a failed run, a run still going, a source model.
    const failed = runs.create({
      kind: 'album',
      method: 'pss',
      albumId: a.id,
      config: {},
      seed: 0,
      backend: null,
      codeVersion: null,
      splitId: null,
      jobId: null,
    })
    runs.finish(failed, 'failed', 'boom')
    const source = runs.create({
      kind: 'source',
      method: 'noda',
      albumId: null,
      config: {},
      seed: 0,
      backend: null,
      codeVersion: null,
      splitId: null,
      jobId: null,
    })
    runs.finish(source, 'done', null)
    // Bob's split is redrawn (v2): his AdvEnt run is scored on v2, his No-DA run on v1.
    await studio.api.makeSplit({ albumId: b.id, fraction: 0.5, seed: 2 })
    const bAdv = run(
      p,
      b.id,
      'advent',
      b.images,
      S(0.35, 0.15, Number.NaN, { 0: [0.75, 0.75, 4], 15: [0.4, 0.4, 3] }),
    )

    const r = projectResults(p)
    expect(r.runs.map((x) => x.runId)).toEqual([bAdv, bNoda, aAdv, aNoda, aOld])
    expect(r.albums.map((x) => [x.name, x.activeSplitVersion])).toEqual([
      ['alice', 1],
      ['bob', 2],
    ])
    const got = r.runs.find((x) => x.runId === bNoda)!
    expect(got).toMatchObject({
      albumId: b.id,
      albumName: 'bob',
      method: 'noda',
      splitVersion: 1,
      metrics: { images: 4, fiou: 0.3, miouAll21: 0.1, miouPresent: 0.123456 },
    })
    expect(got.maskSet).toMatch(/^[0-9a-f]+$/)
    // Named as the views name runs: the album runs' display numbers (the source run and ids do not count).
    expect(got.name).toMatch(/^No-DA #\d+$/)
    expect(r.runs.map((x) => x.name)).toEqual(r.runs.map((x) => runs.displayName(x.runId)))
    const bAdvName = r.runs.find((x) => x.runId === bAdv)!.name
    expect(bAdvName).toMatch(/^Personalize #\d+ — AdvEnt$/)
    expect(got.perClass[15]).toEqual({ classId: 15, name: 'person', iou: 0.2, iouPresent: 0.2, images: 3 })
    expect(r.runs.find((x) => x.runId === bAdv)!.metrics.miouPresent).toBeNull()
    expect(r.runs.find((x) => x.runId === bAdv)!.splitVersion).toBe(2)

    // The table: newest run per cell, Bob's v1 run flagged against his active split v2.
    const t = buildResultsTable(r, 'miou_all21')
    expect(t.methods).toEqual(['noda', 'advent'])
    expect(t.rows.map((row) => row.cells.map((c) => c?.run.runId))).toEqual([
      [aNoda, aAdv],
      [bNoda, bAdv],
    ])
    expect(t.rows[0]!.cells[0]!.candidates.map((c) => c.runId)).toEqual([aNoda, aOld])
    expect(t.rows[1]!.cells[0]!.note).toContain(`split v1, not v2 like ${bAdvName}`)
    expect(t.rows[1]!.cells[1]!.note).toBeNull()

    const md = resultsMarkdown(t).split('\n')
    expect(md).toContain(
      '| User | Split | No-DA (source only) FIoU | No-DA (source only) MIoU (all 21) | ADVENT (AdvEnt) FIoU | ADVENT (AdvEnt) MIoU (all 21) |',
    )
    expect(md).toContain(`| alice | v1 | ${pct(0.45)} | ${pct(0.21)} | ${pct(0.5)} | ${pct(0.25)} |`)
    expect(md).toContain(`| bob | v1, v2 | ${pct(0.3)} ⚠ | ${pct(0.1)} ⚠ | ${pct(0.35)} | ${pct(0.15)} |`)
    // Mean = mean of the per-user numbers; a column averaging a flagged cell is flagged.
    expect(md).toContain(
      `| Mean |  | ${pct((0.45 + 0.3) / 2)} ⚠ | ${pct((0.21 + 0.1) / 2)} ⚠ | ${pct((0.5 + 0.35) / 2)} | ${pct((0.25 + 0.15) / 2)} |`,
    )
    expect(md.some((l) => l.startsWith(`- bob, ${got.name}: scored on split v1`))).toBe(true)
    expect(md.join('\n')).toContain('absent classes counted as 0')
    expect(md).toContain(
      `Runs: alice: noda #${aNoda}, advent #${aAdv}; bob: noda #${bNoda}, advent #${bAdv}.`,
    )
    // Per-class (all users): mean of the per-user class IoUs; images summed over the users.
    expect(md).toContain(`| background | ${pct((0.82 + 0.7) / 2)} | ${pct((0.85 + 0.75) / 2)} | 8 |`)
    expect(md).toContain(`| person | ${pct(0.2 / 2)} | ${pct((0 + 0.4) / 2)} | 3 |`)
    expect(md).toContain(`| dog | ${pct(0.15 / 2)} | ${pct(0.3 / 2)} | 2 |`)

    // Another run picked for a cell; the other MIoU convention (Bob's AdvEnt has none defined).
    const picked = buildResultsTable(r, 'miou_present', new Map([[`${a.id}:noda`, aOld]]))
    const md2 = resultsMarkdown(picked).split('\n')
    expect(md2).toContain(`| alice | v1 | ${pct(0.4)} | ${pct(0.3)} | ${pct(0.5)} | ${pct(0.35)} |`)
    expect(md2).toContain(`| bob | v1, v2 | ${pct(0.3)} ⚠ | ${pct(0.123456)} ⚠ | ${pct(0.35)} | — |`)
    expect(md2).toContain(
      `| Mean |  | ${pct((0.4 + 0.3) / 2)} ⚠ | ${pct((0.3 + 0.123456) / 2)} ⚠ | ${pct((0.5 + 0.35) / 2)} | ${pct(0.35)} |`,
    )
    expect(md2.join('\n')).toContain('mmsegmentation')
    // Present convention per class: users where the class is absent from GT and prediction are skipped
    // (Alice's No-DA run has no person at all; her AdvEnt run predicted one: IoU 0, counted).
    expect(classTable(picked, 'all')[15]!.iou).toEqual([0.2, (0 + 0.4) / 2])
    expect(classTable(t, 'all')[15]!.iou).toEqual([(0 + 0.2) / 2, (0 + 0.4) / 2])
    expect(classTable(picked, b.id)[0]).toMatchObject({ name: 'background', iou: [0.7, 0.75], images: 4 })

    const csv = resultsCsv(t).split('\n')
    expect(csv[0]).toBe(
      'User,Split,No-DA (source only) FIoU,No-DA (source only) MIoU (all 21),ADVENT (AdvEnt) FIoU,ADVENT (AdvEnt) MIoU (all 21)',
    )
    expect(csv[1]).toBe(`alice,v1,${pct(0.45)},${pct(0.21)},${pct(0.5)},${pct(0.25)}`)
    expect(csv[2]).toBe(`bob,"v1, v2",${pct(0.3)} ⚠,${pct(0.1)} ⚠,${pct(0.35)},${pct(0.15)}`)
  })

  it('goes through the API door (zod: no arguments) and reads an empty project', async () => {
    await studio.api.createProject({ path: path.join(tmp, 'p') })
    await album('solo', 2, 90)
    const r = await studio.api.projectResults({})
    expect(r.runs).toEqual([])
    expect(r.albums.map((x) => x.name)).toEqual(['solo'])
    const t = buildResultsTable(r, 'miou_all21')
    expect(t.rows).toEqual([])
    expect(t.unscoredAlbums.map((x) => x.name)).toEqual(['solo'])
    await expect(studio.dispatch('projectResults', { albumId: 1 })).rejects.toMatchObject({
      payload: { code: 'BAD_ARGUMENTS' },
    })
  })
})

describe('computeEmbedding on encoder features', () => {
  it('needs a trained source model, picks the album run’s one, and says which features the map shows', async () => {
    await studio.api.createProject({ path: path.join(tmp, 'p') })
    const a = await album('enc', 6, 60)
    const p = studio.currentProject()
    await expect(studio.api.computeEmbedding({ albumId: a.id, features: 'encoder' })).rejects.toThrow(
      /no trained source model/,
    )

    const runs = new RunsRepo(p.db, p.paths)
    const source = runs.create({
      kind: 'source',
      method: 'noda',
      albumId: null,
      config: {},
      seed: 3,
      backend: 'wasm',
      codeVersion: null,
      splitId: null,
      jobId: null,
    })
    await selectBackend({ force: 'wasm', env: {} })
    await runTraining(
      parseTrainConfig({
        runDir: runs.dir(source),
        seed: 3,
        steps: 2,
        batch: 2,
        size: 32,
        width: 16,
        checkpointEvery: 0,
        backend: 'wasm',
      }),
      false,
      {
        shouldStop: () => false,
        onStarted: () => {},
        onProgress: () => {},
        onCheckpoint: () => {},
      },
    )
    runs.finish(source, 'done', null)
    const other = runs.create({
      kind: 'source',
      method: 'noda',
      albumId: null,
      config: {},
      seed: 4,
      backend: 'wasm',
      codeVersion: null,
      splitId: null,
      jobId: null,
    })
    runs.finish(other, 'failed', 'stopped')
    expect(embeddingSourceRun(p, a.id, undefined)).toBe(source)
    await expect(
      studio.api.computeEmbedding({ albumId: a.id, features: 'encoder', sourceRunId: other }),
    ).rejects.toThrow(/has no trained model/)

    const { jobId } = await studio.api.computeEmbedding({ albumId: a.id, features: 'encoder', method: 'pca' })
    const job = await studio.currentJobs().settled(jobId)
    expect(job.status, job.error ?? '').toBe('done')
    const e = (await studio.api.albumEmbedding({ albumId: a.id }))!
    expect(e.featureKind).toBe('encoder')
    expect(e.sourceRunId).toBe(source)
    expect(e.features).toMatch(
      new RegExp(`^encoder of source model #${source} \\(checkpoint iteration 2, \\d+-d, 32² input\\)$`),
    )
    expect(e.ids.length).toBe(6)
    expect(new Set(e.x.map((v) => v.toFixed(6))).size).toBeGreaterThan(1)

    // The colour map of the same album says so.
    const c = await studio
      .currentJobs()
      .settled((await studio.api.computeEmbedding({ albumId: a.id, method: 'pca' })).jobId)
    expect(c.status).toBe('done')
    const ce = (await studio.api.albumEmbedding({ albumId: a.id }))!
    expect([ce.featureKind, ce.sourceRunId]).toEqual(['color', null])
    expect(ce.features).toMatch(/^color /)
  }, 120_000)
})
