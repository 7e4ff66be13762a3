/**
 * The composed Conv2DBackpropFilter / Conv2DBackpropInput kernels against float64 plain-loop references,
 * on wasm and on cpu (both with the project's kernels), through three doors: tf.grads of tf.conv2d, tf.grads of
 * tf.fused.conv2d (which calls the kernels directly), and runKernel with a `dilations` attribute (the
 * project's extension; tfjs's own gradients refuse dilation > 1).
 */
import { describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import { Rng } from '../../../src/main/engine/train/rng'
import {
  conv2dFilterGradRef,
  conv2dInputGradRef,
  conv2dRef,
  geometry,
  relError,
  type RefPad,
} from './reference/conv-ref'
import { asF64, expectNoLeak, randomValues, size, tensorFrom, useBackend } from './helpers'
import { convWithKernelGrad, type ExplicitPad } from '../../../src/main/engine/ops/conv-grad'

interface Case {
  name: string
  x: [number, number, number, number]
  k: [number, number]
  co: number
  strides: [number, number]
  dilations?: [number, number]
  pad: RefPad
}

const TOL = 1e-5

/** Cases tfjs's conv2d op accepts (dilation 1): stride 1/2/3, odd and even sizes, same/valid/explicit. */
const OP_CASES: Case[] = [
  { name: '3×3 s1 same, odd 7×9', x: [2, 7, 9, 3], k: [3, 3], co: 4, strides: [1, 1], pad: 'same' },
  { name: '3×3 s2 same, even 8×8', x: [2, 8, 8, 3], k: [3, 3], co: 5, strides: [2, 2], pad: 'same' },
  { name: '3×3 s2 same, odd 9×7', x: [3, 9, 7, 2], k: [3, 3], co: 3, strides: [2, 2], pad: 'same' },
  { name: '3×3 s2 valid, odd 9×11', x: [2, 9, 11, 3], k: [3, 3], co: 4, strides: [2, 2], pad: 'valid' },
  { name: '1×1 s1 valid (matMul path)', x: [2, 5, 6, 7], k: [1, 1], co: 3, strides: [1, 1], pad: 'valid' },
  { name: '1×1 s2 same (shortcut)', x: [2, 9, 8, 4], k: [1, 1], co: 6, strides: [2, 2], pad: 'same' },
  { name: '5×5 s2 same, odd 11×9', x: [1, 11, 9, 2], k: [5, 5], co: 3, strides: [2, 2], pad: 'same' },
  { name: '3×3 s3 valid, 13×10', x: [2, 13, 10, 2], k: [3, 3], co: 2, strides: [3, 3], pad: 'valid' },
  {
    name: '2×3 s[1,2] same (unequal strides)',
    x: [2, 7, 8, 3],
    k: [2, 3],
    co: 4,
    strides: [1, 2],
    pad: 'same',
  },
  {
    name: '4×4 s2 explicit pad 1 (discriminator)',
    x: [2, 10, 8, 3],
    k: [4, 4],
    co: 4,
    strides: [2, 2],
    pad: { top: 1, bottom: 1, left: 1, right: 1 },
  },
  {
    name: '3×3 s1 explicit asymmetric pad',
    x: [1, 6, 7, 2],
    k: [3, 3],
    co: 3,
    strides: [1, 1],
    pad: { top: 0, bottom: 2, left: 3, right: 1 },
  },
]

/** Cases only reachable through runKernel (dilation > 1, optionally with stride > 1). */
const KERNEL_CASES: Case[] = [
  {
    name: '3×3 d2 same, odd 9×11',
    x: [2, 9, 11, 3],
    k: [3, 3],
    co: 4,
    strides: [1, 1],
    dilations: [2, 2],
    pad: 'same',
  },
  {
    name: '3×3 d4 same, 13×12',
    x: [2, 13, 12, 2],
    k: [3, 3],
    co: 3,
    strides: [1, 1],
    dilations: [4, 4],
    pad: 'same',
  },
  {
    name: '3×3 d2 valid, 10×9',
    x: [2, 10, 9, 3],
    k: [3, 3],
    co: 2,
    strides: [1, 1],
    dilations: [2, 2],
    pad: 'valid',
  },
  {
    name: '3×3 s2 d2 same, 11×10',
    x: [2, 11, 10, 2],
    k: [3, 3],
    co: 3,
    strides: [2, 2],
    dilations: [2, 2],
    pad: 'same',
  },
  {
    name: '3×3 s2 d3 valid, 15×13',
    x: [1, 15, 13, 2],
    k: [3, 3],
    co: 2,
    strides: [2, 2],
    dilations: [3, 3],
    pad: 'valid',
  },
]

function tfPad(
  pad: RefPad,
): 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] {
  if (pad === 'same' || pad === 'valid') return pad
  return [
    [0, 0],
    [pad.top, pad.bottom],
    [pad.left, pad.right],
    [0, 0],
  ]
}

