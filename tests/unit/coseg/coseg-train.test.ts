/**
 * Tag-proposal self-training (`coseg-st`) through the Studio API on the tiny demo project: refused without
 * proposals (and when only validation images have them); with proposals, it fine-tunes the No-DA source
 * model (reused, same config) on the labelled source set plus the proposals of the album's non-validation
 * images, predicts the album, scores the validation split, and selects a snapshot of its stage. Validation
 * images' proposals are corrupt files here: had the worker been given one, it would have reported it.
 * Then the CLI runs the same method on the closed project.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COSEG_TRAINING_FILE } from '../../../src/main/app/coseg-training'
import { ensureDemoProject } from '../../../src/main/app/demo-project'
import { Studio } from '../../../src/main/app/studio'
import { runCli } from '../../../src/main/cli/run'
import { encodeLabelPng } from '../../../src/main/media/label-png'
import type { ImageRow } from '../../../src/main/project/images-repo'
import { ProposalsRepo } from '../../../src/main/project/proposals-repo'
import { RunsRepo } from '../../../src/main/project/runs-repo'
import { cosegSourceId } from '../../../src/shared/coseg'

const PERSON = 15
let tmp = ''
let projectDir = ''
let studio: Studio
let albumId = 0
let albumName = ''
let validationIds: number[] = []
let otherIds: number[] = []
const savedBackend = process.env.PSS_BACKEND

/** A proposal: a PERSON block in the lower left, background on the right, the top half unlabelled (255). */
async function proposalPng(imageFile: string, object: boolean): Promise<Uint8Array> {
  const meta = await sharp(imageFile).metadata()
  const width = meta.width!
  const height = meta.height!
  const labels = new Uint8Array(width * height).fill(255)
  for (let y = Math.floor(height / 2); y < height; y++)
    for (let x = 0; x < width; x++) labels[y * width + x] = object && x < width / 2 ? PERSON : 0
  return encodeLabelPng({ width, height, labels })
}

async function putProposals(ids: number[], opts: { object: (id: number) => boolean }): Promise<void> {
  const project = studio.currentProject()
  const rows = ids.map((id) => project.db.prepare('SELECT * FROM images WHERE id = ?').get(id) as ImageRow)
  const inputs = []
  for (const r of rows) {
    const object = opts.object(r.id)
    inputs.push({
      imageId: r.id,
      kind: 'tags' as const,
      sourceId: cosegSourceId(albumId),
      label: 'Tag co-segmentation (test)',
      png: await proposalPng(project.originalPath(r), object),
      classes: object ? [0, PERSON] : [0],
    })
  }
  new ProposalsRepo(project.db, project.paths).putMany(inputs)
}

function proposalFile(imageId: number): string {
  const project = studio.currentProject()
  const repo = new ProposalsRepo(project.db, project.paths)
  const p = repo.listForImage(imageId).find((x) => x.sourceId === cosegSourceId(albumId))!
  return repo.filePath(p)
}

function runCount(): number {
  return (studio.currentProject().db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-coseg-train-'))
  process.env.PSS_BACKEND = 'wasm'
  const demo = await ensureDemoProject(path.join(tmp, 'demo'), { preset: 'tiny' })
  projectDir = demo.path
  studio = new Studio({ mode: 'cli', homeDir: path.join(tmp, 'home') })
  await studio.openProjectPath(projectDir)
  const album = (await studio.api.listAlbums({})).find((a) => a.validationMaskedCount > 0)!
  albumId = album.id
  albumName = album.name
  const db = studio.currentProject().db
  const members = new Set(
    (
      db.prepare('SELECT image_id FROM split_members WHERE split_id = ?').all(album.splitId) as {
        image_id: number
      }[]
    ).map((r) => r.image_id),
  )
  const all = (
    db.prepare('SELECT id FROM images WHERE album_id = ? ORDER BY id').all(albumId) as { id: number }[]
  ).map((r) => r.id)
  validationIds = all.filter((id) => members.has(id))
  otherIds = all.filter((id) => !members.has(id))
  expect(validationIds.length).toBeGreaterThan(0)
  expect(otherIds.length).toBeGreaterThanOrEqual(3)
}, 180_000)

