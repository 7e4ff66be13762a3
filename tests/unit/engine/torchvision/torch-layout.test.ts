/**
 * The pure pieces of the torchvision port: PyTorch → tfjs weight layouts, torchvision's _make_divisible,
 * and the interpolation matrices of the bilinear resize (against tf.image.resizeBilinear's forward).
 */
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { torchToTfjsValues } from '../../../../src/main/engine/models/torchvision/load-state-dict'
import { makeDivisible } from '../../../../src/main/engine/models/torchvision/mobilenet-v3-large'
import { torchShapeOf } from '../../../../src/main/engine/models/torchvision/torch-layers'
import { linearResizeMatrix, resizeBilinearTorch } from '../../../../src/main/engine/ops/resize-bilinear'
import { relError } from '../reference/conv-ref'
import { useBackend } from '../helpers'

beforeAll(async () => {
  await useBackend('wasm')
})

describe('weight layouts', () => {
  it('conv OIHW → HWIO: element [o,i,y,x] lands at [y,x,i,o]', () => {
    const [o, i, kh, kw] = [3, 2, 2, 3]
    const data = Float32Array.from({ length: o * i * kh * kw }, (_, n) => n)
    const out = torchToTfjsValues(data, [o, i, kh, kw], 'conv')
    for (const [a, b, y, x] of [
      [0, 0, 0, 0],
      [2, 1, 1, 2],
      [1, 0, 1, 0],
    ] as const) {
      expect(out[((y * kw + x) * i + b) * o + a]).toBe(((a * i + b) * kh + y) * kw + x)
    }
    expect(torchShapeOf([kh, kw, i, o], 'conv')).toEqual([o, i, kh, kw])
  })

  it('depthwise [C,1,kh,kw] → [kh,kw,C,1]', () => {
    const [c, kh, kw] = [4, 3, 3]
    const data = Float32Array.from({ length: c * kh * kw }, (_, n) => n)
    const out = torchToTfjsValues(data, [c, 1, kh, kw], 'depthwise')
    expect(out[(2 * kw + 1) * c + 3]).toBe((3 * kh + 2) * kw + 1)
    expect(torchShapeOf([kh, kw, c, 1], 'depthwise')).toEqual([c, 1, kh, kw])
  })

  it('integer buffers become float32', () => {
    expect(Array.from(torchToTfjsValues(Float64Array.from([7]), [], 'scalar'))).toEqual([7])
  })
})

describe('makeDivisible', () => {
  it('matches torchvision for the MobileNetV3-Large squeeze widths', () => {
    // _make_divisible(c // 4, 8) for the SE blocks' expanded widths 72, 120, 480, 672, 960.
    expect([72, 120, 480, 672, 960].map((c) => makeDivisible(Math.floor(c / 4)))).toEqual([
      24, 32, 120, 168, 240,
    ])
    expect(makeDivisible(3)).toBe(8)
    // Rounding down more than 10 % is refused: 11 → 8 would be −27 %, so 16.
    expect(makeDivisible(11)).toBe(16)
  })
})

describe('bilinear resize (PyTorch geometry)', () => {
  it('interpolation rows are convex combinations; align_corners keeps the ends', () => {
    for (const [i, o, ac] of [
      [5, 12, true],
      [5, 12, false],
      [12, 5, false],
      [1, 4, false],
    ] as const) {
      const m = linearResizeMatrix(i, o, ac)
      for (let r = 0; r < o; r++) {
        const row = Array.from(m.slice(r * i, (r + 1) * i))
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6)
        expect(Math.min(...row)).toBeGreaterThanOrEqual(0)
      }
      if (ac) {
        expect(m[0]).toBe(1)
        expect(m[o * i - 1]).toBe(1)
      }
    }
    // align_corners=False, 2 → 4: src = (dst + 0.5)/2 − 0.5 = −0.25 (clamped to 0), 0.25, 0.75, 1.25.
    expect(Array.from(linearResizeMatrix(2, 4, false))).toEqual([1, 0, 0.75, 0.25, 0.25, 0.75, 0, 1])
  })

  it('forward equals tf.image.resizeBilinear (align corners; half-pixel centres when upsampling)', () => {
    const x = tf.randomNormal([2, 7, 9, 3], 0, 1, 'float32', 3) as tf.Tensor4D
    for (const ac of [true, false]) {
      const mine = resizeBilinearTorch(x, 19, 23, ac)
      const ref = tf.image.resizeBilinear(x, [19, 23], ac, !ac)
      expect(relError(Float64Array.from(mine.dataSync()), Float64Array.from(ref.dataSync()))).toBeLessThan(
        1e-6,
      )
      tf.dispose([mine, ref])
    }
    x.dispose()
  })

  it('gradient is the transposed interpolation (equals tf.image.resizeBilinear’s for align_corners)', () => {
    const x = tf.randomNormal([1, 6, 5, 2], 0, 1, 'float32', 4) as tf.Tensor4D
    const w = tf.randomNormal([1, 13, 11, 2], 0, 1, 'float32', 5)
    const mine = tf.grad((a: tf.Tensor) =>
      resizeBilinearTorch(a as tf.Tensor4D, 13, 11, true)
        .mul(w)
        .sum(),
    )(x)
    const ref = tf.grad((a: tf.Tensor) =>
      tf.image
        .resizeBilinear(a as tf.Tensor4D, [13, 11], true)
        .mul(w)
        .sum(),
    )(x)
    expect(relError(Float64Array.from(mine.dataSync()), Float64Array.from(ref.dataSync()))).toBeLessThan(1e-6)
    // align_corners=False: d/dx Σ w·resize(x) = Mhᵀ·w·Mw, built here from the matrices directly.
    const g = tf.grad((a: tf.Tensor) =>
      resizeBilinearTorch(a as tf.Tensor4D, 13, 11, false)
        .mul(w)
        .sum(),
    )(x)
    const mh = tf.tensor2d(linearResizeMatrix(6, 13, false), [13, 6])
    const mw = tf.tensor2d(linearResizeMatrix(5, 11, false), [11, 5])
    const wc = w.reshape([13, 11, 2])
    for (let c = 0; c < 2; c++) {
      const wcc = wc.slice([0, 0, c], [13, 11, 1]).reshape([13, 11]) as tf.Tensor2D
      const want = tf.matMul(tf.matMul(mh, wcc, true, false), mw)
      const got = g.reshape([6, 5, 2]).slice([0, 0, c], [6, 5, 1]).reshape([6, 5])
      expect(relError(Float64Array.from(got.dataSync()), Float64Array.from(want.dataSync()))).toBeLessThan(
        1e-6,
      )
    }
    tf.dispose([x, w, mine, ref, g, mh, mw, wc])
  })
})