function makeData(c: Case, seed: number) {
  const rng = new Rng(seed)
  const g = geometry(c.x, c.k, c.strides, c.dilations ?? [1, 1], c.pad)
  const fShape = [c.k[0], c.k[1], c.x[3], c.co]
  const dyShape = [g.n, g.oh, g.ow, c.co]
  const x = asF64(randomValues(rng, size(c.x)))
  const f = asF64(randomValues(rng, size(fShape)))
  const dy = asF64(randomValues(rng, size(dyShape)))
  return { g, fShape, dyShape, x, f, dy }
}

async function checkViaOps(c: Case, seed: number, fused: boolean) {
  const d = makeData(c, seed)
  const xt = tensorFrom(d.x, c.x) as tf.Tensor4D
  const ft = tensorFrom(d.f, d.fShape) as tf.Tensor4D
  const dyt = tensorFrom(d.dy, d.dyShape) as tf.Tensor4D
  const conv = (a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D =>
    fused
      ? tf.fused.conv2d({ x: a, filter: b, strides: c.strides, pad: tfPad(c.pad) })
      : tf.conv2d(a, b, c.strides, tfPad(c.pad))
  const y = conv(xt, ft)
  expect(y.shape).toEqual(d.dyShape)
  const yRef = conv2dRef(d.x, d.f, d.g, c.co)
  expect(relError(await y.data(), yRef)).toBeLessThan(TOL)
  const grads = await expectNoLeak(async () => {
    const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      conv(a as tf.Tensor4D, b as tf.Tensor4D)
        .mul(dyt)
        .sum(),
    )([xt, ft]) as [tf.Tensor, tf.Tensor]
    const out = { dx: await gx.data(), df: await gf.data() }
    gx.dispose()
    gf.dispose()
    return out
  })
  tf.dispose([xt, ft, dyt, y])
  expect(relError(grads.dx, conv2dInputGradRef(d.f, d.dy, d.g, c.co))).toBeLessThan(TOL)
  expect(relError(grads.df, conv2dFilterGradRef(d.x, d.dy, d.g, c.co))).toBeLessThan(TOL)
}

async function checkViaKernels(c: Case, seed: number, stridedInputGrad = 'auto') {
  const d = makeData(c, seed)
  const xt = tensorFrom(d.x, c.x)
  const ft = tensorFrom(d.f, d.fShape)
  const dyt = tensorFrom(d.dy, d.dyShape)
  const attrs = {
    strides: c.strides,
    dilations: c.dilations ?? [1, 1],
    pad: tfPad(c.pad),
    dataFormat: 'NHWC',
    stridedInputGrad,
  }
  const out = await expectNoLeak(async () => {
    const df = tf
      .engine()
      .runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, { ...attrs, filterShape: d.fShape }) as tf.Tensor
    const dx = tf
      .engine()
      .runKernel('Conv2DBackpropInput', { dy: dyt, filter: ft }, { ...attrs, inputShape: c.x }) as tf.Tensor
    const r = { dx: await dx.data(), df: await df.data(), dxShape: dx.shape, dfShape: df.shape }
    tf.dispose([dx, df])
    return r
  })
  tf.dispose([xt, ft, dyt])
  expect(out.dxShape).toEqual(c.x)
  expect(out.dfShape).toEqual(d.fShape)
  expect(relError(out.dx, conv2dInputGradRef(d.f, d.dy, d.g, c.co))).toBeLessThan(TOL)
  expect(relError(out.df, conv2dFilterGradRef(d.x, d.dy, d.g, c.co))).toBeLessThan(TOL)
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`conv gradient kernels on ${backend}`, () => {
    it('uses the project kernels', async () => {
      const report = await useBackend(backend)
      expect(report.name).toBe(backend)
      expect(report.trainingKernels.slice(0, 2)).toEqual(['Conv2DBackpropFilter', 'Conv2DBackpropInput'])
    })
    OP_CASES.forEach((c, i) => {
      it(`tf.conv2d grads: ${c.name}`, async () => {
        await useBackend(backend)
        await checkViaOps(c, 100 + i, false)
      })
    })
    it('tf.fused.conv2d grads call the kernels directly', async () => {
      await useBackend(backend)
      await checkViaOps(OP_CASES[1] as Case, 300, true)
      await checkViaOps(OP_CASES[9] as Case, 301, true)
    })
    ;[...OP_CASES, ...KERNEL_CASES].forEach((c, i) => {
      it(`runKernel with dilations: ${c.name}`, async () => {
        await useBackend(backend)
        await checkViaKernels(c, 500 + i)
      })
    })
    // Every strided input-gradient form, on every strided case (auto picks by shape and channel count).
    ;[...OP_CASES, ...KERNEL_CASES]
      .filter((c) => c.strides[0] > 1 || c.strides[1] > 1)
      .forEach((c, i) => {
        it(`strided input gradient, combined / phases / zero-insertion: ${c.name}`, async () => {
          await useBackend(backend)
          for (const strategy of ['combined', 'phases', 'zero-insertion'])
            await checkViaKernels(c, 700 + i, strategy)
        })
      })
  })
}

