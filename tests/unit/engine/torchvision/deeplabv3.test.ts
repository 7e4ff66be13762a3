/**
 * torchvision's DeepLabV3 MobileNetV3-Large (with its aux FCN head) in tfjs against PyTorch: same method as
 * lraspp.test.ts (goldens from make_torchvision_golden.py; float64 training-step reference). Dropout is
 * off for the training step on both sides (its masks are random). As for LR-ASPP, wasm's float32 batch
 * statistics put the backbone gradients ~1e-3 off float64, so on wasm the loss, running statistics and the
 * head gradients are asserted, and every gradient on cpu (same engine code, float64 reductions) at 68×92.
 */
import * as tf from '@tensorflow/tfjs'
import { afterAll, describe, expect, it } from 'vitest'
import { DeepLabV3MobileNetV3Large } from '../../../../src/main/engine/models/torchvision/deeplabv3'
import { expectNoLeak, useBackend } from '../helpers'
import { GoldenRunner, describeStep, evalCheck, loadInto, trainStep, type Goldens } from './torchvision-check'

const ARCH = 'deeplabv3_mobilenet_v3_large'
const runner = new GoldenRunner()
const full = runner.make(ARCH, 212, 276)
const small = runner.make(ARCH, 68, 92)
if (runner.skipReason) console.warn(`skipping the DeepLabV3 equality tests: ${runner.skipReason}`)

const build = (): DeepLabV3MobileNetV3Large => new DeepLabV3MobileNetV3Large({ aux: true, dropout: false })

describe.skipIf(full === null || small === null)(
  'DeepLabV3 MobileNetV3-Large (+ aux) = torchvision 0.14',
  () => {
    const f = full as Goldens
    const s = small as Goldens

    afterAll(() => runner.cleanup())

    it('has exactly torchvision’s state-dict keys, in order; without aux, no aux_classifier keys', async () => {
      await useBackend('wasm')
      const model = build()
      expect(model.stateDictKeys()).toEqual([...f.state.keys()])
      // torchvision's DeepLabV3_MobileNet_V3_Large_Weights meta: num_params 11029328 (its weights ship the aux head).
      expect(model.params.count(true)).toBe(11029328)
      model.dispose()
      const plain = new DeepLabV3MobileNetV3Large()
      expect(plain.stateDictKeys()).toEqual(
        [...f.state.keys()].filter((k) => !k.startsWith('aux_classifier.')),
      )
      plain.dispose()
    })

    it('eval on wasm: main (stride 16) and aux (stride 8) logits and the output equal PyTorch', async () => {
      await useBackend('wasm')
      const model = loadInto(build(), f)
      const r = await expectNoLeak(() => evalCheck(model, f))
      console.log(
        `DeepLabV3 eval (wasm): logits ${r.logitErr.toExponential(2)}, aux ${r.auxErr?.toExponential(2)}, out ${r.outErr.toExponential(2)}, argmax ${100 * r.argmaxAgree} %`,
      )
      expect(r.logitErr).toBeLessThan(1e-3)
      expect(r.auxErr).not.toBeNull()
      expect(r.auxErr as number).toBeLessThan(1e-3)
      expect(r.outErr).toBeLessThan(1e-3)
      expect(r.argmaxAgree).toBeGreaterThanOrEqual(0.999)
      model.dispose()
    })

    it('train step on wasm: loss, running statistics and head gradients equal PyTorch', async () => {
      await useBackend('wasm')
      const model = loadInto(build(), f)
      const c = await trainStep(model, f)
      model.dispose()
      console.log(`DeepLabV3 train step (wasm, 212×276): ${describeStep(c)}`)
      expect(c.lossErr).toBeLessThan(1e-4)
      for (const r of c.running) expect(r.err, r.key).toBeLessThan(1e-4)
      const head = c.grads.filter((g) => !g.key.startsWith('backbone.'))
      expect(head.length).toBe(5)
      for (const g of head) expect(g.err, g.key).toBeLessThan(1e-3)
    })

    it('train step on cpu: loss, every gradient and running statistics equal PyTorch', async () => {
      await useBackend('cpu')
      try {
        const model = loadInto(build(), s)
        const c = await trainStep(model, s)
        model.dispose()
        console.log(`DeepLabV3 train step (cpu, 68×92): ${describeStep(c)}`)
        expect(c.lossErr).toBeLessThan(1e-4)
        for (const r of c.running) expect(r.err, r.key).toBeLessThan(1e-4)
        expect(c.grads.length).toBe(8)
        for (const g of c.grads) expect(g.err, g.key).toBeLessThan(1e-3)
      } finally {
        await useBackend('wasm')
      }
    }, 300_000)

    it('train mode with dropout draws from its own seeded generator (state round-trips)', async () => {
      await useBackend('wasm')
      const model = new DeepLabV3MobileNetV3Large({ aux: true })
      const state = model.dropoutState()
      expect(state).not.toBeNull()
      const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 9) as tf.Tensor4D
      const a = model.forward(x, true)
      model.setDropoutState(state as number)
      const b = model.forward(x, true)
      expect(await a.main.data()).toEqual(await b.main.data())
      // The sequence goes on: the next pass draws other masks, so dropout is really applied.
      const c = model.forward(x, true)
      expect(await c.main.data()).not.toEqual(await b.main.data())
      tf.dispose([x, a.main, b.main, c.main, a.aux!, b.aux!, c.aux!])
      model.dispose()
    })
  },
)
