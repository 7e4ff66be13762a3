/**
 * atrousConv2d (space-to-batch form) and the depthwise gradient override, against float64 references.
 */
import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { Rng } from '../../../src/main/engine/train/rng'
import { atrousAxisPlan, atrousConv2d } from '../../../src/main/engine/ops/atrous-conv2d'
import {
  conv2dFilterGradRef,
  conv2dInputGradRef,
  conv2dRef,
  depthwiseGradsRef,
  depthwiseRef,
  geometry,
  relError,
} from './reference/conv-ref'
import { asF64, expectNoLeak, randomValues, size, tensorFrom, useBackend } from './helpers'

const TOL = 1e-5

const ATROUS: Array<{
  x: [number, number, number, number]
  k: number
  co: number
  rate: number
  pad: 'same' | 'valid'
}> = [
  { x: [2, 9, 11, 3], k: 3, co: 4, rate: 2, pad: 'same' },
  { x: [2, 8, 8, 3], k: 3, co: 2, rate: 2, pad: 'same' },
  { x: [1, 13, 10, 2], k: 3, co: 3, rate: 4, pad: 'same' },
  { x: [2, 11, 12, 2], k: 3, co: 3, rate: 4, pad: 'valid' },
  { x: [2, 10, 9, 3], k: 3, co: 2, rate: 2, pad: 'valid' },
  { x: [1, 7, 9, 2], k: 1, co: 3, rate: 2, pad: 'same' },
  { x: [1, 12, 12, 2], k: 3, co: 2, rate: 1, pad: 'same' },
]

describe('atrousAxisPlan', () => {
  it('pads like tf same padding and to a multiple of the rate', () => {
    // 9 rows, 3 taps at rate 2, same: total 4 → 2 before, 2 after; 13 % 2 = 1 → one extra row, cropped.
    expect(atrousAxisPlan(9, 3, 2, 'same')).toEqual({ padBefore: 2, padAfter: 3, cropAfter: 1 })
    expect(atrousAxisPlan(12, 3, 4, 'valid')).toEqual({ padBefore: 0, padAfter: 0, cropAfter: 0 })
    expect(() => atrousAxisPlan(4, 3, 4, 'valid')).toThrow(/too small/)
  })
})

for (const [backend, impl] of [
  ['wasm', 'direct'],
  ['wasm', 'space-to-batch'],
  ['cpu', 'direct'],
  ['cpu', 'space-to-batch'],
] as const) {
  describe(`atrousConv2d on ${backend}, ${impl}`, () => {
    ATROUS.forEach((c, i) => {
      it(`rate ${c.rate} ${c.pad} ${c.x.join('×')} k${c.k}: forward = tf.conv2d with dilations, grads = reference`, async () => {
        await useBackend(backend)
        const rng = new Rng(700 + i)
        const fShape = [c.k, c.k, c.x[3], c.co]
        const g = geometry(c.x, [c.k, c.k], [1, 1], [c.rate, c.rate], c.pad)
        const x = asF64(randomValues(rng, size(c.x)))
        const f = asF64(randomValues(rng, size(fShape)))
        const dy = asF64(randomValues(rng, g.n * g.oh * g.ow * c.co))
        const xt = tensorFrom(x, c.x) as tf.Tensor4D
        const ft = tensorFrom(f, fShape) as tf.Tensor4D
        const dyt = tensorFrom(dy, [g.n, g.oh, g.ow, c.co])
        const out = await expectNoLeak(async () => {
          const y = atrousConv2d({ x: xt, filter: ft, rate: c.rate, pad: c.pad, impl })
          const yDil = tf.conv2d(xt, ft, 1, c.pad, 'NHWC', c.rate)
          const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            atrousConv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, rate: c.rate, pad: c.pad, impl })
              .mul(dyt)
              .sum(),
          )([xt, ft]) as [tf.Tensor, tf.Tensor]
          const r = {
            shape: y.shape,
            y: await y.data(),
            yDil: await yDil.data(),
            dx: await gx.data(),
            df: await gf.data(),
          }
          tf.dispose([y, yDil, gx, gf])
          return r
        })
        tf.dispose([xt, ft, dyt])
        expect(out.shape).toEqual([g.n, g.oh, g.ow, c.co])
        // Identical forward to tf.conv2d with dilations (same kernels, same summation order up to rounding).
        expect(relError(out.y, out.yDil)).toBeLessThan(1e-6)
        expect(relError(out.y, conv2dRef(x, f, g, c.co))).toBeLessThan(TOL)
        expect(relError(out.dx, conv2dInputGradRef(f, dy, g, c.co))).toBeLessThan(TOL)
        expect(relError(out.df, conv2dFilterGradRef(x, dy, g, c.co))).toBeLessThan(TOL)
      })
    })

    it('fused bias + relu: forward and gradients match conv → add bias → relu', async () => {
      await useBackend(backend)
      const rng = new Rng(42)
      const x = tensorFrom(randomValues(rng, 2 * 9 * 9 * 3), [2, 9, 9, 3]) as tf.Tensor4D
      const f = tensorFrom(randomValues(rng, 3 * 3 * 3 * 4), [3, 3, 3, 4]) as tf.Tensor4D
      const b = tensorFrom(randomValues(rng, 4), [4]) as tf.Tensor1D
      const dy = tensorFrom(randomValues(rng, 2 * 9 * 9 * 4), [2, 9, 9, 4])
      const errs = await expectNoLeak(async () => {
        const y = atrousConv2d({ x, filter: f, rate: 2, bias: b, activation: 'relu', impl })
        const r = tf.tidy(() => tf.relu(tf.conv2d(x, f, 1, 'same', 'NHWC', 2).add(b)))
        const g1 = tf.grads((a: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
          atrousConv2d({
            x: a as tf.Tensor4D,
            filter: w as tf.Tensor4D,
            rate: 2,
            bias: c as tf.Tensor1D,
            activation: 'relu',
            impl,
          })
            .mul(dy)
            .sum(),
        )([x, f, b])
        // Reference gradients: unfused ops in the space-to-batch form, which tfjs differentiates itself.
        const g2 = tf.grads((a: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
          tf
            .relu(
              atrousConv2d({
                x: a as tf.Tensor4D,
                filter: w as tf.Tensor4D,
                rate: 2,
                impl: 'space-to-batch',
              }).add(c),
            )
            .mul(dy)
            .sum(),
        )([x, f, b])
        const e = [relError(await y.data(), await r.data())]
        for (let i = 0; i < 3; i++)
          e.push(relError(await (g1[i] as tf.Tensor).data(), await (g2[i] as tf.Tensor).data()))
        tf.dispose([y, r, ...g1, ...g2])
        return e
      })
      tf.dispose([x, f, b, dy])
      for (const e of errs) expect(e).toBeLessThan(1e-5)
    })
  })
}

