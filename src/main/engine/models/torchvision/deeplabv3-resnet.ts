/**
 * torchvision 0.14's `deeplabv3_resnet50` / `deeplabv3_resnet101` as a SegmentationModel: the ResNet dilated
 * to output stride 8 (resnet-dilated.ts) under DeepLabV3's heads (deeplabv3-base.ts): DeepLabHead on layer4
 * (2048 channels) and, with `aux`, the FCN head on layer3 (1024 → 256 channels). Main and aux logits are at
 * stride 8.
 */
import type * as tf from '@tensorflow/tfjs'
import {
  DeepLabV3Base,
  type DeepLabBackboneFeatures,
  type DeepLabV3Config,
  type DeepLabV3Options,
} from './deeplabv3-base'
import { resnetDilatedFeatures, type ResNetDepth } from './resnet-dilated'

export const DEEPLABV3_RESNET_ARCHS = { 50: 'deeplabv3_resnet50', 101: 'deeplabv3_resnet101' } as const
export type DeepLabV3ResNetArch = (typeof DEEPLABV3_RESNET_ARCHS)[ResNetDepth]

export type DeepLabV3ResNetConfig = DeepLabV3Config<DeepLabV3ResNetArch>

export class DeepLabV3ResNet extends DeepLabV3Base<DeepLabV3ResNetArch> {
  readonly depth: ResNetDepth

  constructor(o: DeepLabV3Options & { depth?: ResNetDepth } = {}) {
    const depth = o.depth ?? 50
    if (depth !== 50 && depth !== 101)
      throw new Error(`DeepLabV3 ResNet: depth must be 50 or 101, got ${String(depth)}`)
    super(DEEPLABV3_RESNET_ARCHS[depth], `DeepLabV3 ResNet-${depth}`, o)
    this.depth = depth
    this.createParams((x) => this.run(x, false))
  }

  protected backbone(x: tf.Tensor4D, training: boolean): DeepLabBackboneFeatures {
    return resnetDilatedFeatures(this.tp, 'backbone', this.depth, x, training)
  }
}
