/**
 * Architecture detection on state dicts written by Debian's torchvision 0.14 (and the PSS authors' released
 * network layout, rebuilt in the fixture script): the architecture, class count, aux head and parameter count
 * (= sum(p.numel() for p in model.parameters())) for each, read through the real .pth reader.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TorchArch } from '../../../../src/main/engine/models/torch/architecture-specs'
import {
  checkImportable,
  detectArchitecture,
} from '../../../../src/main/engine/models/torch/detect-architecture'
import { readPth } from '../../../../src/main/engine/models/torch/read-pth'
import { makeTorchFixtures, torchUnavailable, type TorchFixtures } from './python-fixtures'

const unavailable = torchUnavailable()
if (unavailable) console.warn(`skipping architecture detection on torchvision state dicts: ${unavailable}`)

const CASES: { file: string; arch: TorchArch; classes: number; hasAux: boolean; backbone: boolean }[] = [
  {
    file: 'lraspp_mobilenet_v3_large',
    arch: 'lraspp_mobilenet_v3_large',
    classes: 21,
    hasAux: false,
    backbone: false,
  },
  {
    file: 'deeplabv3_mobilenet_v3_large',
    arch: 'deeplabv3_mobilenet_v3_large',
    classes: 21,
    hasAux: false,
    backbone: false,
  },
  {
    file: 'deeplabv3_mobilenet_v3_large_aux',
    arch: 'deeplabv3_mobilenet_v3_large',
    classes: 21,
    hasAux: true,
    backbone: false,
  },
  { file: 'deeplabv3_resnet50_aux', arch: 'deeplabv3_resnet50', classes: 21, hasAux: true, backbone: false },
  { file: 'deeplabv3_resnet101', arch: 'deeplabv3_resnet101', classes: 21, hasAux: false, backbone: false },
  { file: 'fcn_resnet50_aux', arch: 'fcn_resnet50', classes: 21, hasAux: true, backbone: false },
  { file: 'pss_psp_resnet50', arch: 'pss_psp_resnet50', classes: 21, hasAux: true, backbone: false },
  { file: 'resnet50', arch: 'resnet50', classes: 1000, hasAux: false, backbone: true },
  { file: 'mobilenet_v3_large', arch: 'mobilenet_v3_large', classes: 1000, hasAux: false, backbone: true },
]

describe.skipIf(unavailable !== null)('detectArchitecture on torchvision 0.14 state dicts', () => {
  let fx: TorchFixtures
  let index: Record<string, { parameters: number; keys: number }>
  beforeAll(() => {
    fx = makeTorchFixtures('archs')
    index = JSON.parse(readFileSync(`${fx.dir}/archs.json`, 'utf8')) as typeof index
  })
  afterAll(() => fx?.dispose())

  for (const c of CASES)
    it(`${c.file}: ${c.arch}, ${c.classes} classes${c.hasAux ? ', aux head' : ''}`, async () => {
      const { stateDict } = await readPth(fx.path(c.file))
      expect(stateDict.size).toBe(index[c.file]!.keys)
      const d = detectArchitecture(stateDict, c.file)
      expect(d).toEqual({
        arch: c.arch,
        classes: c.classes,
        hasAux: c.hasAux,
        backbone: c.backbone,
        parameterCount: index[c.file]!.parameters,
      })
      expect(() => checkImportable(stateDict, d, c.file)).not.toThrow()
    })

  it('an LR-ASPP trained for 10 classes is detected and then refused as a source model', async () => {
    const { stateDict } = await readPth(fx.path('lraspp_10_classes'))
    const d = detectArchitecture(stateDict, 'lraspp_10_classes.pth')
    expect(d).toMatchObject({ arch: 'lraspp_mobilenet_v3_large', classes: 10 })
    expect(() => checkImportable(stateDict, d, 'lraspp_10_classes.pth')).toThrow(
      /with 10 classes.*21 PASCAL VOC classes/,
    )
  })
})
