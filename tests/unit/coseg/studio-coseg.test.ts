/**
 * startCoseg through the Studio API on a tiny album (seven 32×28 photos of a red "dog" on varied
 * backgrounds) with a source model trained for a few steps on labelled copies of them: the album is
 * clustered first, every tagged image gets a stored proposal whose PNG decodes at the image's size with
 * classes ⊆ {background} ∪ its tags, untagged images are skipped and counted, bad tags are reported by
 * image name, a re-run replaces the proposals with identical bytes (deterministic), and bad requests
 * fail before a job exists. Then the CLI runs the same on the closed project.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { cosegPseudoLabelled } from '../../../src/main/app/coseg-handlers'
import { runCli } from '../../../src/main/cli/run'
import { selectBackend } from '../../../src/main/engine/backend/select-backend'
import { featuresAndLogits } from '../../../src/main/engine/coseg/coseg-model'
import { inputBatch } from '../../../src/main/engine/infer/predict-labels'
import { loadRunModel } from '../../../src/main/engine/infer/load-run-model'
import { parseTrainConfig, runTraining } from '../../../src/main/engine/runs'
import { decodeRgb } from '../../../src/main/media/decode'
import { decodeLabelPng, encodeLabelPng } from '../../../src/main/media/label-png'
import type { ImageRow } from '../../../src/main/project/images-repo'
import { ProposalsRepo } from '../../../src/main/project/proposals-repo'
import { RunsRepo } from '../../../src/main/project/runs-repo'
import type { CosegJobResult } from '../../../src/shared/coseg'

const DOG = 12
const CAT = 8
/** Enough steps at 32² for the model to tell the red dog from the backgrounds (a few seconds). */
const STEPS = 40
const W = 32
const H = 28
let tmp = ''
let projectDir = ''
let studio: Studio
let albumId = 0
let sourceRunId = 0
const ids = new Map<string, number>()
const savedBackend = process.env.PSS_BACKEND

/** Photo k: a red square (the dog) at a position that varies, on a background colour that varies. */
function photo(k: number): { rgb: Buffer; labels: Uint8Array } {
  const rgb = Buffer.alloc(W * H * 3)
  const labels = new Uint8Array(W * H)
  const x0 = 4 + ((k * 5) % 12)
  const y0 = 3 + ((k * 3) % 10)
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = y * W + x
      const dog = x >= x0 && x < x0 + 12 && y >= y0 && y < y0 + 12
      labels[i] = dog ? DOG : 0
      rgb[i * 3] = dog ? 210 : 20 + k * 9
      rgb[i * 3 + 1] = dog ? 30 : 90 + ((x * 3 + k * 17) % 60)
      rgb[i * 3 + 2] = dog ? 40 : 160 - k * 7
    }
  return { rgb, labels }
}

async function proposalsOf(): Promise<
  Map<number, { bytes: Buffer; classes: number[]; meta: Record<string, unknown>; label: string }>
