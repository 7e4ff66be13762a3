/**
 * The adaptation loop on the tiny synthetic benchmark (32² crops, width 16, a few steps): a run stopped
 * mid-way and resumed reproduces the uninterrupted loss curve (a group-context run bit-exactly, its dropout
 * RNG state being in the checkpoint; an older checkpoint without it resumes with a note); OURS stage 1 trains with the group context
 * and its prediction of an image depends on the other images of its batch; stage 2 writes entropy-selected
 * pseudo labels and trains on them; configs are validated; the run works in the engine worker.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSyntheticBenchmark } from '../../../../src/main/datasets/synthetic'
import { decodeLabelPng } from '../../../../src/main/media/label-png'
import { decodeRgb } from '../../../../src/main/media/decode'
import { inputBatch } from '../../../../src/main/engine/infer/predict-labels'
import { createModel } from '../../../../src/main/engine/models/registry'
import type { SegmentationModel } from '../../../../src/main/engine/models/segnet'
import {
  parseAdaptConfig,
  type AdaptConfigInput,
  type TargetItem,
} from '../../../../src/main/engine/methods/adapt-config'
import { runAdaptation, type AdaptOutcome } from '../../../../src/main/engine/methods/adapt-loop'
import { readPseudoSummary } from '../../../../src/main/engine/methods/pseudo-labels'
import { listMethods, METHOD_KINDS } from '../../../../src/main/engine/methods/registry'
import { readAlbumClusters } from '../../../../src/main/engine/pipelines/methods-clusters'
import { listPisAlbums } from '../../../../src/main/engine/pipelines/pis-albums'
import { vocLabelledFiles } from '../../../../src/main/engine/pipelines/voc-source'
import { startAdaptationWorker } from '../../../../src/main/engine/api'
import { useBackend } from '../helpers'

let tmp = ''
let source: { image: string; mask: string }[] = []
let target: TargetItem[] = []

beforeAll(async () => {
  await useBackend('wasm')
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-methods-'))
  const bench = path.join(tmp, 'bench')
  await generateSyntheticBenchmark({ out: bench, preset: 'tiny', seed: 1 })
  source = vocLabelledFiles(bench, 'train').slice(0, 12)
  const album = listPisAlbums(bench)[0]!
  const clusters = readAlbumClusters(album.dir, album.images.length)
  if (!clusters) throw new Error('the tiny album has no cluster file')
  target = album.images.map((i) => ({ image: i.file, name: i.name, group: clusters.groupOf.get(i.name)! }))
}, 120_000)

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

function config(
  name: string,
  extra: Partial<AdaptConfigInput> & Pick<AdaptConfigInput, 'method'>,
): AdaptConfigInput {
  return {
    runDir: path.join(tmp, 'runs', name),
    seed: 5,
    steps: 4,
    batch: 2,
    size: 32,
    width: 16,
    ndf: 8,
    backend: 'wasm',
    checkpointEvery: 2,
    source,
    target,
    init: null,
    ...extra,
  }
}

const never = { shouldStop: () => false }

describe('adaptation loop', () => {
  it('resumes a stopped run on the same loss curve (every term)', async () => {
    const a = await runAdaptation(
      parseAdaptConfig(config('full', { method: { kind: 'advent' } })),
      false,
      never,
    )
    expect(a.status).toBe('done')
    expect(a.losses).toHaveLength(4)
    const cfg = parseAdaptConfig(config('stopped', { method: { kind: 'advent' } }))
    let seen = 0
    const stopped = await runAdaptation(cfg, false, {
      shouldStop: () => seen >= 3,
      onProgress: () => void seen++,
    })
    expect(stopped).toMatchObject({ status: 'cancelled', iteration: 3 })
    let from = -1
    const resumed: AdaptOutcome = await runAdaptation(cfg, true, {
      ...never,
      onStarted: (s) => (from = s.fromIteration),
    })
    expect(from).toBe(2) // the last checkpoint before the stop
    expect(resumed.status).toBe('done')
    expect(resumed.losses.map((l) => l.iteration)).toEqual([1, 2, 3, 4])
    resumed.losses.forEach((l, i) => {
      const ref = a.losses[i]!
      expect(Object.keys(l.terms).sort()).toEqual(Object.keys(ref.terms).sort())
      for (const [k, v] of Object.entries(l.terms))
        expect(Math.abs(v - ref.terms[k]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(v)))
    })
    // A resume with a different configuration is refused, naming what changed.
    await expect(
      runAdaptation(
        parseAdaptConfig({ ...config('stopped', { method: { kind: 'advent', advMain: 0.01 } }) }),
        true,
        never,
      ),
    ).rejects.toThrow(/method/)
  }, 120_000)

  it('resumes a group-context run bit-exactly: the dropout RNG state is in the checkpoint', async () => {
    // pss-s1 has the context module ('ours'), whose fusion drops channels in training from its own RNG.
    const cfgOf = (name: string) => parseAdaptConfig(config(name, { method: { kind: 'pss-s1' }, ndf: 4 }))
    const full = await runAdaptation(cfgOf('ctx-full'), false, never)
    expect(full.losses).toHaveLength(4)
    const stopAt3 = async (name: string) => {
      let seen = 0
      const cfg = cfgOf(name)
      const r = await runAdaptation(cfg, false, {
        shouldStop: () => seen >= 3,
        onProgress: () => void seen++,
      })
      expect(r).toMatchObject({ status: 'cancelled', iteration: 3 })
      return cfg
    }
    const sameAsFull = (losses: AdaptOutcome['losses']): boolean =>
      losses.every((l, i) => Object.entries(l.terms).every(([k, v]) => v === full.losses[i]!.terms[k]))

    const cfg = await stopAt3('ctx-stopped')
    const state = (c: typeof cfg) => path.join(c.runDir, 'checkpoints', '000002', 'state.json')
    const saved = JSON.parse(fs.readFileSync(state(cfg), 'utf8')) as { rng?: { dropout: number } }
    expect(Number.isInteger(saved.rng?.dropout)).toBe(true)
    let notes: string[] = ['(not started)']
    const resumed = await runAdaptation(cfg, true, { ...never, onStarted: (s) => (notes = s.notes) })
    expect(notes).toEqual([])
    expect(resumed.losses.map((l) => l.iteration)).toEqual([1, 2, 3, 4])
    // Same backend, same batches, same dropout masks: the resumed steps are the very same numbers.
    expect(sameAsFull(resumed.losses)).toBe(true)

    // A checkpoint written before the state was saved still resumes, with a note (run start and problem).
    const old = await stopAt3('ctx-old')
    const { rng: _dropped, ...withoutRng } = JSON.parse(fs.readFileSync(state(old), 'utf8')) as {
      rng?: unknown
    }
    fs.writeFileSync(state(old), JSON.stringify(withoutRng))
    const problems: string[] = []
    const r = await runAdaptation(old, true, {
      ...never,
      onStarted: (s) => (notes = s.notes),
      onProblem: (p) => problems.push(`${p.file}: ${p.reason}`),
    })
    expect(r.status).toBe('done')
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatch(/000002[\\/]state\.json: this checkpoint predates the saved dropout RNG state/)
    expect(problems).toEqual(notes)
    // …and its dropout restarts from the seed: the steps after the resume differ (why the state is saved).
    expect(sameAsFull(r.losses.slice(0, 2))).toBe(true)
    expect(sameAsFull(r.losses)).toBe(false)
  }, 180_000)

  it('OURS stage 1: grouped batches, and the batch changes an image’s prediction; stage 2 trains on pseudo labels', async () => {
    const groups = new Map<number, TargetItem[]>()
    for (const t of target) groups.set(t.group!, [...(groups.get(t.group!) ?? []), t])
    const [g0, g1] = [...groups.values()]
    const decoded = async (items: TargetItem[]) => Promise.all(items.map((i) => decodeRgb(i.image)))
    const own = await decoded(g0!.slice(0, 4))
    const other = [own[0]!, ...(await decoded(g1!.slice(0, 3)))]
    const logitsOfFirst = (model: SegmentationModel, imgs: typeof own): Float32Array => {
      const t = tf.tidy(() =>
        model.forward(inputBatch(imgs, 32), false).main.slice([0, 0, 0, 0], [1, -1, -1, -1]),
      )
      const v = t.dataSync() as Float32Array
      t.dispose()
      return Float32Array.from(v)
    }
    let diff = -1
    let grouped = false
    const s1 = parseAdaptConfig(
      config('pss-s1', { method: { kind: 'pss-s1' }, steps: 3, batch: 4, checkpointEvery: 0 }),
    )
    const r1 = await runAdaptation(s1, false, {
      ...never,
      onStarted: (s) => {
        grouped = s.groupedTarget
        expect(s.contextVariant).toBe('ours')
      },
      afterTraining: async (model) => {
        const a = logitsOfFirst(model, own)
        const b = logitsOfFirst(model, other)
        diff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0)
      },
    })
    expect(r1.status).toBe('done')
    expect(grouped).toBe(true)
    expect(diff).toBeGreaterThan(1e-4)
    // Control: without the context module the batch does not matter (BN in eval mode).
    const plain = createModel('segnet', {
      backbone: { kind: 'resnet-compact', width: 16 },
      numClasses: 21,
      seed: 1,
    })
    const pa = logitsOfFirst(plain, own)
    const pb = logitsOfFirst(plain, other)
    plain.dispose()
    expect(pa.reduce((m, v, i) => Math.max(m, Math.abs(v - pb[i]!)), 0)).toBeLessThan(1e-5)

    // Stage 2 from the stage-1 run: pixel-mode pseudo labels written as label PNGs, L_pse every 2nd step.
    const s2 = parseAdaptConfig(
      config('pss-s2', {
        method: { kind: 'pss-s2' },
        steps: 2,
        batch: 4,
        checkpointEvery: 0,
        init: { kind: 'adapt-run', runDir: s1.runDir },
      }),
    )
    const r2 = await runAdaptation(s2, false, never)
    expect(r2.status).toBe('done')
    expect(r2.losses[0]!.terms.pse).toBeUndefined()
    expect(Number.isFinite(r2.losses[1]!.terms.pse)).toBe(true)
    const summary = readPseudoSummary(s2.runDir)!
    expect(summary).toMatchObject({ mode: 'pixel', rate: 0.5, albumImages: target.length })
    expect(summary.selectedPixels).toBe(Math.floor(0.5 * summary.pixels))
    let ignored = 0
    for (const f of summary.files) {
      const m = decodeLabelPng(fs.readFileSync(path.join(s2.runDir, f.mask)))
      ignored += m.labels.filter((v) => v === 255).length
    }
    expect(ignored).toBe(summary.pixels - summary.selectedPixels)
  }, 180_000)

  it('validates run requests and lists every method with its defaults', () => {
    expect(listMethods().map((m) => m.kind)).toEqual([...METHOD_KINDS])
    const adv = listMethods().find((m) => m.kind === 'advent')!.defaults
    expect(adv).toMatchObject({
      advMain: 0.001,
      advAux: 0.0002,
      seg: { lr: 2.5e-3, momentum: 0.9, weightDecay: 5e-4 },
      d: { lr: 1e-4, beta2: 0.99 },
    })
    expect(() => parseAdaptConfig(config('x', { method: { kind: 'pss-s2' } }))).toThrow(
      /init: pss-s2 starts from a stage-1 run/,
    )
    expect(() => parseAdaptConfig(config('x', { method: { kind: 'nope' } as never }))).toThrow(
      /kind must be one of: noda, bn-only, minent/,
    )
    expect(() => parseAdaptConfig(config('x', { method: { kind: 'fda', beta: 2 } }))).toThrow(/method.beta/)
  })

  it('runs in the engine worker and predicts the album afterwards', async () => {
    const outDir = path.join(tmp, 'pred-minent')
    const h = startAdaptationWorker(config('worker', { method: { kind: 'minent' }, steps: 2 }), {
      predict: { batch: 4, albums: [{ outDir, images: target.slice(0, 3) }] },
    })
    const r = await h.result
    expect(r.status).toBe('done')
    expect(r.losses.map((l) => Object.keys(l.terms).sort())).toEqual([
      ['entAux', 'entMain', 'seg', 'total'],
      ['entAux', 'entMain', 'seg', 'total'],
    ])
    for (const t of target.slice(0, 3)) expect(fs.existsSync(path.join(outDir, `${t.name}.png`))).toBe(true)
  }, 120_000)
})
