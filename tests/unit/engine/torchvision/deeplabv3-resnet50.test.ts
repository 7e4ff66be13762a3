/**
 * torchvision's DeepLabV3 ResNet-50 (with its aux FCN head) in tfjs against PyTorch: same method as
 * lraspp.test.ts (goldens from make_torchvision_golden.py: random weights, BN affine parameters and running
 * statistics moved away from their defaults so they matter; float64 training-step reference). The input is
 * 2×3×65×49: odd sizes, so the strided stem conv, the max-pool and layer2's strided 3×3 conv all pad
 * asymmetrically-sized borders, and the stride-8 map (9×7) is smaller than every ASPP dilation (12/24/36),
 * so those convs read mostly padding. Dropout is off for the training step on both sides (random masks).
 * The detector and the checkpoint reader see the torch.save file of the same state dict.
 */
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, describe, expect, it } from 'vitest'
import { detectArchitecture } from '../../../../src/main/engine/models/torch/detect-architecture'
import { readPth } from '../../../../src/main/engine/models/torch/read-pth'
import { DeepLabV3ResNet } from '../../../../src/main/engine/models/torchvision/deeplabv3-resnet'
import { readRunnablePth } from '../../../../src/main/engine/infer/pth/runnable-pth'
import { buildTorchvisionModel } from '../../../../src/main/engine/infer/pth/torchvision-model'
import { expectNoLeak, useBackend } from '../helpers'
import { nchwToNhwc, relMaxDiff } from './torch-tensors'
import {
  GoldenRunner,
  describeStep,
  evalCheck,
  loadInto,
  tensorOf,
  trainStep,
  type Goldens,
} from './torchvision-check'

const ARCH = 'deeplabv3_resnet50'
/** torchvision's DeepLabV3_ResNet50_Weights meta: num_params 42004074 (its weights ship the aux head). */
const PARAMS_WITH_AUX = 42_004_074
const runner = new GoldenRunner()
const golden = runner.make(ARCH, 65, 49)
if (runner.skipReason) console.warn(`skipping the DeepLabV3 ResNet-50 equality tests: ${runner.skipReason}`)

const build = (): DeepLabV3ResNet => new DeepLabV3ResNet({ depth: 50, aux: true, dropout: false })

