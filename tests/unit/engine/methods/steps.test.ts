/**
 * Every method step on tiny shapes (32² crops, width 16, batch 2): finite losses, its own objective falls
 * over a few steps on a fixed batch, and a step leaks no tensors. Target-term weights are raised where the
 * default weight is too small for the term to move in four steps, so the test sees that term's gradient.
 */
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDiscriminator, createModel } from '../../../../src/main/engine/models/registry'
import { parseMethodConfig, type MethodConfigInput } from '../../../../src/main/engine/methods/registry'
import {
  methodStep,
  type AdaptBatch,
  type AdaptModels,
  type AdaptOptimizers,
} from '../../../../src/main/engine/methods/steps'
import { configUsesDiscriminators } from '../../../../src/main/engine/methods/registry'
import { Adam, SgdMomentum } from '../../../../src/main/engine/train/optimizers'
import { Rng } from '../../../../src/main/engine/train/rng'
import { expectNoLeak, useBackend } from '../helpers'

const N = 2
const S = 32
const C = 21

let batch: AdaptBatch

function randomImages(rng: Rng): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from({ length: N * S * S * 3 }, () => rng.normal()),
    [N, S, S, 3],
  )
}

/** Blocky labels (8×8 cells of one class, a few ignored): learnable in a few steps. */
function blockLabels(rng: Rng, ignoreShare: number): tf.Tensor3D {
  const cells = Array.from({ length: N * 16 }, () => (rng.next() < ignoreShare ? 255 : rng.int(4)))
  const v = new Int32Array(N * S * S)
  for (let n = 0; n < N; n++)
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++)
        v[(n * S + y) * S + x] = cells[n * 16 + Math.floor(y / 8) * 4 + Math.floor(x / 8)]!
  return tf.tensor3d(v, [N, S, S], 'int32')
}

beforeAll(async () => {
  await useBackend('wasm')
  const rng = new Rng(7)
  const images = randomImages(rng)
  batch = {
    source: { images, labels: blockLabels(rng, 0.1) },
    target: randomImages(rng),
    pseudo: { images: randomImages(rng), labels: blockLabels(rng, 0.4) },
  }
})

afterAll(() => {
  tf.dispose([
    batch.source.images,
    batch.source.labels,
    batch.target!,
    batch.pseudo!.images,
    batch.pseudo!.labels,
  ])
})

function setup(raw: MethodConfigInput, context: 'none' | 'ours' = 'none') {
  const method = parseMethodConfig(raw)
  const model = createModel('segnet', {
    backbone: { kind: 'resnet-compact', width: 16 },
    numClasses: C,
    seed: 3,
    ...(context === 'none' ? {} : { context: { variant: context } }),
  })
  const useD = configUsesDiscriminators(method)
  const m: AdaptModels = {
    model,
    dMain: useD ? createDiscriminator({ seed: 4, ndf: 8 }, C, 'd_main') : null,
    dAux: useD ? createDiscriminator({ seed: 5, ndf: 8 }, C, 'd_aux') : null,
  }
  const adam = (): Adam => new Adam({ beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0 })
  const o: AdaptOptimizers = {
    seg: new SgdMomentum({ momentum: 0.9, weightDecay: 5e-4 }),
    dMain: useD ? adam() : null,
    dAux: useD ? adam() : null,
  }
  const dispose = (): void => {
    model.dispose()
    m.dMain?.dispose()
    m.dAux?.dispose()
    o.seg.dispose()
    o.dMain?.dispose()
    o.dAux?.dispose()
  }
  return { method, m, o, dispose }
}

/** [method config, the term that must fall, context variant]. */
const CASES: [MethodConfigInput, string, 'none' | 'ours'][] = [
  [{ kind: 'noda' }, 'seg', 'none'],
  [{ kind: 'minent', entMain: 1, entAux: 0.5 }, 'entMain', 'none'],
  [{ kind: 'advent' }, 'total', 'none'],
  [{ kind: 'adaptseg' }, 'total', 'none'],
  [{ kind: 'maxsquare', target: 30 }, 'sqMain', 'none'],
  [{ kind: 'maxsquare', target: 30, imageWise: true }, 'sqMain', 'none'],
  [{ kind: 'fda', entWeight: 5 }, 'robustEnt', 'none'],
  [{ kind: 'mrnet', memory: 1 }, 'memory', 'none'],
  [{ kind: 'mrnet', memory: 1, adversarial: true }, 'memory', 'none'],
  [{ kind: 'mrnet', stage: 2 }, 'rectified', 'none'],
  [{ kind: 'pss-s1' }, 'total', 'ours'],
  [{ kind: 'pss-s2', pseudoEvery: 1 }, 'pse', 'ours'],
]

describe('method steps', () => {
  for (const [raw, term, context] of CASES) {
    const label = `${raw.kind}${'stage' in raw ? ` stage ${raw.stage}` : ''}${'imageWise' in raw ? ' image-wise' : ''}${'adversarial' in raw ? ' adversarial' : ''}`
    it(`${label}: finite losses, ${term} falls, no leak`, async () => {
      const { method, m, o, dispose } = setup(raw, context)
      try {
        const lr = { seg: 0.01, d: 1e-4 }
        const first = methodStep(method, m, o, batch, lr)
        for (const [k, v] of Object.entries(first)) expect(Number.isFinite(v), `${k} = ${v}`).toBe(true)
        expect(first[term], `${term} is reported`).toBeDefined()
        // After the first step every optimiser slot exists: a further step must not add tensors.
        await expectNoLeak(() => methodStep(method, m, o, batch, lr))
        let last = first
        for (let i = 0; i < 3; i++) last = methodStep(method, m, o, batch, lr)
        for (const v of Object.values(last)) expect(Number.isFinite(v)).toBe(true)
        expect(last[term]!).toBeLessThan(first[term]!)
      } finally {
        dispose()
      }
    })
  }
})
