/**
 * Adaptation from an imported DeepLabV3 ResNet-50 with its aux FCN head (torchvision's published layout),
 * written by Debian's torchvision (random weights, /usr/bin/python3 at test time): AdvEnt runs two steps at
 * 32² on the tiny synthetic benchmark with both discriminators (main and aux: the model has an aux head, so
 * nothing is left out and no note says so), its checkpoint rebuilds the same network through the run
 * folder, and MRNet — which needs an aux head — is accepted. imported-source.test.ts covers the rest of the
 * imported-model path with LR-ASPP.
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSyntheticBenchmark } from '../../../../src/main/datasets/synthetic'
import { parseAdaptConfig, type AdaptConfigInput } from '../../../../src/main/engine/methods/adapt-config'
import { runAdaptation, type AdaptStarted } from '../../../../src/main/engine/methods/adapt-loop'
import type { PthSource } from '../../../../src/main/engine/methods/source-model'
import { loadRunModel } from '../../../../src/main/engine/infer/load-run-model'
import type { SegmentationModel } from '../../../../src/main/engine/models/segnet'
import { DeepLabV3ResNet } from '../../../../src/main/engine/models/torchvision/deeplabv3-resnet'
import { sha256File } from '../../../../src/main/engine/models/torch/inspect-pth'
import { vocLabelledFiles } from '../../../../src/main/engine/pipelines/voc-source'
import { listPisAlbums } from '../../../../src/main/engine/pipelines/pis-albums'
import { torchUnavailable } from '../torch/python-fixtures'
import { useBackend } from '../helpers'

const noTorch = torchUnavailable()
let tmp = ''
let pth: PthSource
let source: { image: string; mask: string }[] = []
let target: { image: string; name: string }[] = []

beforeAll(async () => {
  if (noTorch) return
  await useBackend('wasm')
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-imported-r50-'))
  const file = path.join(tmp, 'deeplabv3_resnet50.pth')
  execFileSync(
    '/usr/bin/python3',
    [
      '-c',
      'import sys, torch; from torchvision.models import segmentation as s; torch.manual_seed(3); ' +
        'torch.save(s.deeplabv3_resnet50(weights=None, weights_backbone=None, num_classes=21, aux_loss=True).state_dict(), sys.argv[1])',
      file,
    ],
    { stdio: 'pipe', timeout: 120_000 },
  )
  pth = { kind: 'pth', file, arch: 'deeplabv3_resnet50', sha256: await sha256File(file), aux: true }
  const bench = path.join(tmp, 'bench')
  await generateSyntheticBenchmark({ out: bench, preset: 'tiny', seed: 1 })
  source = vocLabelledFiles(bench, 'train').slice(0, 4)
  target = listPisAlbums(bench)[0]!
    .images.slice(0, 4)
    .map((i) => ({ image: i.file, name: i.name }))
}, 240_000)

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

function config(name: string, extra: Partial<AdaptConfigInput> = {}): AdaptConfigInput {
  return {
    runDir: path.join(tmp, 'runs', name),
    seed: 5,
    steps: 2,
    batch: 2,
    size: 32,
    width: 16,
    ndf: 8,
    backend: 'wasm',
    source,
    target,
    init: pth,
    method: { kind: 'advent' },
    ...extra,
  }
}

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
