/**
 * Training primitives against golden values from an independent NumPy implementation
 * (golden/make_golden.py → golden/primitives.json), plus leak tests.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { Rng } from '../../../src/main/engine/train/rng'
import { polyLr } from '../../../src/main/engine/train/schedule'
import { Adam, SgdMomentum } from '../../../src/main/engine/train/optimizers'
import { augmentImage, augmentLabel, planAugment } from '../../../src/main/engine/train/augment'
import { bceWithLogits, crossEntropyIgnore, entropyMap, meanEntropy } from '../../../src/main/engine/losses'
import { relError } from './reference/conv-ref'
import { expectNoLeak, useBackend } from './helpers'

interface Golden {
  mulberry32_seed42_u32: number[]
  mulberry32_seed7_float: number[]
  poly: Array<{ base: number; it: number; max: number; lr: number }>
  sgd: {
    w0: number[]
    grads: number[][]
    lrs: number[]
    momentum: number
    weightDecay: number
    w: number[][]
  }
  adam: {
    w0: number[]
    grads: number[][]
    lrs: number[]
    beta1: number
    beta2: number
    epsilon: number
    w: number[][]
  }
  ce: { shape: number[]; logits: number[]; labels: number[]; loss: number; grad: number[] }
  entropy: { shape: number[]; logits: number[]; map: number[]; mean: number }
  bce: { shape: number[]; logits: number[]; loss: Record<string, number> }
  augment: {
    seed: number
    minScale: number
    maxScale: number
    fill: number
    cases: Array<{
      w: number
      h: number
      crop: number
      image: number[]
      label: number[]
      plan: { scaledW: number; scaledH: number; cropX: number; cropY: number; flip: boolean }
      outImage: number[]
      outLabel: number[]
    }>
  }
}

const golden = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'golden', 'primitives.json'), 'utf8'),
) as Golden

beforeAll(async () => {
  await useBackend('wasm')
})

describe('Rng (mulberry32)', () => {
  it('matches the reference sequence', () => {
    const r = new Rng(42)
    expect(golden.mulberry32_seed42_u32.map(() => r.nextUint32())).toEqual(golden.mulberry32_seed42_u32)
    const f = new Rng(7)
    for (const v of golden.mulberry32_seed7_float) expect(f.next()).toBe(v)
  })

  it('resumes from its state and shuffles reproducibly', () => {
    const a = new Rng(99)
    a.next()
    const b = Rng.fromState(a.getState())
    expect(b.next()).toBe(a.next())
    const items = Array.from({ length: 20 }, (_, i) => i)
    const s1 = new Rng(5).shuffle(items)
    expect(new Rng(5).shuffle(items)).toEqual(s1)
    expect([...s1].sort((x, y) => x - y)).toEqual(items)
    expect(s1).not.toEqual(items)
  })
})

describe('polyLr', () => {
  it('matches (1 − it/max)^0.9', () => {
    for (const p of golden.poly) expect(polyLr(p.base, p.it, p.max)).toBeCloseTo(p.lr, 15)
  })
  it('rejects bad arguments', () => {
    expect(() => polyLr(1, 1, 0)).toThrow(/maxIt/)
    expect(() => polyLr(1, -1, 10)).toThrow(/iteration/)
  })
})

describe('optimizers', () => {
  it('SGD with momentum and weight decay follows torch.optim.SGD', async () => {
    const g = golden.sgd
    const init = tf.tensor1d(g.w0)
    const w = tf.variable(init, true)
    init.dispose()
    const opt = new SgdMomentum({ momentum: g.momentum, weightDecay: g.weightDecay })
    await expectNoLeak(async () => {
      for (let i = 0; i < g.grads.length; i++) {
        const gr = tf.tensor1d(g.grads[i] as number[])
        opt.apply({ w }, { w: gr }, g.lrs[i] as number)
        gr.dispose()
        expect(relError(await w.data(), g.w[i] as number[])).toBeLessThan(1e-6)
      }
      opt.dispose()
    })
    w.dispose()
  })

  it('Adam follows torch.optim.Adam, and its state round-trips', async () => {
    const g = golden.adam
    const init = tf.tensor1d(g.w0)
    const w = tf.variable(init, true)
    init.dispose()
    const opt = new Adam({ beta1: g.beta1, beta2: g.beta2, epsilon: g.epsilon, weightDecay: 0 })
    await expectNoLeak(async () => {
      for (let i = 0; i < g.grads.length; i++) {
        if (i === 2) {
          // Checkpoint/restore before the last step: the result must be unchanged.
          const st = opt.getState()
          opt.setState(st)
          tf.dispose(Object.values(st.slots))
          expect(opt.iterations).toBe(2)
        }
        const gr = tf.tensor1d(g.grads[i] as number[])
        opt.apply({ w }, { w: gr }, g.lrs[i] as number)
        gr.dispose()
        expect(relError(await w.data(), g.w[i] as number[])).toBeLessThan(1e-6)
      }
      opt.dispose()
    })
    w.dispose()
  })
})

describe('losses', () => {
  it('cross-entropy with ignore label 255: value and gradient', async () => {
    const g = golden.ce
    const logits = tf.tensor4d(g.logits, g.shape as [number, number, number, number])
    const labels = tf.tensor3d(g.labels, g.shape.slice(0, 3) as [number, number, number], 'int32')
    const r = await expectNoLeak(async () => {
      const value = crossEntropyIgnore(logits, labels)
      const grad = tf.grad((l: tf.Tensor) => crossEntropyIgnore(l as tf.Tensor4D, labels))(logits)
      const out = { loss: (await value.data())[0] as number, grad: await grad.data() }
      tf.dispose([value, grad])
      return out
    })
    expect(r.loss).toBeCloseTo(g.loss, 5)
    expect(relError(r.grad, g.grad)).toBeLessThan(1e-5)
    // All pixels ignored: 0, not NaN.
    const allIgnored = tf.fill(g.shape.slice(0, 3) as [number, number, number], 255, 'int32') as tf.Tensor3D
    const z = crossEntropyIgnore(logits, allIgnored)
    expect(Math.abs((await z.data())[0] as number)).toBe(0)
    tf.dispose([logits, labels, allIgnored, z])
  })

  it('entropy map matches ADVENT and meanEntropy its pixel mean', async () => {
    const g = golden.entropy
    const logits = tf.tensor4d(g.logits, g.shape as [number, number, number, number])
    const r = await expectNoLeak(async () => {
      const m = entropyMap(logits)
      const mean = meanEntropy(logits)
      const out = { map: await m.data(), mean: (await mean.data())[0] as number }
      tf.dispose([m, mean])
      return out
    })
    expect(relError(r.map, g.map)).toBeLessThan(1e-5)
    expect(r.mean).toBeCloseTo(g.mean, 5)
    logits.dispose()
  })

  it('entropy map gradient (closed form) equals autodiff of −p·log p / log C', async () => {
    const rng = new Rng(31)
    const shape: [number, number, number, number] = [2, 5, 4, 6]
    const n = shape.reduce((a, b) => a * b)
    const logits = tf.tensor4d(
      Float32Array.from({ length: n }, () => rng.normal() * 4),
      shape,
    )
    const g = tf.tensor4d(
      Float32Array.from({ length: n }, () => rng.normal()),
      shape,
    )
    const ours = await expectNoLeak(async () => {
      const d = tf.grad((l: tf.Tensor) =>
        entropyMap(l as tf.Tensor4D)
          .mul(g)
          .sum(),
      )(logits)
      const v = await d.data()
      d.dispose()
      return v
    })
    const ref = tf.grad((l: tf.Tensor) =>
      tf
        .softmax(l)
        .mul(tf.logSoftmax(l))
        .mul(-1 / Math.log(6))
        .mul(g)
        .sum(),
    )(logits)
    expect(relError(ours, await ref.data())).toBeLessThan(1e-5)
    tf.dispose([logits, g, ref])
  })

  it('BCE with logits is stable for large logits and matches BCEWithLogitsLoss', async () => {
    const g = golden.bce
    const x = tf.tensor(g.logits, g.shape)
    for (const y of ['0', '1']) {
      const v = await expectNoLeak(async () => {
        const l = bceWithLogits(x, Number(y))
        const out = (await l.data())[0] as number
        l.dispose()
        return out
      })
      expect(Number.isFinite(v)).toBe(true)
      expect(v).toBeCloseTo(g.loss[y] as number, 5)
    }
    x.dispose()
  })
})

describe('augmentation', () => {
  it('plans with the seeded RNG and resizes/crops/pads/flips like the NumPy reference', () => {
    const a = golden.augment
    const rng = new Rng(a.seed)
    for (const c of a.cases) {
      const plan = planAugment(rng, c.w, c.h, {
        crop: c.crop,
        baseSize: c.crop,
        minScale: a.minScale,
        maxScale: a.maxScale,
        flip: true,
      })
      expect(plan).toEqual(c.plan)
      const img = augmentImage(
        { data: Float32Array.from(c.image), width: c.w, height: c.h, channels: 3 },
        plan,
        c.crop,
        a.fill,
      )
      expect(relError(img, c.outImage)).toBeLessThan(1e-6)
      const lab = augmentLabel({ data: Uint8Array.from(c.label), width: c.w, height: c.h }, plan, c.crop)
      expect(Array.from(lab)).toEqual(c.outLabel)
    }
  })

  it('rejects malformed input', () => {
    const plan = { scaledW: 4, scaledH: 4, cropX: 0, cropY: 0, flip: false }
    expect(() =>
      augmentImage({ data: new Float32Array(5), width: 2, height: 2, channels: 3 }, plan, 2),
    ).toThrow(/5 values, expected 12/)
    expect(() =>
      planAugment(new Rng(1), 4, 4, { crop: 2, baseSize: 4, minScale: 2, maxScale: 1, flip: false }),
    ).toThrow(/scale range/)
  })
})
