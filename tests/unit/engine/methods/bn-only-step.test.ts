/**
 * The BatchNorm-only control (docs/method.md §10): one bn-only step moves BatchNorm's running statistics with
 * the target batch, yet updates every trainable weight exactly as a source-only (No-DA) step from the same
 * weights on the same source batch — its target loss is truly zero.
 */
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseMethods } from '../../../../src/main/cli/commands/bench'
import { benchRow } from '../../../../src/main/engine/pipelines/methods-rows'
import { isAdaptiveMethod } from '../../../../src/main/engine/pipelines/project-adapt'
import { isRunMethod } from '../../../../src/shared/runs'
import { createModel } from '../../../../src/main/engine/models/registry'
import { parseMethodConfig, methodInfo } from '../../../../src/main/engine/methods/registry'
import {
  methodStep,
  type AdaptBatch,
  type AdaptModels,
  type AdaptOptimizers,
} from '../../../../src/main/engine/methods/steps'
import type { SegmentationModel } from '../../../../src/main/engine/models/segnet'
import { SgdMomentum } from '../../../../src/main/engine/train/optimizers'
import { Rng } from '../../../../src/main/engine/train/rng'
import { useBackend } from '../helpers'

const N = 2
const S = 32
const C = 21

let batch: AdaptBatch

function images(rng: Rng, shift: number): tf.Tensor4D {
  // The target batch is shifted and scaled: its BN statistics differ clearly from the source batch's.
  return tf.tensor4d(
    Float32Array.from({ length: N * S * S * 3 }, () => shift + (1 + shift) * rng.normal()),
    [N, S, S, 3],
  )
}

beforeAll(async () => {
  await useBackend('wasm')
  const rng = new Rng(11)
  const labels = new Int32Array(N * S * S).map((_, i) => (Math.floor(i / 64) % 3 === 0 ? 255 : (i >> 9) % 4))
  batch = {
    source: { images: images(rng, 0), labels: tf.tensor3d(labels, [N, S, S], 'int32') },
    target: images(rng, 1.5),
    pseudo: null,
  }
})

afterAll(() => {
  tf.dispose([batch.source.images, batch.source.labels, batch.target!])
})

function step(kind: 'noda' | 'bn-only'): {
  trainable: Map<string, Float32Array>
  moving: Map<string, Float32Array>
  before: Map<string, Float32Array>
} {
  const model: SegmentationModel = createModel('segnet', {
    backbone: { kind: 'resnet-compact', width: 16 },
    numClasses: C,
    seed: 5,
  })
  const m: AdaptModels = { model, dMain: null, dAux: null }
  const o: AdaptOptimizers = {
    seg: new SgdMomentum({ momentum: 0.9, weightDecay: 5e-4 }),
    dMain: null,
    dAux: null,
  }
  try {
    const read = (
      vars: Record<string, tf.Variable>,
      keep: (n: string) => boolean,
    ): Map<string, Float32Array> =>
      new Map(
        Object.entries(vars)
          .filter(([n]) => keep(n))
          .map(([n, v]) => [n, v.dataSync() as Float32Array]),
      )
    const isMoving = (n: string): boolean => /moving_(mean|variance)$/.test(n)
    const before = read(model.params.allVariables(), isMoving)
    const losses = methodStep(parseMethodConfig({ kind }), m, o, batch, { seg: 0.01, d: 0 })
    expect(Number.isFinite(losses.total)).toBe(true)
    // No target term is reported: the objective is the source CE alone.
    expect(Object.keys(losses).sort()).toEqual(['seg', 'total'])
    return {
      trainable: read(model.params.trainableVariables(), () => true),
      moving: read(model.params.allVariables(), isMoving),
      before,
    }
  } finally {
    model.dispose()
    o.seg.dispose()
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let d = 0
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!))
  return d
}

describe('bn-only control', () => {
  it('is a registered method that uses the album but no target loss or discriminator', () => {
    const info = methodInfo('bn-only')
    expect(info).toMatchObject({
      usesTarget: true,
      usesDiscriminators: false,
      groupContext: false,
      needsStage1: false,
    })
    // Same budgets as AdvEnt: the segmenter's SGD settings and the source CE weights are the shared defaults.
    expect(info.defaults.seg).toEqual(methodInfo('advent').defaults.seg)
    expect(info.defaults.sourceAux).toBe(methodInfo('advent').defaults.sourceAux)
  })

  it('moves the BN running statistics with the target batch but updates the weights as a source-only step', () => {
    const noda = step('noda')
    const bn = step('bn-only')
    expect(noda.trainable.size).toBeGreaterThan(10)
    for (const [name, w] of noda.trainable) {
      expect(maxAbsDiff(w, bn.trainable.get(name)!), name).toBeLessThanOrEqual(1e-7)
    }
    // Both steps moved the statistics (the source batch); bn-only moved them further, with the target batch.
    let moved = 0
    for (const [name, v] of bn.moving) {
      expect(maxAbsDiff(noda.moving.get(name)!, noda.before.get(name)!), name).toBeGreaterThan(0)
      if (maxAbsDiff(v, noda.moving.get(name)!) > 1e-4) moved++
    }
    expect(bn.moving.size).toBeGreaterThan(10)
    expect(moved).toBe(bn.moving.size)
  })

  it('is in the shared vocabulary: a studio run method and a benchmark row', () => {
    expect(isRunMethod('bn-only')).toBe(true)
    expect(isAdaptiveMethod('bn-only')).toBe(true)
    expect(parseMethods('noda,bn-only,advent')).toEqual(['noda', 'bn-only', 'advent'])
    expect(benchRow('bn-only')).toEqual({ method: { kind: 'bn-only' } })
  })

  it('refuses a step without a target batch', () => {
    const model = createModel('segnet', {
      backbone: { kind: 'resnet-compact', width: 16 },
      numClasses: C,
      seed: 5,
    })
    const seg = new SgdMomentum({ momentum: 0.9, weightDecay: 5e-4 })
    try {
      expect(() =>
        methodStep(
          parseMethodConfig({ kind: 'bn-only' }),
          { model, dMain: null, dAux: null },
          { seg, dMain: null, dAux: null },
          { ...batch, target: null },
          { seg: 0.01, d: 0 },
        ),
      ).toThrow(/bn-only: this method needs a target batch/)
    } finally {
      model.dispose()
      seg.dispose()
    }
  })
})
