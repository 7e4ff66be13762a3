/**
 * Adaptation from an imported DeepLabV3 ResNet-50 with its aux FCN head (torchvision's published layout),
 * written by Debian's torchvision (random weights, /usr/bin/python3 at test time): AdvEnt runs two steps at
 * 32² on the tiny synthetic benchmark with both discriminators (main and aux: the model has an aux head, so
 * nothing is left out and no note says so), its checkpoint rebuilds the same network through the run
 * folder, and MRNet — which needs an aux head — is accepted. imported-source.test.ts covers the rest of the
 * imported-model path with LR-ASPP.
 */
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAdaptConfig, type AdaptConfigInput } from '../../../../src/main/engine/methods/adapt-config'
import { runAdaptation, type AdaptStarted } from '../../../../src/main/engine/methods/adapt-loop'
import type { PthSource } from '../../../../src/main/engine/methods/source-model'
import { loadRunModel } from '../../../../src/main/engine/infer/load-run-model'
import type { SegmentationModel } from '../../../../src/main/engine/models/segnet'
import { DeepLabV3ResNet } from '../../../../src/main/engine/models/torchvision/deeplabv3-resnet'
import { torchUnavailable } from '../torch/python-fixtures'
import { useBackend } from '../helpers'
import { importedFixture, type ImportedFixture } from './imported-fixture'

const noTorch = torchUnavailable()
let fx: ImportedFixture
let pth: PthSource

beforeAll(async () => {
  if (noTorch) return
  await useBackend('wasm')
  fx = await importedFixture({
    prefix: 'pss-imported-r50-',
    arch: 'deeplabv3_resnet50',
    builderArgs: ', aux_loss=True',
    aux: true,
    images: 4,
    steps: 2,
  })
  ;({ pth } = fx)
}, 240_000)

afterAll(() => fx?.remove())

const config = (name: string, extra: Partial<AdaptConfigInput> = {}): AdaptConfigInput =>
  fx.config(name, extra)

async function logitsOf(model: SegmentationModel): Promise<Float32Array> {
  const x = tf.randomNormal([2, 40, 40, 3], 0, 1, 'float32', 11) as tf.Tensor4D
  const main = model.forward(x, false).main
  try {
    return Float32Array.from(await main.data())
  } finally {
    tf.dispose([x, main])
  }
}

describe.skipIf(noTorch !== null)(
  'adaptation from an imported torchvision DeepLabV3 ResNet-50 (+ aux)',
  () => {
    it('adapts with AdvEnt using the aux head, and reloads its checkpoint as the same network', async () => {
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
      expect(out.losses).toHaveLength(2)
      for (const l of out.losses) {
        expect(Number.isFinite(l.loss)).toBe(true)
        expect(Number.isFinite(l.terms.advMain)).toBe(true)
        // The aux head is there: the aux discriminator term runs.
        expect(Number.isFinite(l.terms.advAux)).toBe(true)
      }
      const s = started as AdaptStarted | null
      expect(s?.init).toEqual({ kind: 'pth', path: pth.file, missingParams: 0 })
      expect(s?.notes.join(' ')).not.toMatch(/no aux head/)

      const run = await loadRunModel(cfg.runDir)
      try {
        expect(run.model).toBeInstanceOf(DeepLabV3ResNet)
        expect(run.model.config.aux).toBe(true)
        expect(run.iteration).toBe(2)
        const reloaded = await logitsOf(run.model)
        let diff = 0
        for (let i = 0; i < reloaded.length; i++) diff = Math.max(diff, Math.abs(reloaded[i]! - trained![i]!))
        expect(diff).toBe(0)
      } finally {
        run.model.dispose()
      }
    }, 600_000)

    it('MRNet is accepted (the model has an aux head); OURS is refused naming the model', () => {
      expect(() => parseAdaptConfig(config('mrnet', { method: { kind: 'mrnet' } }))).not.toThrow()
      expect(() => parseAdaptConfig(config('ours', { method: { kind: 'pss-s1' } }))).toThrow(
        /OURS cannot start from the imported DeepLabV3 ResNet-50 yet/,
      )
    })
  },
)
