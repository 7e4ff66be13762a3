/**
 * torchvision's DeepLabV3 ResNet-101: the ResNet-50 code with 23 blocks in layer3 (deeplabv3-resnet.ts,
 * depth 101). Its keys, parameter count, detection and eval-mode logits against torchvision; the training
 * path is the same code as ResNet-50's, whose training step deeplabv3-resnet50.test.ts checks, so this golden
 * is eval-only (the 101-layer float64 training step would double the test's CPU time for no new code).
 */
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { detectArchitecture } from '../../../../src/main/engine/models/torch/detect-architecture'
import { readPth } from '../../../../src/main/engine/models/torch/read-pth'
import { DeepLabV3ResNet } from '../../../../src/main/engine/models/torchvision/deeplabv3-resnet'
import { expectNoLeak, useBackend } from '../helpers'
import { GoldenRunner, evalCheck, loadInto, type Goldens } from './torchvision-check'

const ARCH = 'deeplabv3_resnet101'
/** torchvision's DeepLabV3_ResNet101_Weights meta: num_params 60996202 (aux head included). */
const PARAMS_WITH_AUX = 60_996_202
const runner = new GoldenRunner()
const golden = runner.make(ARCH, 65, 49, { evalOnly: true })
if (runner.skipReason) console.warn(`skipping the DeepLabV3 ResNet-101 equality tests: ${runner.skipReason}`)

describe.skipIf(golden === null)('DeepLabV3 ResNet-101 (+ aux) = torchvision 0.14', () => {
  const g = golden as Goldens

  afterAll(() => runner.cleanup())

  it('keys, parameter count and detection of the torch.save file', async () => {
    await useBackend('wasm')
    const model = new DeepLabV3ResNet({ depth: 101, aux: true })
    expect(model.config.arch).toBe(ARCH)
    expect(model.stateDictKeys()).toEqual([...g.state.keys()])
    expect(model.params.count(true)).toBe(PARAMS_WITH_AUX)
    model.dispose()
    const file = path.join(g.dir, 'model.pth')
    const d = detectArchitecture((await readPth(file)).stateDict, file)
    expect(d).toMatchObject({ arch: ARCH, classes: 21, hasAux: true, parameterCount: PARAMS_WITH_AUX })
  })

  it('eval on wasm: main and aux logits and the output equal PyTorch; argmax agrees on ≥ 99.9 %', async () => {
    await useBackend('wasm')
    const model = loadInto(new DeepLabV3ResNet({ depth: 101, aux: true, dropout: false }), g)
    const r = await expectNoLeak(() => evalCheck(model, g))
    console.log(
      `DeepLabV3 ResNet-101 eval (wasm, 65×49): logits ${r.logitErr.toExponential(2)}, aux ${r.auxErr?.toExponential(2)}, out ${r.outErr.toExponential(2)}, argmax ${100 * r.argmaxAgree} %`,
    )
    expect(r.logitErr).toBeLessThan(1e-3)
    expect(r.auxErr as number).toBeLessThan(1e-3)
    expect(r.outErr).toBeLessThan(1e-3)
    expect(r.argmaxAgree).toBeGreaterThanOrEqual(0.999)
    model.dispose()
  })
})
