/**
 * The group context module (docs/method.md §3): golden values from an independent float64 numpy implementation
 * (tests/fixtures/group-context/make_fixture.py), the batch dependence that is the module's point, gradients
 * into its parameters, tensor hygiene, and that variant 'none' is exactly the model without the module.
 */
import fs from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import * as tf from '@tensorflow/tfjs'
import {
  ConfigError,
  createModel,
  groupContext,
  ParamStore,
  parseSegNetConfig,
  SegNet,
  type GroupContextOptions,
} from '../../../../src/main/engine/models'
import { Rng } from '../../../../src/main/engine/train/rng'
import { relError } from '../reference/conv-ref'
import { expectNoLeak, useBackend } from '../helpers'

interface FixtureCase {
  variant: 'ours' | 'global'
  layout: 'transpose' | 'released'
  intra: boolean
  params: Record<string, { shape: number[]; values: number[] }>
  expected: number[]
}
interface Fixture {
  shape: { B: number; H: number; W: number; C: number; K: number; D: number }
  x: number[]
  p: number[]
  cases: FixtureCase[]
}

const fixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../../fixtures/group-context/fixture.json'), 'utf8'),
) as Fixture

beforeAll(async () => {
  await useBackend('wasm')
})

describe('group context golden values (float64 numpy reference)', () => {
  const { B, H, W, C, K } = fixture.shape
  for (const c of fixture.cases) {
    it(`${c.variant}, layout ${c.layout}, intra ${c.intra ? 'on' : 'off'}: matches to 1e-4 relative`, async () => {
      const x = tf.tensor4d(fixture.x, [B, H, W, C])
      const p = tf.tensor4d(fixture.p, [B, H, W, K])
      const ps = new ParamStore(new Rng(0))
      const o: GroupContextOptions = { variant: c.variant, layout: c.layout, intra: c.intra }
      groupContext(ps, x, p, o, false).dispose() // creates the parameters
      ps.seal()
      // Exactly the reference's parameters: no more, no fewer.
      expect(ps.names().sort()).toEqual(Object.keys(c.params).sort())
      for (const [name, v] of Object.entries(c.params)) {
        expect(ps.variable(name).shape).toEqual(v.shape)
        tf.tidy(() => ps.variable(name).assign(tf.tensor(v.values, v.shape)))
      }
      const y = groupContext(ps, x, p, o, false)
      const got = await y.data()
      expect(y.shape).toEqual([B, H, W, C])
      const err = relError(got, c.expected)
      expect(err).toBeLessThan(1e-4)
      tf.dispose([x, p, y])
      ps.dispose()
    })
  }
})

function batch(seed: number, n: number, size: number): tf.Tensor4D {
  const rng = new Rng(seed)
  return tf.tensor4d(
    Float32Array.from({ length: n * size * size * 3 }, () => rng.normal()),
    [n, size, size, 3],
  )
}

function ctxModel(variant: 'none' | 'global' | 'ours', layout: 'transpose' | 'released' = 'transpose') {
  return createModel('segnet', {
    backbone: { kind: 'resnet-compact', width: 16 },
    numClasses: 5,
    seed: 7,
    context: { variant, layout },
  }) as SegNet
}

