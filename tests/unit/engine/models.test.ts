/**
 * The compact segmentation net, its heads and the ADVENT discriminator: config validation, Keras names,
 * shapes, the batch-norm gradient, real training on the wasm backend (loss falls on a synthetic shapes task),
 * an adversarial step, and tensor hygiene.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import {
  ConfigError,
  createDiscriminator,
  createModel,
  normalizeImages,
  parseSegNetConfig,
  ParamStore,
} from '../../../src/main/engine/models'
import { adaptiveAvgPool, adaptivePoolMatrix, batchNorm } from '../../../src/main/engine/models/layers'
import { Rng } from '../../../src/main/engine/train/rng'
import { Adam, SgdMomentum } from '../../../src/main/engine/train/optimizers'
import { adventStep, supervisedStep } from '../../../src/main/engine/train/steps'
import { makeShapesBatch } from '../../../src/main/engine/data/synthetic-shapes'
import { relError } from './reference/conv-ref'
import { expectNoLeak, useBackend } from './helpers'

beforeAll(async () => {
  await useBackend('wasm')
})

function batchTensors(rng: Rng, n: number, size: number) {
  const b = makeShapesBatch(rng, n, size)
  return tf.tidy(() => ({
    images: normalizeImages(tf.tensor4d(b.images, [n, size, size, 3])),
    labels: tf.tensor3d(b.labels, [n, size, size], 'int32'),
  }))
}

describe('config', () => {
  it('fills defaults into a copy', () => {
    const input = { backbone: { kind: 'resnet-compact' as const } }
    const c = parseSegNetConfig(input)
    expect(c).toEqual({
      backbone: { kind: 'resnet-compact', width: 16 },
      numClasses: 21,
      psp: { bins: [1, 2, 3, 6] },
      aux: true,
      seed: 0,
    })
    expect(input).toEqual({ backbone: { kind: 'resnet-compact' } })
  })

  it('says what was wrong and what is allowed', () => {
    expect(() => parseSegNetConfig({ backbone: { kind: 'resnet-compact', width: 24 } })).toThrow(
      'Invalid segmentation model config: backbone.width: width must be 16 or 32',
    )
    expect(() => parseSegNetConfig({ backbone: { kind: 'vgg99' } })).toThrow(
      /backbone.kind: kind must be one of: resnet-compact/,
    )
    const e = (() => {
      try {
        parseSegNetConfig({ numClasses: 1, extra: true })
      } catch (err) {
        return err
      }
      return null
    })()
    expect(e).toBeInstanceOf(ConfigError)
    expect((e as ConfigError).issues).toEqual([
      expect.stringMatching(/^numClasses: /),
      expect.stringMatching(/^\(root\): Unrecognized key: "extra"/),
    ])
    expect(() => createModel('unet', {})).toThrow("unknown model kind 'unet'; allowed: segnet")
  })
})

describe('layers', () => {
  it('adaptive pooling bins follow PyTorch AdaptiveAvgPool2d (floor start, ceil end)', () => {
    // 8 rows into 3 bins: [0,3), [2,6), [5,8).
    const m = adaptivePoolMatrix(8, 1, 3)
    const rows = [0, 1, 2].map((i) =>
      Array.from(m.slice(i * 8 * 3, i * 8 * 3 + 8)).map((v) => (v > 0 ? 1 : 0)),
    )
    // b = 3 in both axes with w = 1: bin (i, 0) is row i·3 of the matrix.
    expect(rows[0]).toEqual([1, 1, 1, 0, 0, 0, 0, 0])
    expect(rows[1]).toEqual([0, 0, 1, 1, 1, 1, 0, 0])
    expect(rows[2]).toEqual([0, 0, 0, 0, 0, 1, 1, 1])
  })

  it('adaptive average pooling: forward and gradient match plain loops over the PyTorch bins', async () => {
    const [n, h, w, c, b] = [2, 7, 5, 3, 3]
    const rng = new Rng(5)
    const xv = Float32Array.from({ length: n * h * w * c }, () => rng.normal())
    const gv = Float32Array.from({ length: n * b * b * c }, () => rng.normal())
    const x = tf.tensor4d(xv, [n, h, w, c])
    const g = tf.tensor4d(gv, [n, b, b, c])
    const yRef = new Float64Array(n * b * b * c)
    const dxRef = new Float64Array(xv.length)
    for (let i = 0; i < b; i++) {
      const [y0, y1] = [Math.floor((i * h) / b), Math.ceil(((i + 1) * h) / b)]
      for (let j = 0; j < b; j++) {
        const [x0, x1] = [Math.floor((j * w) / b), Math.ceil(((j + 1) * w) / b)]
        const area = (y1 - y0) * (x1 - x0)
        for (let q = 0; q < n; q++)
          for (let k = 0; k < c; k++) {
            const o = ((q * b + i) * b + j) * c + k
            for (let y = y0; y < y1; y++)
              for (let xx = x0; xx < x1; xx++) {
                const src = ((q * h + y) * w + xx) * c + k
                yRef[o] = (yRef[o] as number) + (xv[src] as number) / area
                dxRef[src] = (dxRef[src] as number) + (gv[o] as number) / area
              }
          }
      }
    }
    const out = await expectNoLeak(async () => {
      const y = adaptiveAvgPool(x, b)
      const dx = tf.grad((a: tf.Tensor) =>
        adaptiveAvgPool(a as tf.Tensor4D, b)
          .mul(g)
          .sum(),
      )(x)
      const r = { y: await y.data(), dx: await dx.data() }
      tf.dispose([y, dx])
      return r
    })
    expect(relError(out.y, yRef)).toBeLessThan(1e-6)
    expect(relError(out.dx, dxRef)).toBeLessThan(1e-6)
    tf.dispose([x, g])
  })

  for (const relu of [false, true]) {
    it(`batch norm${relu ? ' + fused ReLU' : ''}: closed-form gradient equals autodiff of the textbook formula`, async () => {
      const ps = new ParamStore(new Rng(3))
      const rng = new Rng(11)
      const vals = Float32Array.from({ length: 3 * 4 * 5 * 6 }, () => rng.normal() * 2 + 1)
      const x = tf.tensor4d(vals, [3, 4, 5, 6])
      const dy = tf.tensor4d(
        Float32Array.from({ length: vals.length }, () => rng.normal()),
        [3, 4, 5, 6],
      )
      batchNorm(ps, 'bn', x, false).dispose() // create the parameters
      const gamma = ps.variable('bn/gamma')
      const beta = ps.variable('bn/beta')
      tf.tidy(() => {
        gamma.assign(tf.tensor1d([1, 2, 0.5, -1, 3, 1.5]))
        beta.assign(tf.tensor1d([0, 1, -1, 0.5, 2, -2]))
      })
      const ours = await expectNoLeak(async () => {
        const y = batchNorm(ps, 'bn', x, true, relu)
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
          void b
          void c
          return batchNorm(ps, 'bn', a as tf.Tensor4D, true, relu)
            .mul(dy)
            .sum()
        })([x, gamma, beta])
        const r = [await y.data(), ...(await Promise.all(g.map((t) => t.data())))]
        tf.dispose([y, ...g])
        return r
      })
      const textbook = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2])
        const y = a.sub(mean).div(variance.add(1e-5).sqrt()).mul(g).add(b)
        return relu ? tf.relu(y) : y
      }
      const refY = textbook(x, gamma, beta)
      const ref = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => textbook(a, g, b).mul(dy).sum())([
        x,
        gamma,
        beta,
      ])
      const refData = [await refY.data(), ...(await Promise.all(ref.map((t) => t.data())))]
      for (let i = 0; i < 4; i++)
        expect(relError(ours[i] as Float32Array, refData[i] as Float32Array)).toBeLessThan(1e-5)
      // Two training calls (forward + grads): moving_mean = 0.9·(0.1·μ) + 0.1·μ = 0.19·μ.
      const mean = await tf.tidy(() => x.mean([0, 1, 2])).data()
      const mm = await ps.variable('bn/moving_mean').data()
      for (let c = 0; c < 6; c++) expect(mm[c]).toBeCloseTo(0.19 * (mean[c] as number), 5)
      // Inference uses the moving statistics.
      const ev = batchNorm(ps, 'bn', x, false, relu)
      const mv = ps.variable('bn/moving_variance')
      const evRef = tf.tidy(() => {
        const y = x.sub(ps.variable('bn/moving_mean')).div(mv.add(1e-5).sqrt()).mul(gamma).add(beta)
        return relu ? tf.relu(y) : y
      })
      expect(relError(await ev.data(), await evRef.data())).toBeLessThan(1e-5)
      tf.dispose([x, dy, refY, ev, evRef, ...ref])
      ps.dispose()
    })
  }
})

describe('compact segmentation net', () => {
  it('has Keras-style names, the expected outputs, and no leaks in forward', async () => {
    const model = createModel('segnet', { backbone: { kind: 'resnet-compact', width: 16 } })
    const names = model.params.names()
    for (const n of [
      'conv1_conv/kernel',
      'conv1_bn/gamma',
      'conv1_bn/moving_variance',
      'conv2_block1_1_conv/kernel',
      'conv2_block1_0_conv/kernel',
      'conv5_block1_2_bn/beta',
      'psp_pool6_conv/kernel',
      'psp_bottleneck_bn/moving_mean',
      'classifier/kernel',
      'aux_classifier/bias',
    ]) {
      expect(names).toContain(n)
    }
    expect(names).not.toContain('classifier/bias')
    expect(model.params.variable('conv5_block1_1_conv/kernel').shape).toEqual([3, 3, 64, 128])
    const x = tf.randomNormal([2, 64, 48, 3]) as tf.Tensor4D
    await expectNoLeak(() => {
      const o = model.forward(x, false)
      expect(o.main.shape).toEqual([2, 8, 6, 21])
      expect(o.aux?.shape).toEqual([2, 8, 6, 21])
      tf.dispose([o.main, o.aux as tf.Tensor])
    })
    expect(() => model.forward(tf.zeros([1, 60, 64, 3]) as tf.Tensor4D, false)).toThrow(/multiples of 8/)
    expect(() => model.params.get('new/kernel', [1], 'zeros')).toThrow(/already built/)
    x.dispose()
    model.dispose()
  })

  it('ResNet-50 dilated has exactly Keras ResNet50 (include_top=False) weights, by name and count', async () => {
    const model = createModel('segnet', { backbone: { kind: 'resnet50-dilated' } })
    const backbone = model.params.names().filter((n) => /^conv\d/.test(n))
    const size = (ns: string[]) => ns.reduce((a, n) => a + model.params.variable(n).size, 0)
    // tf.keras.applications.ResNet50(include_top=False).summary(): 23,587,712 total, 53,120 non-trainable.
    expect(size(backbone)).toBe(23_587_712)
    expect(size(backbone.filter((n) => /moving_(mean|variance)$/.test(n)))).toBe(53_120)
    for (const n of [
      'conv1_conv/bias',
      'conv2_block1_0_conv/kernel',
      'conv4_block6_3_bn/moving_variance',
      'conv5_block3_2_conv/kernel',
    ]) {
      expect(backbone).toContain(n)
    }
    expect(model.params.variable('conv5_block1_2_conv/kernel').shape).toEqual([3, 3, 512, 512])
    expect(model.params.variable('psp_bottleneck_conv/kernel').shape).toEqual([3, 3, 2048 + 4 * 512, 512])
    const x = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D
    await expectNoLeak(() => {
      const o = model.forward(x, false)
      expect(o.main.shape).toEqual([1, 4, 4, 21]) // output stride 8
      expect(o.aux?.shape).toEqual([1, 4, 4, 21])
      tf.dispose([o.main, o.aux as tf.Tensor])
    })
    x.dispose()
    model.dispose()
  }, 120_000)

  it('the same seed gives the same initial weights; another seed others', async () => {
    const a = createModel('segnet', { seed: 5 })
    const b = createModel('segnet', { seed: 5 })
    const c = createModel('segnet', { seed: 6 })
    const k = 'conv3_block1_1_conv/kernel'
    const [va, vb, vc] = await Promise.all([a, b, c].map((m) => m.params.variable(k).data()))
    expect(Array.from(va as Float32Array)).toEqual(Array.from(vb as Float32Array))
    expect(Array.from(va as Float32Array)).not.toEqual(Array.from(vc as Float32Array))
    ;[a, b, c].forEach((m) => m.dispose())
  })

  it('trains on wasm: the loss on a synthetic shapes task falls over 30 steps (64², batch 4)', async () => {
    const model = createModel('segnet', { backbone: { kind: 'resnet-compact', width: 16 }, seed: 1 })
    const opt = new SgdMomentum({ momentum: 0.9, weightDecay: 5e-4 })
    const rng = new Rng(77)
    const losses: number[] = []
    const before = tf.memory().numTensors
    for (let it = 0; it < 30; it++) {
      const batch = batchTensors(rng, 4, 64)
      const r = supervisedStep(model, opt, batch, 0.01)
      tf.dispose([batch.images, batch.labels])
      expect(Number.isFinite(r.loss)).toBe(true)
      losses.push(r.ceMain)
      // The momentum buffers are created on the first step; after that the count must not grow.
      if (it === 0) continue
      expect(tf.memory().numTensors).toBe(before + Object.keys(model.params.trainableVariables()).length)
    }
    const first = losses.slice(0, 5).reduce((a, b) => a + b) / 5
    const last = losses.slice(-5).reduce((a, b) => a + b) / 5
    // ln(21) ≈ 3.04 at the start; a net that learns the task gets well below half of it.
    expect(first).toBeGreaterThan(1.5)
    expect(last).toBeLessThan(0.6 * first)
    opt.dispose()
    model.dispose()
  }, 180_000)

  it('an ADVENT step updates the segmenter and both discriminators and leaks nothing', async () => {
    const model = createModel('segnet', { seed: 2 })
    const dMain = createDiscriminator({ ndf: 16 }, 21, 'd_main')
    const dAux = createDiscriminator({ ndf: 16, seed: 3 }, 21, 'd_aux')
    expect(dMain.params.names()).toContain('d_main_conv5/kernel')
    expect(dMain.params.variable('d_main_conv4/kernel').shape).toEqual([4, 4, 64, 128])
    const opts = {
      seg: new SgdMomentum({ momentum: 0.9, weightDecay: 5e-4 }),
      dMain: new Adam({ beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0 }),
      dAux: new Adam({ beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0 }),
    }
    const rng = new Rng(9)
    const src = batchTensors(rng, 2, 64)
    const tgt = batchTensors(rng, 2, 64)
    const d5Before = await dMain.params.variable('d_main_conv5/kernel').data()
    const auxBefore = await dAux.params.variable('d_aux_conv1/kernel').data()
    const segBefore = await model.params.variable('conv1_conv/kernel').data()
    // First step creates the optimiser slots; the second must not change the tensor count.
    adventStep({ model, dMain, dAux }, opts, src, tgt.images, 2.5e-3, 1e-4)
    const r = await expectNoLeak(() =>
      adventStep({ model, dMain, dAux }, opts, src, tgt.images, 2.5e-3, 1e-4),
    )
    for (const v of Object.values(r)) expect(Number.isFinite(v)).toBe(true)
    expect(r.dMain).toBeGreaterThan(0)
    expect(r.dAux).toBeGreaterThan(0)
    expect(Array.from(await dMain.params.variable('d_main_conv5/kernel').data())).not.toEqual(
      Array.from(d5Before),
    )
    expect(Array.from(await dAux.params.variable('d_aux_conv1/kernel').data())).not.toEqual(
      Array.from(auxBefore),
    )
    expect(Array.from(await model.params.variable('conv1_conv/kernel').data())).not.toEqual(
      Array.from(segBefore),
    )
    tf.dispose([src.images, src.labels, tgt.images, tgt.labels])
    opts.seg.dispose()
    opts.dMain.dispose()
    opts.dAux.dispose()
    ;[model, dMain, dAux].forEach((m) => m.dispose())
  }, 120_000)
})
