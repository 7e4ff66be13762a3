/**
 * VGG-16-BN backbone: Keras VGG16 names and shapes, parameter count from the per-layer formula, output
 * stride 8, the PSP segmentation net on top, a training-mode pass, and tensor hygiene.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import {
  createModel,
  parseSegNetConfig,
  ParamStore,
  VGG16_OS8,
  vgg16Bn,
} from '../../../src/main/engine/models'
import { Rng } from '../../../src/main/engine/train/rng'
import { expectNoLeak, useBackend } from './helpers'

beforeAll(async () => {
  await useBackend('wasm')
})

/** Keras VGG16 conv layers (include_top=False), written out independently of VGG16_OS8. */
const KERAS_VGG16_CONVS: Array<[string, number, number]> = [
  ['block1_conv1', 3, 64],
  ['block1_conv2', 64, 64],
  ['block2_conv1', 64, 128],
  ['block2_conv2', 128, 128],
  ['block3_conv1', 128, 256],
  ['block3_conv2', 256, 256],
  ['block3_conv3', 256, 256],
  ['block4_conv1', 256, 512],
  ['block4_conv2', 512, 512],
  ['block4_conv3', 512, 512],
  ['block5_conv1', 512, 512],
  ['block5_conv2', 512, 512],
  ['block5_conv3', 512, 512],
]

function buildBackbone(): ParamStore {
  const ps = new ParamStore(new Rng(0))
  tf.tidy(() => {
    vgg16Bn(ps, tf.zeros([1, 16, 16, 3]) as tf.Tensor4D, false)
  })
  ps.seal()
  return ps
}

describe('VGG-16-BN backbone', () => {
  it('has exactly the Keras VGG16 conv weights plus one BN per conv, by name, shape and count', () => {
    const ps = buildBackbone()
    const expected = new Map<string, number[]>()
    let convParams = 0
    let bnTrainable = 0
    let bnMoving = 0
    for (const [name, cin, cout] of KERAS_VGG16_CONVS) {
      expected.set(`${name}/kernel`, [3, 3, cin, cout])
      expected.set(`${name}/bias`, [cout])
      for (const s of ['gamma', 'beta', 'moving_mean', 'moving_variance'])
        expected.set(`${name}_bn/${s}`, [cout])
      convParams += 3 * 3 * cin * cout + cout // kernel + bias
      bnTrainable += 2 * cout // gamma, beta
      bnMoving += 2 * cout // moving mean, moving variance (not trainable)
    }
    expect(ps.names().sort()).toEqual([...expected.keys()].sort())
    for (const [n, shape] of expected) expect(ps.variable(n).shape, n).toEqual(shape)
    // tf.keras.applications.VGG16(include_top=False).summary(): 14,714,688 params (all in the convs).
    expect(convParams).toBe(14_714_688)
    expect(bnTrainable).toBe(8_448)
    expect(ps.count(true)).toBe(convParams + bnTrainable)
    expect(ps.count(false)).toBe(convParams + bnTrainable + bnMoving)
    expect(Object.keys(ps.trainableVariables()).filter((n) => /moving_/.test(n))).toEqual([])
    ps.dispose()
  })

  it('keeps output stride 8: pools after block1..3 only, block5 dilated; 64×64 → 8×8×512, no leaks', async () => {
    expect(VGG16_OS8.map((b) => [b.name, b.pool, b.rate])).toEqual([
      ['block1', true, 1],
      ['block2', true, 1],
      ['block3', true, 1],
      ['block4', false, 1],
      ['block5', false, 2],
    ])
    const ps = buildBackbone()
    const x = tf.randomNormal([1, 64, 64, 3]) as tf.Tensor4D
    await expectNoLeak(async () => {
      // The backbone leaves its intermediates to the caller's tidy (SegNet.forward), as resnet50 does.
      const [mid, out] = tf.tidy(() => {
        const r = vgg16Bn(ps, x, false)
        return [r.mid, r.out]
      })
      const f = { mid: mid as tf.Tensor4D, out: out as tf.Tensor4D }
      expect(f.mid.shape).toEqual([1, 8, 8, 512])
      expect(f.out.shape).toEqual([1, 8, 8, 512])
      const v = await f.out.data()
      expect(v.every((a) => Number.isFinite(a) && a >= 0)).toBe(true) // ends in a ReLU
      expect(v.some((a) => a > 0)).toBe(true)
      tf.dispose([f.mid, f.out])
    })
    x.dispose()
    ps.dispose()
  }, 60_000)

  it('plugs into the segmentation net under a PSP head (config, shapes, training pass, no leaks)', async () => {
    expect(parseSegNetConfig({ backbone: { kind: 'vgg16-bn' } }).backbone).toEqual({ kind: 'vgg16-bn' })
    expect(() => parseSegNetConfig({ backbone: { kind: 'vgg16-bn', width: 16 } })).toThrow(
      /backbone: Unrecognized key: "width"/,
    )
    expect(() => parseSegNetConfig({ backbone: { kind: 'vgg19' } })).toThrow(
      'backbone.kind: kind must be one of: resnet-compact, resnet50-dilated, vgg16-bn',
    )
    const model = createModel('segnet', { backbone: { kind: 'vgg16-bn' }, numClasses: 21 })
    // PSP on block5 (512 ch): 4 branches of 512/4 = 128, bottleneck 3×3 over 512 + 4·128 → 512 (paper default).
    expect(model.params.variable('psp_pool6_conv/kernel').shape).toEqual([1, 1, 512, 128])
    expect(model.params.variable('psp_bottleneck_conv/kernel').shape).toEqual([3, 3, 1024, 512])
    // Aux head on block4 (512 ch).
    expect(model.params.variable('aux_1_conv/kernel').shape).toEqual([1, 1, 512, 512])
    expect(model.params.variable('classifier/kernel').shape).toEqual([1, 1, 512, 21])
    const x = tf.randomNormal([2, 32, 32, 3]) as tf.Tensor4D
    await expectNoLeak(() => {
      const o = model.forward(x, false)
      expect(o.main.shape).toEqual([2, 4, 4, 21])
      expect(o.aux?.shape).toEqual([2, 4, 4, 21])
      tf.dispose([o.main, o.aux as tf.Tensor])
    })
    // A training-mode pass with gradients reaches the first conv and updates BN statistics.
    const mm = model.params.variable('block1_conv1_bn/moving_mean')
    const before = Array.from(await mm.data())
    const k1 = model.params.variable('block1_conv1/kernel')
    const g5 = model.params.variable('block5_conv3_bn/gamma')
    const { grads, value } = tf.variableGrads(() => {
      const o = model.forward(x, true)
      const l = o.main
        .square()
        .mean()
        .add(o.aux ? o.aux.square().mean() : 0) as tf.Scalar
      tf.dispose([o.main, o.aux as tf.Tensor])
      return l
    }, [k1, g5])
    for (const v of [k1, g5]) {
      const g = await tf.tidy(() => (grads[v.name] as tf.Tensor).abs().sum()).data()
      expect(g[0], v.name).toBeGreaterThan(0)
    }
    expect(Number.isFinite((await value.data())[0])).toBe(true)
    expect(Array.from(await mm.data())).not.toEqual(before)
    tf.dispose([value, ...Object.values(grads), x])
    model.dispose()
  }, 120_000)
})
