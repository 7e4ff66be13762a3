/**
 * Runs from an imported PyTorch model in the studio: `pss-studio model add` stores a torchvision LR-ASPP
 * (random weights, written by Debian's torchvision at test time) in the tiny demo project; No-DA then
 * predicts and scores the album with it (no source training), and AdvEnt adapts it (tiny iterations).
 * Each run record names the model and its sha256; both runs share the model's source run; the AdvEnt
 * run says which aux terms it leaves out; OURS is refused before any job exists.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDemoProject } from '../../../src/main/app/demo-project'
import { Studio } from '../../../src/main/app/studio'
import { sha256FileSync } from '../../../src/main/project/source-models-repo'
import { torchUnavailable } from '../engine/torch/python-fixtures'
import { cli } from '../cli/helpers'
import { albumWithMasks } from './fixtures/demo-studio'

const noTorch = torchUnavailable()
const RUN = { adaptIterations: 2, size: 32, seed: 4 } as const
let tmp = ''
let studio: Studio | null = null
let albumId = 0
let model = { id: 0, name: '', arch: '', sha256: '' }
let projectDir = ''
let nodaRunId = 0
let adventRunId = 0
/** `pss-studio run --source-model 1` (No-DA), run before the studio opens the project. */
let cliRun: { code: number; out: string; err: string } | null = null
const savedBackend = process.env.PSS_BACKEND

beforeAll(async () => {
  if (noTorch) return
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-imported-run-'))
  process.env.PSS_BACKEND = 'wasm'
  const file = path.join(tmp, 'lraspp-voc.pth')
  execFileSync(
    '/usr/bin/python3',
    [
      '-c',
      'import sys, torch; from torchvision.models import segmentation as s; torch.manual_seed(7); ' +
        'torch.save(s.lraspp_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=21).state_dict(), sys.argv[1])',
      file,
    ],
    { stdio: 'pipe', timeout: 120_000 },
  )
  const demo = await ensureDemoProject(path.join(tmp, 'demo'), { preset: 'tiny' })
  const added = await cli('model', 'add', '--project', demo.path, '--pth', file, '--json')
  expect(added.code, added.err).toBe(0)
  const info = JSON.parse((await cli('info', '--project', demo.path, '--json')).out) as {
    albums: { name: string; validationMaskedCount: number }[]
  }
  const albumName = info.albums.find((a) => a.validationMaskedCount >= 1)!.name
  cliRun = await cli(
    'run',
    '--project',
    demo.path,
    '--album',
    albumName,
    '--method',
    'noda',
    '--source-model',
    '1',
    '--size',
    '32',
    '--json',
  )
  projectDir = demo.path
  studio = new Studio({ mode: 'cli', homeDir: path.join(tmp, 'home') })
  await studio.openProjectPath(demo.path)
  albumId = albumWithMasks(await studio.api.listAlbums({}))
  const [m] = await studio.api.listSourceModels({})
  model = { id: m!.id, name: m!.name, arch: m!.arch, sha256: sha256FileSync(file) }
}, 300_000)