> {
  const project = studio.currentProject()
  const repo = new ProposalsRepo(project.db, project.paths)
  const out = new Map<
    number,
    { bytes: Buffer; classes: number[]; meta: Record<string, unknown>; label: string }
  >()
  for (const id of ids.values()) {
    const mine = repo.listForImage(id).filter((p) => p.sourceId === `tags:album-${albumId}`)
    expect(mine.length).toBeLessThanOrEqual(1)
    if (mine[0]) {
      expect(mine[0].kind).toBe('tags')
      out.set(id, {
        bytes: fs.readFileSync(repo.filePath(mine[0])),
        classes: mine[0].classes,
        meta: mine[0].meta,
        label: mine[0].label,
      })
    }
  }
  return out
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-coseg-'))
  process.env.PSS_BACKEND = 'wasm'
  const photos = path.join(tmp, 'photos')
  const labelled = path.join(tmp, 'labelled')
  fs.mkdirSync(photos)
  fs.mkdirSync(labelled)
  const items: { image: string; mask: string }[] = []
  for (let k = 0; k < 7; k++) {
    const { rgb, labels } = photo(k)
    const file = path.join(photos, `p${k}.png`)
    await sharp(rgb, { raw: { width: W, height: H, channels: 3 } })
      .png()
      .toFile(file)
    const mask = path.join(labelled, `p${k}.png`)
    fs.writeFileSync(mask, encodeLabelPng({ width: W, height: H, labels }))
    items.push({ image: file, mask })
  }
  studio = new Studio({ mode: 'cli', homeDir: path.join(tmp, 'home') })
  projectDir = path.join(tmp, 'project')
  await studio.api.createProject({ path: projectDir })
  const { jobId } = await studio.api.importFolder({ dir: photos, albumName: 'pets' })
  const job = await studio.currentJobs().settled(jobId)
  expect(job.status, job.error ?? '').toBe('done')
  albumId = (await studio.api.listAlbums({}))[0]!.id
  for (const img of (await studio.api.listImages({ albumId })).items)
    ids.set(img.name.replace(/\.png$/, ''), img.id)
  for (const k of [0, 1, 2, 3]) await studio.api.setImageTags({ imageId: ids.get(`p${k}`)!, tags: [DOG] })
  await studio.api.setImageTags({ imageId: ids.get('p4')!, tags: [DOG, CAT] })
  // Tags an import or an older version could have stored: not VOC classes.
  const db = studio.currentProject().db
  db.prepare('UPDATE images SET tags = ? WHERE id = ?').run('[12, 25, "unicorn"]', ids.get('p5')!)
  db.prepare('UPDATE images SET tags = ? WHERE id = ?').run('[99]', ids.get('p6')!)

  // A source model: a few steps on the labelled copies, in the run folder of a 'source' run row.
  const project = studio.currentProject()
  const runs = new RunsRepo(project.db, project.paths)
  sourceRunId = runs.create({
    kind: 'source',
    method: 'source',
    albumId: null,
    config: { test: 'coseg' },
    seed: 0,
    backend: 'wasm',
    codeVersion: 'test',
    splitId: null,
    jobId: null,
  })
  await selectBackend({ force: 'wasm', env: {} })
  const config = parseTrainConfig({
    runDir: runs.dir(sourceRunId),
    seed: 0,
    steps: STEPS,
    batch: 2,
    size: 32,
    width: 16,
    checkpointEvery: 0,
    backend: 'wasm',
    data: { kind: 'files', items, numClasses: 21 },
  })
  await runTraining(config, false, {
    shouldStop: () => false,
    onStarted: () => {},
    onProgress: () => {},
    onCheckpoint: () => {},
  })
  runs.finish(sourceRunId, 'done', null)
}, 180_000)