const DEPTHWISE: Array<{
  x: [number, number, number, number]
  k: number
  m: number
  s: number
  d: number
  pad: 'same' | 'valid'
}> = [
  { x: [2, 7, 9, 3], k: 3, m: 1, s: 1, d: 1, pad: 'same' },
  { x: [2, 8, 8, 4], k: 3, m: 1, s: 2, d: 1, pad: 'same' },
  { x: [2, 9, 11, 2], k: 3, m: 2, s: 2, d: 1, pad: 'valid' },
  { x: [1, 11, 10, 3], k: 3, m: 1, s: 1, d: 2, pad: 'same' },
  { x: [1, 13, 12, 2], k: 3, m: 3, s: 1, d: 4, pad: 'same' },
  { x: [2, 9, 9, 2], k: 5, m: 1, s: 1, d: 1, pad: 'valid' },
]

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`depthwise conv gradient override on ${backend}`, () => {
    DEPTHWISE.forEach((c, i) => {
      it(`k${c.k} m${c.m} s${c.s} d${c.d} ${c.pad} ${c.x.join('×')}`, async () => {
        await useBackend(backend)
        const rng = new Rng(800 + i)
        const fShape = [c.k, c.k, c.x[3], c.m]
        const g = geometry(c.x, [c.k, c.k], [c.s, c.s], [c.d, c.d], c.pad)
        const x = asF64(randomValues(rng, size(c.x)))
        const f = asF64(randomValues(rng, size(fShape)))
        const dy = asF64(randomValues(rng, g.n * g.oh * g.ow * c.x[3] * c.m))
        const xt = tensorFrom(x, c.x) as tf.Tensor4D
        const ft = tensorFrom(f, fShape) as tf.Tensor4D
        const dyt = tensorFrom(dy, [g.n, g.oh, g.ow, c.x[3] * c.m])
        const dw = (a: tf.Tensor, b: tf.Tensor) =>
          tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad, 'NHWC', c.d)
        const out = await expectNoLeak(async () => {
          const y = dw(xt, ft)
          const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => dw(a, b).mul(dyt).sum())([xt, ft]) as [
            tf.Tensor,
            tf.Tensor,
          ]
          const r = { y: await y.data(), dx: await gx.data(), df: await gf.data() }
          tf.dispose([y, gx, gf])
          return r
        })
        tf.dispose([xt, ft, dyt])
        const ref = depthwiseGradsRef(x, f, dy, g, c.m)
        expect(relError(out.y, depthwiseRef(x, f, g, c.m))).toBeLessThan(TOL)
        expect(relError(out.dx, ref.dx)).toBeLessThan(TOL)
        expect(relError(out.df, ref.df)).toBeLessThan(TOL)
      })
    })
  })
}