afterAll(async () => {
  await studio?.close()
  if (savedBackend === undefined) delete process.env.PSS_BACKEND
  else process.env.PSS_BACKEND = savedBackend
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('tag-proposal self-training (coseg-st)', () => {
  it('is refused, before any run or job exists, while the album has no proposals to train on', async () => {
    const runs = runCount()
    const jobs = (await studio.api.listJobs({})).length
    await expect(
      studio.api.startRun({ albumId, method: 'coseg-st', iterations: 4, size: 32 }),
    ).rejects.toThrow(/make tag proposals first: album ".*" has no tag co-segmentation proposals/)
    // Proposals on validation images only: never trained on, so still nothing to train on.
    await putProposals(validationIds, { object: () => true })
    await expect(
      studio.api.startRun({ albumId, method: 'coseg-st', iterations: 4, size: 32 }),
    ).rejects.toThrow(
      new RegExp(
        `make tag proposals first: none of album .*'s ${validationIds.length} tag proposals can be trained on \\(${validationIds.length} on validation images`,
      ),
    )
    expect(runCount()).toBe(runs)
    expect((await studio.api.listJobs({})).length).toBe(jobs)
  })

  it('fine-tunes the No-DA source model on source + non-validation proposals, predicts, scores and selects a snapshot', async () => {
    const noda = await studio.api.startRun({ albumId, method: 'noda', iterations: 4, size: 32 })
    const nodaJob = await studio.currentJobs().settled(noda.jobId)
    expect(nodaJob.status, nodaJob.error ?? '').toBe('done')
    const sourceRunId = (await studio.api.getRun({ runId: noda.runId })).sourceRunId!

    // Validation images' proposals become unreadable: the run must never hand them to the worker.
    for (const id of validationIds) fs.writeFileSync(proposalFile(id), 'not a PNG (validation proposal)')
    const noObject = otherIds[0]!
    const corrupt = otherIds[1]!
    await putProposals(otherIds, { object: (id) => id !== noObject })
    fs.writeFileSync(proposalFile(corrupt), 'not a PNG (training proposal)')
    const trained = otherIds.filter((id) => id !== noObject)

    const started = await studio.api.startRun({
      albumId,
      method: 'coseg-st',
      iterations: 4,
      adaptIterations: 3,
      size: 32,
      snapshotEvery: 1,
    })
    const job = await studio.currentJobs().settled(started.jobId)
    expect(job.status, job.error ?? '').toBe('done')
    const run = await studio.api.getRun({ runId: started.runId })
    expect(run).toMatchObject({ method: 'coseg-st', status: 'done', error: null, sourceRunId })
    expect(run.metrics!.images).toBe(run.maskCount)
    expect(run.metrics!.images).toBeGreaterThan(0)
    expect(run.config).toMatchObject({
      sourceReused: true,
      cosegTraining: {
        proposalsSource: cosegSourceId(albumId),
        proposalImages: trained.length,
        proposalImageIds: expect.arrayContaining(trained),
        validationProposalsExcluded: validationIds.length,
        noObjectProposalsExcluded: 1,
        stage: 'coseg-st',
      },
    })
    expect(JSON.stringify(run.config)).toMatch(/validation images are left out/)

    const project = studio.currentProject()
    const runDir = path.join(project.paths.runs, String(run.id))
    const listed = JSON.parse(fs.readFileSync(path.join(runDir, COSEG_TRAINING_FILE), 'utf8')) as {
      proposals: { imageId: number; proposal: string }[]
      validationExcluded: { imageId: number }[]
      init: string
    }
    expect(listed.proposals.map((p) => p.imageId).sort((a, b) => a - b)).toEqual(trained)
    expect(listed.validationExcluded.map((v) => v.imageId).sort((a, b) => a - b)).toEqual(validationIds)
    for (const p of listed.proposals)
      expect(path.join(project.paths.root, p.proposal)).toBe(proposalFile(p.imageId))
    expect(listed.init).toMatch(
      new RegExp(`^Source model #\\d+ \\(run id ${sourceRunId}; its latest checkpoint\\)$`),
    )

    // What the worker trained on (the stage's run.json): the labelled source set, then the proposals.
    const stage = JSON.parse(fs.readFileSync(path.join(runDir, 'adapt', 'coseg-st', 'run.json'), 'utf8')) as {
      config: {
        source: { image: string; mask: string }[]
        target: unknown[]
        init: { kind: string; dir: string }
        method: { kind: string }
      }
    }
    const sourceMasks = new RunsRepo(project.db, project.paths).masks(sourceRunId).length
    expect(sourceMasks).toBeGreaterThan(0)
    expect(stage.config.source.length).toBe(sourceMasks + trained.length)
    const pseudo = stage.config.source.slice(sourceMasks)
    expect(pseudo.map((s) => s.mask).sort()).toEqual(trained.map(proposalFile).sort())
    const validationImages = new Set(
      validationIds.map((id) =>
        project.originalPath(project.db.prepare('SELECT * FROM images WHERE id = ?').get(id) as ImageRow),
      ),
    )
    for (const s of stage.config.source) expect(validationImages.has(s.image)).toBe(false)
    expect(stage.config.target).toEqual([])
    expect(stage.config.method.kind).toBe('noda')
    expect(stage.config.init.kind).toBe('checkpoint')
    expect(stage.config.init.dir.startsWith(path.join(project.paths.runs, String(sourceRunId)))).toBe(true)

    // The worker read the proposals: the corrupt training one is reported by file, no validation one is.
    const problems = job.problems.map((p) => p.file)
    expect(problems).toContain(proposalFile(corrupt))
    for (const id of validationIds) expect(problems).not.toContain(proposalFile(id))

    // Predictions of every album image; the stage's curve and snapshots like any adaptation stage.
    const ids = [...validationIds, ...otherIds].sort((a, b) => a - b)
    expect(fs.readdirSync(path.join(runDir, 'predictions')).sort()).toEqual(
      ids.flatMap((id) => [`${id}.png`, `${id}_color.png`]).sort(),
    )
    expect(run.stageCurves.map((c) => c.stage)).toEqual(['coseg-st'])
    expect(run.stageCurves[0]!.points.length).toBe(3)
    const snaps = await studio.api.runSnapshots({ runId: run.id })
    expect(snaps.stage).toBe('coseg-st')
    // The source model it fine-tuned competes as iteration 0.
    expect(snaps.points.map((p) => [p.stage, p.iteration])).toEqual([
      ['source-model', 0],
      ['coseg-st', 1],
      ['coseg-st', 2],
      ['coseg-st', 3],
    ])
    expect(snaps.choice).not.toBeNull()
    const again = await studio.api.evaluateSnapshots({ runId: run.id, select: 'oracle' })
    const evaluated = await studio.currentJobs().settled(again.jobId)
    expect(evaluated.status, evaluated.error ?? '').toBe('done')
    expect((await studio.api.runSnapshots({ runId: run.id })).choice?.mode).toBe('oracle')
  }, 600_000)
})

describe('pss-studio run --method coseg-st', () => {
  it('runs on the closed project and prints the run', async () => {
    await studio.close()
    const out: string[] = []
    const err: string[] = []
    const io = {
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
      signal: new AbortController().signal,
    }
    const argv = [
      'run',
      '--project',
      projectDir,
      '--album',
      albumName,
      '--method',
      'coseg-st',
      '--iterations',
      '4',
      '--adapt-iterations',
      '2',
      '--size',
      '32',
      '--json',
    ]
    const code = await runCli(argv, io)
    expect(code, err.join('\n')).toBe(0)
    const run = JSON.parse(out.join('\n')) as {
      method: string
      status: string
      config: { cosegTraining: { proposalImages: number } }
    }
    expect(run).toMatchObject({ method: 'coseg-st', status: 'done' })
    expect(run.config.cosegTraining.proposalImages).toBe(otherIds.length - 1)
  }, 600_000)
})
