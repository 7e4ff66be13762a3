/**
 * Eval-mode batch norm (BN frozen: moving statistics) is differentiable on every backend: its closed-form
 * gradient (layers.ts frozenBatchNorm) against autodiff of the textbook formula, with and without the fused
 * ReLU. On wasm the forward's fused 1×1 depthwise conv has no input gradient of its own, so without the
 * custom gradient this throws there.
 */
import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { batchNorm } from '../../../src/main/engine/models/layers'
import { ParamStore } from '../../../src/main/engine/models/params'
import { Rng } from '../../../src/main/engine/train/rng'
import { relError } from './reference/conv-ref'
import { expectNoLeak, useBackend } from './helpers'

describe('frozen (eval-mode) batch norm gradient', () => {
  for (const backend of ['wasm', 'cpu'] as const)
    for (const relu of [false, true]) {
      it(`${backend}${relu ? ', fused ReLU' : ''}: dx, dγ, dβ equal autodiff of (x − μ)/√(σ² + ε)·γ + β; moving statistics untouched`, async () => {
        await useBackend(backend)
        try {
          const ps = new ParamStore(new Rng(3))
          const rng = new Rng(17)
          const shape: [number, number, number, number] = [2, 3, 5, 4]
          const n = shape.reduce((a, b) => a * b, 1)
          const x = tf.tensor4d(
            Float32Array.from({ length: n }, () => rng.normal() * 2 + 0.5),
            shape,
          )
          const dy = tf.tensor4d(
            Float32Array.from({ length: n }, () => rng.normal()),
            shape,
          )
          batchNorm(ps, 'bn', x, false).dispose() // create the parameters
          const [gamma, beta, mean, variance] = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((k) =>
            ps.variable(`bn/${k}`),
          ) as [tf.Variable, tf.Variable, tf.Variable, tf.Variable]
          tf.tidy(() => {
            gamma.assign(tf.tensor1d([1, -2, 0.5, 3]))
            beta.assign(tf.tensor1d([0, 1, -1, 0.5]))
            mean.assign(tf.tensor1d([0.3, -0.2, 1, 0]))
            variance.assign(tf.tensor1d([4, 0.5, 2, 1.5]))
          })
          const ours = await expectNoLeak(async () => {
            const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
              void b
              void c
              return batchNorm(ps, 'bn', a as tf.Tensor4D, false, relu)
                .mul(dy)
                .sum()
            })([x, gamma, beta])
            const r = await Promise.all(g.map((t) => t.data()))
            tf.dispose(g)
            return r
          })
          const textbook = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => {
            const y = a.sub(mean).div(variance.add(1e-5).sqrt()).mul(g).add(b)
            return relu ? tf.relu(y) : y
          }
          const ref = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => textbook(a, g, b).mul(dy).sum())(
            [x, gamma, beta],
          )
          const refData = await Promise.all(ref.map((t) => t.data()))
          for (let i = 0; i < 3; i++)
            expect(
              relError(ours[i] as Float32Array, refData[i] as Float32Array),
              `gradient ${i}`,
            ).toBeLessThan(1e-5)
          // The ReLU really masks: some outputs are clipped, so dx is not just s·dy.
          if (relu) expect(Array.from(refData[0] as Float32Array).some((v) => v === 0)).toBe(true)
          expect(Array.from(await mean.data())).toEqual(Array.from(Float32Array.from([0.3, -0.2, 1, 0])))
          tf.dispose([x, dy, ...ref])
          ps.dispose()
        } finally {
          await useBackend('wasm')
        }
      })
    }
})
