/**
 * Adaptation from an imported PyTorch model: a torchvision LR-ASPP written by Debian's torchvision (random
 * weights, /usr/bin/python3 at test time) is adapted with AdvEnt for a few steps at 32² on the tiny
 * synthetic benchmark. The loss is finite, the weights move, the run says which aux terms it leaves out, and
 * its checkpoint rebuilds the same network (same logits) through the run folder, as snapshot evaluation and
 * album prediction load it. A pth-source folder (the studio's "source run" of an imported model) loads the
 * .pth itself; a changed file, OURS and MRNet are refused with messages that say why.
 */
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAdaptConfig, type AdaptConfigInput } from '../../../../src/main/engine/methods/adapt-config'
import { runAdaptation, type AdaptStarted } from '../../../../src/main/engine/methods/adapt-loop'
import { buildSegmenter, loadPthSource } from '../../../../src/main/engine/methods/build-segmenter'
import { writePthSourceRun, type PthSource } from '../../../../src/main/engine/methods/source-model'
import { loadRunModel } from '../../../../src/main/engine/infer/load-run-model'
import { contextOf } from '../../../../src/main/engine/models/config'
import type { SegmentationModel } from '../../../../src/main/engine/models/segnet'
import { LrasppMobileNetV3Large } from '../../../../src/main/engine/models/torchvision/lraspp'
import { torchUnavailable } from '../torch/python-fixtures'
import { useBackend } from '../helpers'
import { importedFixture, type ImportedFixture } from './imported-fixture'

const noTorch = torchUnavailable()
let fx: ImportedFixture
let tmp = ''
let pth: PthSource

beforeAll(async () => {
  if (noTorch) return
  await useBackend('wasm')
  fx = await importedFixture({
    prefix: 'pss-imported-',
    arch: 'lraspp_mobilenet_v3_large',
    fileName: 'lraspp.pth',

    aux: false,
    images: 6,
    steps: 3,
  })
  ;({ tmp, pth } = fx)
}, 240_000)

afterAll(() => fx?.remove())

const config = (name: string, extra: Partial<AdaptConfigInput> = {}): AdaptConfigInput =>
  fx.config(name, extra)

/** A fixed normalised input batch. */
function probeInput(): tf.Tensor4D {
  return tf.randomNormal([2, 48, 48, 3], 0, 1, 'float32', 11) as tf.Tensor4D
}

async function logitsOf(model: SegmentationModel): Promise<Float32Array> {
  const x = probeInput()
  const main = model.forward(x, false).main
  try {
    return Float32Array.from(await main.data())
  } finally {
    tf.dispose([x, main])
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

describe.skipIf(noTorch !== null)('adaptation from an imported torchvision LR-ASPP', () => {
  it('adapts with AdvEnt, moves the weights and reloads its checkpoint as the same network', async () => {
    let started: AdaptStarted | null = null
    let trained: Float32Array | null = null
    const cfg = parseAdaptConfig(config('advent'))
    const out = await runAdaptation(cfg, false, {
      shouldStop: () => false,
      onStarted: (s) => (started = s),
      afterTraining: async (model) => {
        trained = await logitsOf(model)
      },
    })
    expect(out.status).toBe('done')
    expect(out.losses).toHaveLength(3)
    for (const l of out.losses) {
      expect(Number.isFinite(l.loss)).toBe(true)
      expect(Number.isFinite(l.terms.advMain)).toBe(true)
      expect(Number.isFinite(l.terms.dMain)).toBe(true)
      // No aux head: no aux discriminator term.
      expect(l.terms.advAux).toBeUndefined()
    }
    const s = started as AdaptStarted | null
    expect(s?.init).toEqual({ kind: 'pth', path: pth.file, missingParams: 0 })
    expect(s?.notes.join(' ')).toMatch(/LR-ASPP MobileNetV3-Large has no aux head.*aux discriminator/)

    // The checkpoint rebuilds the run's network from its folder: the same logits as the trained model.
    const run = await loadRunModel(cfg.runDir)
    const fromPth = buildSegmenter(
      { kind: 'torchvision', arch: pth.arch, aux: false, source: pth },
      { width: 16, numClasses: 21, seed: 0, context: contextOf({}) },
    )
    try {
      expect(run.model).toBeInstanceOf(LrasppMobileNetV3Large)
      expect(run.iteration).toBe(3)
      const reloaded = await logitsOf(run.model)
      expect(maxAbsDiff(reloaded, trained!)).toBe(0)
      // …and they are not the imported weights' logits: training moved them.
      await loadPthSource(fromPth, pth)
      expect(maxAbsDiff(reloaded, await logitsOf(fromPth))).toBeGreaterThan(1e-4)
      const key = 'classifier.low_classifier.weight'
      const moved = tf.tidy(
        () => run.model.params.variable(key).sub(fromPth.params.variable(key)).abs().max().dataSync()[0],
      )
      expect(moved).toBeGreaterThan(0)
    } finally {
      run.model.dispose()
      fromPth.dispose()
    }
  }, 600_000)

  it('loads a pth-source folder (the studio source run of an imported model) from the .pth itself', async () => {
    const dir = writePthSourceRun(path.join(tmp, 'pth-source'), {
      source: pth,
      name: 'lraspp',
      size: 32,
      numClasses: 21,
    })
    const run = await loadRunModel(dir)
    const direct = new LrasppMobileNetV3Large({ numClasses: 21 })
    try {
      await loadPthSource(direct, pth)
      expect(run.iteration).toBe(1)
      expect(run.size).toBe(32)
      expect(maxAbsDiff(await logitsOf(run.model), await logitsOf(direct))).toBe(0)
    } finally {
      run.model.dispose()
      direct.dispose()
    }
  }, 120_000)

  it('refuses a changed file, OURS and MRNet with messages that say why', async () => {
    const changed = { ...pth, sha256: '0'.repeat(64) }
    await expect(
      runAdaptation(parseAdaptConfig(config('changed', { init: changed })), false, {
        shouldStop: () => false,
      }),
    ).rejects.toThrow(
      /lraspp\.pth: its sha256 is .* not the recorded 000000000000… — the file changed since it was imported/,
    )
    expect(() => parseAdaptConfig(config('ours', { method: { kind: 'pss-s1' } }))).toThrow(
      /OURS cannot start from the imported LR-ASPP MobileNetV3-Large yet: .*PSP head/,
    )
    expect(() => parseAdaptConfig(config('mrnet', { method: { kind: 'mrnet' } }))).toThrow(
      /MRNet needs an aux head/,
    )
  }, 120_000)
})
