/**
 * torchvision's ResNet with replace_stride_with_dilation=[False, True, True] (the DeepLabV3 / FCN backbone):
 * which block strides, which dilates and which has a downsample shortcut — ResNet._make_layer's schedule,
 * where a dilated layer's first block keeps the previous dilation.
 */
import { describe, expect, it } from 'vitest'
import { resnetBlockPlan } from '../../../../src/main/engine/models/torchvision/resnet-dilated'

describe('resnetBlockPlan', () => {
  it('ResNet-50: layer2 strides, layer3 dilates 1 then 2, layer4 2 then 4; one downsample per layer', () => {
    const plan = resnetBlockPlan('backbone', 50)
    const byLayer = (l: number) => plan.filter((b) => b.key.startsWith(`backbone.layer${l}.`))
    expect(plan.length).toBe(16)
    expect(byLayer(1).map((b) => [b.stride, b.dilation])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ])
    expect(byLayer(2).map((b) => [b.stride, b.dilation])).toEqual([
      [2, 1],
      [1, 1],
      [1, 1],
      [1, 1],
    ])
    expect(byLayer(3).map((b) => [b.stride, b.dilation])).toEqual([
      [1, 1],
      [1, 2],
      [1, 2],
      [1, 2],
      [1, 2],
      [1, 2],
    ])
    expect(byLayer(4).map((b) => [b.stride, b.dilation])).toEqual([
      [1, 2],
      [1, 4],
      [1, 4],
    ])
    // layer1's first block changes 64 → 256 channels at stride 1: a downsample all the same.
    expect(plan.filter((b) => b.downsample).map((b) => b.key)).toEqual([
      'backbone.layer1.0',
      'backbone.layer2.0',
      'backbone.layer3.0',
      'backbone.layer4.0',
    ])
    expect(byLayer(4).map((b) => b.planes)).toEqual([512, 512, 512])
  })

  it('ResNet-101: 23 blocks in layer3, the same schedule', () => {
    const plan = resnetBlockPlan('backbone', 101)
    const layer3 = plan.filter((b) => b.key.startsWith('backbone.layer3.'))
    expect(plan.length).toBe(33)
    expect(layer3.length).toBe(23)
    expect(layer3.map((b) => b.dilation)).toEqual([1, ...Array<number>(22).fill(2)])
    expect(plan.at(-1)).toMatchObject({ key: 'backbone.layer4.2', stride: 1, dilation: 4, downsample: false })
  })
})
