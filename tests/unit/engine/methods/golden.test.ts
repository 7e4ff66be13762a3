/**
 * Method math against an independent numpy implementation (tests/fixtures/methods/golden.py, run with
 * /usr/bin/python3; its output golden.json is committed): FDA's amplitude swap (np.fft), MaxSquare's
 * image-wise weights and losses, FDA's robust entropy, MRNet's memory KL and rectified loss, and the
 * pixel- and image-mode pseudo-label selections.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  imageWiseMaxSquareLoss,
  imageWisePixelWeights,
  maxSquareLoss,
  memoryKl,
  rectifiedCrossEntropy,
  robustEntropy,
} from '../../../../src/main/engine/losses'
import { fdaSourceToTarget } from '../../../../src/main/engine/methods/fda'
import {
  selectImages,
  selectPixels,
  type ImagePrediction,
} from '../../../../src/main/engine/methods/pseudo-labels'
import { useBackend } from '../helpers'

interface Golden {
  fda: { h: number; w: number; beta: number; src: number[]; trg: number[]; out: number[] }[]
  losses: {
    shape: [number, number, number, number]
    logits: number[]
    aux: number[]
    labels: number[]
    alpha: number
    iwWeights: number[]
    iwLoss: number
    plainLoss: number
    robustEntropy: number
    memoryKl: number
    rectified: number
  }
  pseudo: {
    preds: { width: number; height: number; entropy: number[]; labels: number[] }[]
    numClasses: number
    pixel05: number[][]
    pixelPerClass05: number[][]
    image06: number[]
    image067: number[]
  }
}

const golden = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../../fixtures/methods/golden.json'), 'utf8'),
) as Golden

beforeAll(async () => {
  await useBackend('wasm')
})

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let d = 0
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!))
  return d
}

describe('FDA amplitude swap', () => {
  for (const c of golden.fda) {
    it(`matches np.fft on ${c.h}×${c.w}, β ${c.beta}`, () => {
      const out = fdaSourceToTarget(c.src, c.trg, c.h, c.w, 3, c.beta)
      // Values are 0..255; float32 output and 4-decimal golden values.
      expect(maxAbsDiff(out, c.out)).toBeLessThan(2e-3)
      if (Math.floor(Math.min(c.h, c.w) * c.beta) > 0) expect(maxAbsDiff(out, c.src)).toBeGreaterThan(1)
    })
  }
})

describe('losses', () => {
  const g = golden.losses
  const t = (v: number[]): tf.Tensor4D => tf.tensor4d(v, g.shape)

  it('MaxSquare: image-wise weights, image-wise and plain losses', () => {
    const l = t(g.logits)
    const w = imageWisePixelWeights(l, g.alpha)
    expect(maxAbsDiff(w.dataSync(), g.iwWeights)).toBeLessThan(1e-6)
    const iw = imageWiseMaxSquareLoss(l, g.alpha)
    const plain = maxSquareLoss(l)
    expect(iw.dataSync()[0]!).toBeCloseTo(g.iwLoss, 6)
    expect(plain.dataSync()[0]!).toBeCloseTo(g.plainLoss, 6)
    tf.dispose([l, w, iw, plain])
  })

  it('robust entropy (η = 2)', () => {
    const l = t(g.logits)
    const r = robustEntropy(l, 2)
    expect(Math.abs(r.dataSync()[0]! - g.robustEntropy) / g.robustEntropy).toBeLessThan(1e-4)
    tf.dispose([l, r])
  })

  it('MRNet memory KL and rectified pseudo-label loss', () => {
    const l = t(g.logits)
    const a = t(g.aux)
    const y = tf.tensor3d(g.labels, g.shape.slice(0, 3) as [number, number, number], 'int32')
    const m = memoryKl(l, a)
    const r = rectifiedCrossEntropy(l, a, y).add(rectifiedCrossEntropy(a, l, y).mul(0.5))
    expect(Math.abs(m.dataSync()[0]! - g.memoryKl) / g.memoryKl).toBeLessThan(1e-5)
    expect(Math.abs(r.dataSync()[0]! - g.rectified) / g.rectified).toBeLessThan(1e-5)
    tf.dispose([l, a, y, m, r])
  })
})

describe('pseudo-label selection', () => {
  const g = golden.pseudo
  const preds: ImagePrediction[] = g.preds.map((p, i) => ({
    name: `img${i}`,
    width: p.width,
    height: p.height,
    labels: Uint8Array.from(p.labels),
    entropy: Float32Array.from(p.entropy),
  }))

  it('pixel mode, r = 0.5 over the album (stable ties)', () => {
    const out = selectPixels(preds, 0.5, false, g.numClasses)
    out.forEach((p, i) => expect([...p.labels]).toEqual(g.pixel05[i]))
  })

  it('pixel mode, r = 0.5 within each class', () => {
    const out = selectPixels(preds, 0.5, true, g.numClasses)
    out.forEach((p, i) => expect([...p.labels]).toEqual(g.pixelPerClass05[i]))
  })

  it('image mode keeps the lowest-mean-entropy images with full argmax maps', () => {
    for (const [rate, want] of [
      [0.6, g.image06],
      [0.67, g.image067],
    ] as const) {
      const out = selectImages(preds, rate)
      expect(out.map((p) => Number(p.name.slice(3)))).toEqual(want)
      for (const p of out) expect([...p.labels]).toEqual(g.preds[Number(p.name.slice(3))]!.labels)
    }
  })
})