afterAll(async () => {
  await studio?.close()
  if (savedBackend === undefined) delete process.env.PSS_BACKEND
  else process.env.PSS_BACKEND = savedBackend
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('co-segmentation in the studio', () => {
  let first: Map<number, { bytes: Buffer; classes: number[]; meta: Record<string, unknown>; label: string }>

  it('reads the same logits as the model, and its features feed them', async () => {
    const run = await loadRunModel(
      new RunsRepo(studio.currentProject().db, studio.currentProject().paths).dir(sourceRunId),
    )
    try {
      const img = await decodeRgb(path.join(tmp, 'photos', 'p0.png'))
      const x = inputBatch([img], 32)
      const ref = tf.tidy(() => run.model.forward(x, false).main)
      const got = featuresAndLogits(run.model, x)
      expect(got.logits.shape).toEqual([1, 4, 4, 21])
      expect(got.features.shape[3]).toBeGreaterThan(0)
      const a = await got.logits.data()
      const b = await ref.data()
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 5))
      tf.dispose([x, ref, got.logits, got.features])
    } finally {
      run.model.dispose()
    }
  })

  it('clusters the album first, stores one proposal per tagged image, classes within the tags', async () => {
    expect(await studio.api.listClusterings({ albumId })).toEqual([])
    const { jobId } = await studio.api.startCoseg({ albumId, runId: sourceRunId })
    const job = await studio.currentJobs().settled(jobId)
    expect(job.status, job.error ?? '').toBe('done')
    expect(job.kind).toBe('coseg')
    const r = job.result as CosegJobResult
    expect(r).toMatchObject({
      status: 'done',
      albumId,
      runId: sourceRunId,
      modelRunId: sourceRunId,
      checkpointIteration: STEPS,
      sourceId: `tags:album-${albumId}`,
      images: 7,
      tagged: 6,
      untagged: 1,
      unreadable: 0,
      proposed: 6,
    })
    // Bad tags named by image (and in the job's problems); p5 keeps its valid tag, p6 has none left.
    expect(r.badTags).toEqual([
      { imageId: ids.get('p5'), image: 'p5.png', tags: [25, 'unicorn'] },
      { imageId: ids.get('p6'), image: 'p6.png', tags: [99] },
    ])
    expect(job.problems.map((p) => p.file).sort()).toEqual(['p5.png', 'p6.png'])
    expect(job.problems.find((p) => p.file === 'p5.png')!.reason).toMatch(/25.*unicorn.*not VOC classes/)
    const clusterings = await studio.api.listClusterings({ albumId })
    expect(clusterings.map((c) => c.id)).toEqual([r.clusteringId])
    expect(r.groups).toBe(clusterings[0]!.k)

    first = await proposalsOf()
    expect([...first.keys()].sort()).toEqual(
      ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'].map((n) => ids.get(n)!).sort(),
    )
    for (const [id, p] of first) {
      const map = decodeLabelPng(p.bytes)
      expect(map.kind).toBe('palette')
      expect([map.width, map.height]).toEqual([W, H])
      const present = [...new Set(map.labels)].filter((v) => v !== 255).sort((a, b) => a - b)
      expect(p.classes).toEqual(present)
      const allowed = id === ids.get('p4') ? [0, CAT, DOG] : [0, DOG]
      for (const c of present) expect(allowed).toContain(c)
      expect(p.meta).toMatchObject({
        albumId,
        modelRunId: sourceRunId,
        tags: id === ids.get('p4') ? [CAT, DOG] : [DOG],
      })
      expect(p.label).toMatch(/^Tag co-segmentation \(cluster \d+\)$/)
      // The proposal finds the dog: its dog pixels overlap the true square (IoU over half).
      const k = Number([...ids].find(([, v]) => v === id)![0].slice(1))
      const truth = photo(k).labels
      let inter = 0
      let union = 0
      map.labels.forEach((v, i) => {
        if (v === DOG && truth[i] === DOG) inter++
        if (v === DOG || truth[i] === DOG) union++
      })
      expect(inter / union, `p${k}`).toBeGreaterThan(0.5)
    }
  }, 180_000)

  it('replaces the proposals on a re-run with identical bytes', async () => {
    const { jobId } = await studio.api.startCoseg({ albumId, runId: sourceRunId })
    const job = await studio.currentJobs().settled(jobId)
    expect(job.status, job.error ?? '').toBe('done')
    expect((job.result as CosegJobResult).clusteringId).toBeNull() // the album has one now
    const again = await proposalsOf()
    expect([...again.keys()].sort()).toEqual([...first.keys()].sort())
    for (const [id, p] of again) expect(p.bytes.equals(first.get(id)!.bytes)).toBe(true)
    const files = fs.readdirSync(path.join(projectDir, 'proposals', `tags_album-${albumId}`))
    expect(files.length).toBe(first.size) // the replaced files are gone
  }, 180_000)

  it('offers the proposals as pseudo-labelled files a training run learns from (255 ignored)', async () => {
    const project = studio.currentProject()
    const items = cosegPseudoLabelled(project, albumId, { requireObject: true })
    expect(items.map((i) => i.imageId).sort()).toEqual([...first.keys()].sort())
    for (const it of items)
      expect(decodeLabelPng(fs.readFileSync(it.mask)).labels.some((v) => v === DOG)).toBe(true)
    // "Initial mask generator → final model": a model trained on the proposals alone (a few steps).
    const runDir = path.join(tmp, 'from-proposals')
    const config = parseTrainConfig({
      runDir,
      seed: 1,
      steps: 2,
      batch: 2,
      size: 32,
      width: 16,
      checkpointEvery: 0,
      backend: 'wasm',
      data: { kind: 'files', items: items.map(({ image, mask }) => ({ image, mask })), numClasses: 21 },
    })
    const problems: string[] = []
    const losses: number[] = []
    const outcome = await runTraining(config, false, {
      shouldStop: () => false,
      onStarted: () => {},
      onProgress: (p) => losses.push(p.loss),
      onCheckpoint: () => {},
      onProblem: (p) => problems.push(`${p.file}: ${p.reason}`),
    })
    expect(problems).toEqual([])
    expect(outcome.status).toBe('done')
    expect(losses.length).toBe(2)
    for (const l of losses) expect(Number.isFinite(l) && l > 0).toBe(true)
  }, 120_000)

  it('refuses bad requests before a job exists', async () => {
    const before = (await studio.api.listJobs({})).length
    await expect(studio.api.startCoseg({ albumId, runId: 9999 })).rejects.toMatchObject({
      payload: { code: 'NOT_FOUND' },
    })
    await expect(studio.api.startCoseg({ albumId: 9999, runId: sourceRunId })).rejects.toMatchObject({
      payload: { code: 'NOT_FOUND' },
    })
    await expect(
      studio.api.startCoseg({ albumId, runId: sourceRunId, affinityWeight: 2 }),
    ).rejects.toMatchObject({
      payload: { code: 'BAD_ARGUMENTS' },
    })
    const db = studio.currentProject().db
    const runs = new RunsRepo(db, studio.currentProject().paths)
    const unfinished = runs.create({
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
    await expect(studio.api.startCoseg({ albumId, runId: unfinished })).rejects.toThrow(
      /is queued; co-segmentation needs a finished run/,
    )
    const adapted = runs.create({
      kind: 'album',
      method: 'advent',
      albumId,
      config: { sourceRunId },
      seed: 0,
      backend: null,
      codeVersion: null,
      splitId: null,
      jobId: null,
    })
    runs.finish(adapted, 'done', null)
    await expect(studio.api.startCoseg({ albumId, runId: adapted })).rejects.toThrow(
      /advent run; co-segmentation uses a source model/,
    )
    expect((await studio.api.listJobs({})).length).toBe(before)
  })

  it("uses a No-DA run's source model, and skips an unreadable image by name keeping its earlier proposal", async () => {
    const project = studio.currentProject()
    const runs = new RunsRepo(project.db, project.paths)
    const noda = runs.create({
      kind: 'album',
      method: 'noda',
      albumId,
      config: { sourceRunId },
      seed: 0,
      backend: null,
      codeVersion: null,
      splitId: null,
      jobId: null,
    })
    runs.finish(noda, 'done', null)
    const before = await proposalsOf()
    const p3 = ids.get('p3')!
    const file = project.originalPath(
      project.db.prepare('SELECT * FROM images WHERE id = ?').get(p3) as ImageRow,
    )
    const bytes = fs.readFileSync(file)
    fs.writeFileSync(file, 'not an image any more')
    try {
      const { jobId } = await studio.api.startCoseg({ albumId, runId: noda, crf: false })
      const job = await studio.currentJobs().settled(jobId)
      expect(job.status, job.error ?? '').toBe('done')
      expect(job.result).toMatchObject({
        status: 'done',
        runId: noda,
        modelRunId: sourceRunId,
        tagged: 6,
        unreadable: 1,
        proposed: 5,
      })
      expect(job.problems.find((p) => p.file === file)?.reason).toMatch(/cannot decode the image/)
      const after = await proposalsOf()
      expect(after.get(p3)!.bytes.equals(before.get(p3)!.bytes)).toBe(true)
      expect(after.get(ids.get('p0')!)!.meta.config).toMatchObject({ crf: null })
    } finally {
      fs.writeFileSync(file, bytes)
    }
  }, 180_000)
})

describe('pss-studio coseg', () => {
  it('runs on the closed project and prints what it stored', async () => {
    await studio.close()
    const out: string[] = []
    const err: string[] = []
    const io = {
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
      signal: new AbortController().signal,
    }
    const code = await runCli(
      ['coseg', '--project', projectDir, '--album', 'pets', '--run', String(sourceRunId), '--no-crf'],
      io,
    )
    expect(code, err.join('\n')).toBe(0)
    expect(out.join('\n')).toMatch(/6 proposal\(s\) stored as "tags:album-\d+"/)
    expect(out.join('\n')).toMatch(/bad tags on p6\.png: 99/)
    expect(err.join('\n')).toMatch(/problem: p5\.png: tags 25, "unicorn" are not VOC classes/)
    expect(await runCli(['coseg', '--project', projectDir, '--album', 'pets', '--run', 'x'], io)).toBe(2)
  }, 180_000)
})