describe.skipIf(golden === null)('DeepLabV3 ResNet-50 (+ aux) = torchvision 0.14', () => {
  const g = golden as Goldens

  afterAll(() => runner.cleanup())

  it('has exactly torchvision’s state-dict keys, in order, and its parameter count; without aux, no aux_classifier keys', async () => {
    await useBackend('wasm')
    const model = build()
    expect(model.stateDictKeys()).toEqual([...g.state.keys()])
    expect(model.params.count(true)).toBe(PARAMS_WITH_AUX)
    model.dispose()
    const plain = new DeepLabV3ResNet()
    expect(plain.config.arch).toBe(ARCH)
    expect(plain.stateDictKeys()).toEqual([...g.state.keys()].filter((k) => !k.startsWith('aux_classifier.')))
    plain.dispose()
  })

  it('eval on wasm: main and aux logits (stride 8) and the output equal PyTorch; argmax agrees on ≥ 99.9 %', async () => {
    await useBackend('wasm')
    const model = loadInto(build(), g)
    const r = await expectNoLeak(() => evalCheck(model, g))
    console.log(
      `DeepLabV3 ResNet-50 eval (wasm, 65×49): logits ${r.logitErr.toExponential(2)}, aux ${r.auxErr?.toExponential(2)}, out ${r.outErr.toExponential(2)}, argmax ${100 * r.argmaxAgree} %`,
    )
    expect(r.logitErr).toBeLessThan(1e-3)
    expect(r.auxErr).not.toBeNull()
    expect(r.auxErr as number).toBeLessThan(1e-3)
    expect(r.outErr).toBeLessThan(1e-3)
    expect(r.argmaxAgree).toBeGreaterThanOrEqual(0.999)
    model.dispose()
  })

  it('embed: layer4 globally average-pooled, as PyTorch computes it', async () => {
    await useBackend('wasm')
    const model = loadInto(build(), g)
    const x = nchwToNhwc(tensorOf(g, 'x'))
    const e = model.embed(x)
    expect(e.shape).toEqual([2, 2048])
    expect(relMaxDiff(await e.data(), tensorOf(g, 'embed').data)).toBeLessThan(1e-3)
    tf.dispose([x, e])
    model.dispose()
  })

  it('the torch.save file: detected as deeplabv3_resnet50 with aux, read and run like the golden state dict', async () => {
    await useBackend('wasm')
    const file = path.join(g.dir, 'model.pth')
    const { stateDict } = await readPth(file)
    expect([...stateDict.keys()]).toEqual([...g.state.keys()])
    const d = detectArchitecture(stateDict, file)
    expect(d).toMatchObject({ arch: ARCH, classes: 21, hasAux: true, backbone: false })
    expect(d.parameterCount).toBe(PARAMS_WITH_AUX)
    // The predict path (readRunnablePth → buildTorchvisionModel): dropout off, the file's aux head kept.
    const pth = await readRunnablePth(file)
    expect(pth.arch).toBe(ARCH)
    const model = buildTorchvisionModel(pth, file)
    expect(model.config.aux).toBe(true)
    const x = nchwToNhwc(tensorOf(g, 'x'))
    const { main, aux } = model.forward(x, false)
    const want = nchwToNhwc(tensorOf(g, 'logits'))
    expect(relMaxDiff(await main.data(), await want.data())).toBeLessThan(1e-3)
    tf.dispose([x, main, want, ...(aux ? [aux] : [])])
    model.dispose()
  })

  it('train step on wasm, BN frozen: loss and every sampled gradient equal PyTorch to 1e-3', async () => {
    await useBackend('wasm')
    const model = loadInto(build(), g)
    const c = await trainStep(model, g, { frozenBn: true })
    model.dispose()
    console.log(`DeepLabV3 ResNet-50 step, BN frozen (wasm, 65×49): ${describeStep(c)}`)
    expect(c.lossErr).toBeLessThan(1e-4)
    expect(c.grads.length).toBe(13)
    for (const gr of c.grads) expect(gr.err, gr.key).toBeLessThan(1e-3)
  }, 240_000)

  it('train step on wasm, BN in train mode: loss, running statistics, classifier gradients; the rest to float32 precision', async () => {
    await useBackend('wasm')
    const model = loadInto(build(), g)
    const c = await trainStep(model, g)
    model.dispose()
    console.log(`DeepLabV3 ResNet-50 train step (wasm, 65×49): ${describeStep(c)}`)
    expect(c.lossErr).toBeLessThan(1e-4)
    expect(c.running.length).toBe(2)
    for (const r of c.running) expect(r.err, r.key).toBeLessThan(1e-4)
    expect(c.grads.length).toBe(13)
    // The final classifier's gradients do not pass through a train-mode BN: exact to 1e-3.
    const classifier = c.grads.filter((gr) => gr.key.startsWith('classifier.4.'))
    expect(classifier.length).toBe(2)
    for (const gr of classifier) expect(gr.err, gr.key).toBeLessThan(1e-3)
    // Behind train-mode BNs over a 2-image batch, float32 itself is ~1e-2 off float64 (PyTorch's own float32
    // run: 5e-3 … 4e-2, see make_torchvision_golden.py); tfjs must be no farther from the exact gradient
    // than twice PyTorch's float32 result is (plus 1e-3). The frozen-BN step above holds the layers to 1e-3.
    for (const gr of c.grads) expect(gr.err, gr.key).toBeLessThanOrEqual(2 * gr.torch32 + 1e-3)
  }, 240_000)
})