afterAll(async () => {
  await studio?.close()
  if (savedBackend === undefined) delete process.env.PSS_BACKEND
  else process.env.PSS_BACKEND = savedBackend
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

async function runToEnd(method: 'noda' | 'advent') {
  const s = studio!
  const started = await s.api.startRun({ albumId, method, sourceModelId: model.id, ...RUN })
  const job = await s.currentJobs().settled(started.jobId)
  expect(job.status, job.error ?? '').toBe('done')
  return s.api.getRun({ runId: started.runId })
}

describe.skipIf(noTorch !== null)('runs from an imported PyTorch model', () => {
  it('pss-studio run --source-model runs No-DA from the imported model and prints it', () => {
    expect(cliRun!.code, cliRun!.err).toBe(0)
    const run = JSON.parse(cliRun!.out) as { method: string; status: string; config: Record<string, unknown> }
    expect(run).toMatchObject({ method: 'noda', status: 'done' })
    expect(run.config.sourceModel).toEqual(model)
  })

  it('runs No-DA and AdvEnt from the imported LR-ASPP and records the model and its sha256', async () => {
    expect(model).toMatchObject({ name: 'lraspp-voc', arch: 'lraspp_mobilenet_v3_large' })
    const noda = await runToEnd('noda')
    expect(noda).toMatchObject({ method: 'noda', status: 'done' })
    expect(noda.config.sourceModel).toEqual(model)
    expect(noda.metrics!.images).toBeGreaterThan(0)
    expect(noda.durations.source).toBeNull()
    expect(noda.config.sourceReused).toBe(true)
    const runs = studio!.currentProject().paths.runs
    // The model's source run holds no trained weights: its checkpoint is the project's copy of the .pth.
    const sourceRun = JSON.parse(
      fs.readFileSync(path.join(runs, String(noda.sourceRunId), 'run.json'), 'utf8'),
    )
    expect(sourceRun).toMatchObject({
      kind: 'pth-source',
      source: { kind: 'pth', arch: model.arch, sha256: model.sha256 },
    })
    // Recorded relative to the run folder (a moved project still finds it), read back absolute.
    expect(path.isAbsolute(sourceRun.source.file)).toBe(false)
    const sourceDir = path.join(runs, String(noda.sourceRunId))
    expect(path.dirname(path.resolve(sourceDir, sourceRun.source.file))).toBe(
      path.join(studio!.currentProject().root, 'models'),
    )
    nodaRunId = noda.id

    const advent = await runToEnd('advent')
    adventRunId = advent.id
    expect(advent).toMatchObject({ method: 'advent', status: 'done' })
    expect(advent.config.sourceModel).toEqual(model)
    expect(advent.sourceRunId).toBe(noda.sourceRunId)
    expect(String(advent.config.sourceModelNotice)).toMatch(/no aux head.*aux discriminator/)
    const stage = JSON.parse(
      fs.readFileSync(path.join(runs, String(advent.id), 'adapt', 'advent', 'run.json'), 'utf8'),
    )
    expect(stage.config.init).toMatchObject({ kind: 'pth', arch: model.arch, sha256: model.sha256 })
    expect(advent.stageCurves[0]!.points.map((p) => p.iteration)).toEqual([1, 2])
    for (const p of advent.stageCurves[0]!.points) expect(Number.isFinite(p.loss)).toBe(true)
  }, 600_000)

  it('re-evaluates and predicts from the imported model after the project folder was moved', async () => {
    expect(nodaRunId).toBeGreaterThan(0)
    await studio!.close()
    const moved = path.join(tmp, 'moved', 'demo-here-now')
    fs.mkdirSync(path.dirname(moved), { recursive: true })
    fs.renameSync(projectDir, moved)
    projectDir = moved
    await studio!.openProjectPath(moved)
    // AdvEnt's snapshots compete with the imported model itself (the pth-source folder's checkpoint).
    const evaluated = await studio!.api.evaluateSnapshots({ runId: adventRunId })
    const evalJob = await studio!.currentJobs().settled(evaluated.jobId)
    expect(evalJob.status, evalJob.error ?? '').toBe('done')
    // A No-DA variant predicts the album again with the imported model, read from its new place.
    const variant = await studio!.api.predictVariant({ runId: nodaRunId, tta: true, crf: false })
    const job = await studio!.currentJobs().settled(variant.jobId)
    expect(job.status, job.error ?? '').toBe('done')
  }, 600_000)

  it('refuses OURS from the imported model before any job exists', async () => {
    const s = studio!
    const jobs = (await s.api.listJobs({})).length
    await expect(s.api.startRun({ albumId, method: 'pss', sourceModelId: model.id, ...RUN })).rejects.toThrow(
      /OURS cannot start from the imported LR-ASPP MobileNetV3-Large yet/,
    )
    await expect(s.api.startRun({ albumId, method: 'noda', sourceModelId: 999, ...RUN })).rejects.toThrow(
      /source model 999 does not exist/,
    )
    expect((await s.api.listJobs({})).length).toBe(jobs)
  })
})
