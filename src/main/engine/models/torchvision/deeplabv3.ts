/**
 * torchvision 0.14's `deeplabv3_mobilenet_v3_large` as a SegmentationModel: the dilated MobileNetV3-Large
 * (output stride 16) under DeepLabV3's heads (deeplabv3-base.ts); with `aux`, the FCN head reads the
 * stride-8 features (features[4], 40 channels).
 *
 * forward returns `classifier(features['out'])` — stride 16, unlike SegNet's stride 8 — and the aux logits
 * at stride 8.
 */
import type * as tf from '@tensorflow/tfjs'
import {
  DeepLabV3Base,
  type DeepLabBackboneFeatures,
  type DeepLabV3Config,
  type DeepLabV3Options,
} from './deeplabv3-base'
import { mobilenetV3LargeFeatures } from './mobilenet-v3-large'

export const DEEPLABV3_MOBILENET_ARCH = 'deeplabv3_mobilenet_v3_large'

export type DeepLabV3MobileNetConfig = DeepLabV3Config<typeof DEEPLABV3_MOBILENET_ARCH>

export class DeepLabV3MobileNetV3Large extends DeepLabV3Base<typeof DEEPLABV3_MOBILENET_ARCH> {
  constructor(o: DeepLabV3Options = {}) {
    super(DEEPLABV3_MOBILENET_ARCH, 'DeepLabV3', o)
    this.createParams((x) => this.run(x, false))
  }

  protected backbone(x: tf.Tensor4D, training: boolean): DeepLabBackboneFeatures {
    const f = mobilenetV3LargeFeatures(this.tp, 'backbone', x, training)
    return { out: f.high, aux: f.low }
  }
}