describe('group context in SegNet', () => {
  it("config: absent context = variant 'none'; defaults; a context variant without aux is refused", () => {
    expect(parseSegNetConfig({}).context).toBeUndefined()
    expect(parseSegNetConfig({ context: { variant: 'ours' } }).context).toEqual({
      variant: 'ours',
      layout: 'transpose',
      intra: true,
      fusion: 'replace',
    })
    expect(() => parseSegNetConfig({ context: { variant: 'ours' }, aux: false })).toThrow(ConfigError)
    expect(() => parseSegNetConfig({ context: { variant: 'ours' }, aux: false })).toThrow(
      /context.variant: 'ours' needs the aux head/,
    )
    expect(() => parseSegNetConfig({ context: { variant: 'local' } })).toThrow(
      /context.variant: variant must be one of: none, global, ours/,
    )
    expect(() => parseSegNetConfig({ context: { variant: 'none' }, aux: false })).not.toThrow()
  })

  it("variant 'none' adds no parameter and computes exactly the model without the module", async () => {
    const plain = createModel('segnet', {
      backbone: { kind: 'resnet-compact', width: 16 },
      numClasses: 5,
      seed: 7,
    })
    const none = ctxModel('none')
    const ours = ctxModel('ours')
    expect(none.params.names()).toEqual(plain.params.names())
    const extra = ours.params.names().filter((n) => !plain.params.names().includes(n))
    expect(extra.every((n) => n.startsWith('gc_'))).toBe(true)
    expect(extra).toContain('gc_fuse_conv/kernel')
    // Paper channel scaling: compact C = 4·width = 64 → d = 32; fusion [d, d, C] → C.
    expect(ours.params.variable('gc_down_conv/kernel').shape).toEqual([1, 1, 64, 32])
    expect(ours.params.variable('gc_fuse_conv/kernel').shape).toEqual([1, 1, 128, 64])
    const x = batch(1, 2, 32)
    const a = plain.forward(x, false)
    const b = none.forward(x, false)
    expect(Array.from(await b.main.data())).toEqual(Array.from(await a.main.data()))
    expect(Array.from(await b.aux!.data())).toEqual(Array.from(await a.aux!.data()))
    tf.dispose([x, a.main, a.aux!, b.main, b.aux!])
    for (const m of [plain, none, ours]) m.dispose()
  })

  for (const variant of ['ours', 'global', 'none'] as const) {
    const changes = variant !== 'none'
    it(`${variant}: image 0's prediction ${changes ? 'changes' : 'does not change'} when the rest of its batch changes`, async () => {
      const model = ctxModel(variant)
      const first = batch(1, 1, 32)
      const restA = batch(2, 2, 32)
      const restB = batch(3, 2, 32)
      const xa = tf.concat([first, restA], 0)
      const xb = tf.concat([first, restB], 0)
      const image0 = async (x: tf.Tensor4D) => {
        const o = model.forward(x, false)
        const d = await o.main.slice([0, 0, 0, 0], [1, -1, -1, -1]).data()
        tf.dispose([o.main, o.aux!])
        return d
      }
      const a = await image0(xa)
      const b = await image0(xb)
      const diff = relError(a, b)
      if (changes) expect(diff).toBeGreaterThan(1e-3)
      else expect(diff).toBe(0)
      tf.dispose([first, restA, restB, xa, xb])
      model.dispose()
    })
  }

  it('released layout changes the output (the scramble is real) but has the same parameters', async () => {
    const t = ctxModel('ours', 'transpose')
    const r = ctxModel('ours', 'released')
    expect(r.params.names()).toEqual(t.params.names())
    const x = batch(4, 3, 32)
    const a = t.forward(x, false)
    const b = r.forward(x, false)
    expect(relError(await a.main.data(), await b.main.data())).toBeGreaterThan(1e-4)
    tf.dispose([x, a.main, a.aux!, b.main, b.aux!])
    t.dispose()
    r.dispose()
  })

  for (const variant of ['ours', 'global'] as const) {
    it(`${variant}: a training step leaves no tensor behind and reaches every module parameter`, async () => {
      const model = ctxModel(variant)
      const x = batch(5, 3, 32)
      const vars = model.params.trainableVariables()
      const maxAbs = await expectNoLeak(() => {
        const { value, grads } = tf.variableGrads(() => {
          const o = model.forward(x, true)
          return o.main.square().mean().add(o.aux!.square().mean()) as tf.Scalar
        }, Object.values(vars))
        // variableGrads keys gradients by the tf variable's own name; map back to the parameter names.
        const out: Record<string, number> = {}
        for (const [name, v] of Object.entries(vars)) {
          const g = grads[v.name]
          out[name] = g ? tf.tidy(() => g.abs().max().dataSync()[0] as number) : 0
        }
        tf.dispose([value, ...Object.values(grads)])
        return out
      })
      const moduleKernels = Object.keys(vars).filter((n) => n.startsWith('gc_') && n.endsWith('_conv/kernel'))
      expect(moduleKernels.sort()).toEqual(
        [
          'gc_down_conv/kernel',
          'gc_fuse_conv/kernel',
          'gc_object_1_conv/kernel',
          'gc_object_2_conv/kernel',
          'gc_pixel_1_conv/kernel',
          'gc_pixel_2_conv/kernel',
        ].sort(),
      )
      for (const n of Object.keys(vars).filter((k) => k.startsWith('gc_'))) {
        expect(maxAbs[n], `gradient of ${n}`).toBeGreaterThan(0)
      }
      tf.dispose(x)
      model.dispose()
    })
  }
})