describe('random shapes (wasm)', () => {
  it('40 random conv geometries match the float64 reference', async () => {
    await useBackend('wasm')
    const rng = new Rng(2024)
    for (let t = 0; t < 40; t++) {
      const k = 1 + rng.int(4)
      const s = 1 + rng.int(3)
      const dl = s === 1 ? 1 + rng.int(4) : 1 + rng.int(2)
      const h = (k - 1) * dl + 1 + rng.int(9)
      const w = (k - 1) * dl + 1 + rng.int(9)
      const pad: RefPad = rng.next() < 0.5 ? 'same' : 'valid'
      const c: Case = {
        name: `random ${t}`,
        x: [1 + rng.int(3), h, w, 1 + rng.int(4)],
        k: [k, 1 + rng.int(4)],
        co: 1 + rng.int(5),
        strides: [s, rng.next() < 0.8 ? s : 1 + rng.int(3)],
        dilations: [dl, dl],
        pad,
      }
      const g = geometry(c.x, c.k, c.strides, c.dilations ?? [1, 1], c.pad)
      if (g.oh < 1 || g.ow < 1) continue
      await checkViaKernels(c, 9000 + t)
    }
  })
})

describe('wasm Identity shares data', () => {
  it('tf.clone on wasm shares the buffer, stays correct after the original is disposed, and strings still clone', async () => {
    await useBackend('wasm')
    const a = tf.tensor2d([
      [1, 2],
      [3, 4],
    ])
    const idsBefore = tf.engine().backend.numDataIds()
    const b = tf.clone(a)
    expect(tf.engine().backend.numDataIds()).toBe(idsBefore) // no new buffer
    a.dispose()
    expect(Array.from(await b.data())).toEqual([1, 2, 3, 4])
    b.dispose()
    expect(tf.engine().backend.numDataIds()).toBe(idsBefore - 1)
    const s = tf.tensor1d(['x', 'y'], 'string')
    const s2 = tf.clone(s)
    expect(await s2.array()).toEqual(['x', 'y'])
    tf.dispose([s, s2])
  })
})

describe('convWithKernelGrad', () => {
  for (const inputGrad of [true, false]) {
    it(`stride 2, bias + relu, inputGrad ${inputGrad}: gradients equal tfjs' fused conv gradients`, async () => {
      await useBackend('wasm')
      const rng = new Rng(61)
      const x = tensorFrom(randomValues(rng, 2 * 9 * 8 * 3), [2, 9, 8, 3]) as tf.Tensor4D
      const f = tensorFrom(randomValues(rng, 3 * 3 * 3 * 5), [3, 3, 3, 5]) as tf.Tensor4D
      const b = tensorFrom(randomValues(rng, 5), [5]) as tf.Tensor1D
      const pad: ExplicitPad = [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]
      const dy = tensorFrom(randomValues(rng, 2 * 5 * 4 * 5), [2, 5, 4, 5])
      const out = await expectNoLeak(async () => {
        const loss = (useOurs: boolean) => (a: tf.Tensor, w: tf.Tensor, c: tf.Tensor) => {
          const args = { x: a as tf.Tensor4D, filter: w as tf.Tensor4D, bias: c as tf.Tensor1D }
          const y = useOurs
            ? convWithKernelGrad({
                ...args,
                strides: [2, 2],
                dilations: [1, 1],
                pad,
                activation: 'relu',
                inputGrad,
              })
            : tf.fused.conv2d({ ...args, strides: 2, pad, activation: 'relu' })
          return y.mul(dy).sum()
        }
        const g1 = tf.grads(loss(true))([x, f, b])
        const g2 = tf.grads(loss(false))([x, f, b])
        const r = {
          ours: await Promise.all(g1.map((t) => t.data())),
          ref: await Promise.all(g2.map((t) => t.data())),
        }
        tf.dispose([...g1, ...g2])
        return r
      })
      tf.dispose([x, f, b, dy])
      if (inputGrad)
        expect(relError(out.ours[0] as Float32Array, out.ref[0] as Float32Array)).toBeLessThan(1e-5)
      else expect(Array.from(out.ours[0] as Float32Array).every((v) => v === 0)).toBe(true)
      expect(relError(out.ours[1] as Float32Array, out.ref[1] as Float32Array)).toBeLessThan(1e-5)
      expect(relError(out.ours[2] as Float32Array, out.ref[2] as Float32Array)).toBeLessThan(1e-5)
    })
  }
})
