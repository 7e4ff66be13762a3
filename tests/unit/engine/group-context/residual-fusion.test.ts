/**
 * The group context module's 'residual' fusion (issue 13; group-context.ts): a new module is exactly the
 * identity, so a context network warm-started from a plain network's weights predicts exactly as that
 * network; its branch starts learning at the first SGD step (the zero-initialised BN scale gets a gradient);
 * its parameters never load as the released 'replace' fusion's (or the other way round); and the bench
 * predicts a context network in batches of its training batch size.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import {
  createModel,
  groupContext,
  ParamStore,
  parseSegNetConfig,
  type SegNet,
} from '../../../../src/main/engine/models'
import { applyWeights } from '../../../../src/main/engine/models/weights-io'
import { Rng } from '../../../../src/main/engine/train/rng'
import { SgdMomentum } from '../../../../src/main/engine/train/optimizers'
import { supervisedStep } from '../../../../src/main/engine/train/steps'
import { predictBatch } from '../../../../src/main/engine/pipelines/methods-runner'
import { useBackend } from '../helpers'

beforeAll(async () => {
  await useBackend('wasm')
})

function normal(seed: number, shape: [number, number, number, number], scale = 1): tf.Tensor4D {
  const rng = new Rng(seed)
  const n = shape.reduce((a, b) => a * b, 1)
  return tf.tensor4d(
    Float32Array.from({ length: n }, () => rng.normal() * scale),
    shape,
  )
}

function model(context: object | null): SegNet {
  return createModel('segnet', {
    backbone: { kind: 'resnet-compact', width: 16 },
    numClasses: 5,
    seed: 3,
    ...(context ? { context } : {}),
  }) as SegNet
}

/** The weights of `from` by name, as a NamedTensorMap of copies. */
function weightsOf(from: SegNet): tf.NamedTensorMap {
  return Object.fromEntries(from.params.names().map((n) => [n, from.params.variable(n).clone()]))
}

describe("group context fusion 'residual'", () => {
  it("config: fusion defaults to 'replace' (what older checkpoints hold) and is validated", () => {
    expect(parseSegNetConfig({ context: { variant: 'ours' } }).context?.fusion).toBe('replace')
    expect(parseSegNetConfig({ context: { variant: 'ours', fusion: 'residual' } }).context?.fusion).toBe(
      'residual',
    )
    expect(() => parseSegNetConfig({ context: { variant: 'ours', fusion: 'add' } })).toThrow(
      /context.fusion: fusion must be one of: replace, residual/,
    )
  })

  it('a fresh module returns its input exactly, in eval and in training mode (dropout included)', async () => {
    const [b, h, w, c, k] = [3, 4, 5, 8, 6]
    for (const variant of ['ours', 'global'] as const)
      for (const training of [false, true]) {
        const ps = new ParamStore(new Rng(11))
        const x = normal(1, [b, h, w, c]).relu() as tf.Tensor4D
        const p = normal(2, [b, h, w, k], 3)
        const y = groupContext(
          ps,
          x,
          p,
          { variant, layout: 'transpose', intra: true, fusion: 'residual' },
          training,
          new Rng(5),
        )
        expect(Array.from(await y.data())).toEqual(Array.from(await x.data()))
        // The released fusion is not the identity: the test above can tell the two apart.
        const replaced = groupContext(
          new ParamStore(new Rng(11)),
          x,
          p,
          { variant, layout: 'transpose', intra: true },
          false,
        )
        expect(Array.from(await replaced.data())).not.toEqual(Array.from(await x.data()))
        expect(ps.names().filter((n) => n.startsWith('gc_fuse'))).toEqual([])
        expect(ps.variable('gc_residual_bn/gamma').shape).toEqual([c])
        tf.dispose([x, p, y, replaced])
        ps.dispose()
      }
  })

  it("warm-started from a plain network's weights, it predicts exactly as that network", async () => {
    const plain = model(null)
    const residual = model({ variant: 'ours', fusion: 'residual' })
    const replace = model({ variant: 'ours' })
    const x = normal(4, [2, 32, 32, 3])
    const want = plain.forward(x, false)
    for (const [net, same] of [
      [residual, true],
      [replace, false],
    ] as const) {
      const w = weightsOf(plain)
      applyWeights(net.params, w, false) // the module's parameters stay as initialised
      tf.dispose(Object.values(w))
      const got = net.forward(x, false)
      const eq = Array.from(await got.main.data()).every((v, i) => v === want.main.dataSync()[i])
      expect(eq).toBe(same)
      expect(Array.from(await got.aux!.data())).toEqual(Array.from(await want.aux!.data()))
      tf.dispose([got.main, got.aux!])
    }
    tf.dispose([x, want.main, want.aux!])
    for (const m of [plain, residual, replace]) m.dispose()
  })

  it('one SGD step moves the zero-initialised scale, after which the context changes the output', async () => {
    const net = model({ variant: 'ours', fusion: 'residual' })
    const images = normal(6, [2, 32, 32, 3])
    const rng = new Rng(7)
    const labels = tf.tensor3d(
      Int32Array.from({ length: 2 * 32 * 32 }, () => Math.floor(rng.next() * 5)),
      [2, 32, 32],
      'int32',
    )
    const gamma = net.params.variable('gc_residual_bn/gamma')
    expect(Array.from(await gamma.data()).every((v) => v === 0)).toBe(true)
    const opt = new SgdMomentum({ momentum: 0.9, weightDecay: 5e-4 })
    supervisedStep(net, opt, { images, labels }, 0.05)
    expect(Array.from(await gamma.data()).some((v) => v !== 0)).toBe(true)
    // The output of image 0 now depends on the rest of its batch (the module is no longer the identity).
    const other = normal(8, [1, 32, 32, 3])
    const a = net.forward(images, false)
    const b = net.forward(tf.concat([images.slice([0], [1]), other]) as tf.Tensor4D, false)
    const a0 = Array.from(await a.main.slice([0], [1]).data())
    const b0 = Array.from(await b.main.slice([0], [1]).data())
    expect(a0).not.toEqual(b0)
    tf.dispose([images, labels, other, a.main, a.aux!, b.main, b.aux!])
    opt.dispose()
    net.dispose()
  })

  it('a checkpoint of one fusion does not load strictly into the other (different parameter names)', () => {
    const residual = model({ variant: 'ours', fusion: 'residual' })
    const replace = model({ variant: 'ours' })
    for (const [from, to] of [
      [residual, replace],
      [replace, residual],
    ] as const) {
      const w = weightsOf(from)
      expect(() => applyWeights(to.params, w, true)).toThrow(/gc_(fuse|residual)/)
      tf.dispose(Object.values(w))
    }
    residual.dispose()
    replace.dispose()
  })
})

describe('bench prediction batches (docs/method.md §10: test-time context batch = training batch)', () => {
  it('a group-context network predicts in batches of its training batch; a plain one in twice that', () => {
    expect(predictBatch(4, 'ours')).toBe(4)
    expect(predictBatch(4, 'global')).toBe(4)
    expect(predictBatch(4, 'none')).toBe(8)
  })
})
