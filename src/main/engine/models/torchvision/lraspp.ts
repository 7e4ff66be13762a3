/**
 * torchvision 0.14's `lraspp_mobilenet_v3_large` (LR-ASPP, "Searching for MobileNetV3") as a
 * SegmentationModel: parameters named by the torchvision state-dict keys, so a `.pth` loads by name.
 *
 * forward returns the logits at the low-level (stride-8) resolution, i.e. `model.classifier(features)` in
 * PyTorch; torchvision then resizes them to the input size with align_corners=False
 * (`resizeBilinearTorch(main, H, W, false)` reproduces `model(x)['out']`).
 */
import * as tf from '@tensorflow/tfjs'
import { resizeBilinearTorch } from '../../ops/resize-bilinear'
import type { SegmentationModel, SegOutputs } from '../segnet'
import {
  HIGH_CHANNELS,
  LOW_CHANNELS,
  mobilenetV3LargeFeatures,
  type MobileNetFeatures,
} from './mobilenet-v3-large'
import { TORCH_BN, TorchParams, globalAvgPool, torchBatchNorm, torchConv2d } from './torch-layers'
import { TorchvisionModelBase, checkedNumClasses } from './torchvision-model-base'

export const LRASPP_ARCH = 'lraspp_mobilenet_v3_large'
/** LRASPPHead's inter_channels. */
const INTER = 128

export interface LrasppConfig {
  arch: typeof LRASPP_ARCH
  numClasses: number
  /** LR-ASPP has no auxiliary head. */
  aux: false
  /** Seed of the random initial weights (replaced when a state dict is loaded). */
  seed: number
}

interface HeadOutputs {
  logits: tf.Tensor4D
  /** The map the logits are a 1×1 conv of: [low (40 ch), gated high upsampled (128 ch)]. */
  features: tf.Tensor4D
}

/** LRASPPHead: cbr(high) · sigmoid(scale(pool(high))), resized to the low map, + both classifiers. */
function lrasppHead(
  tp: TorchParams,
  f: MobileNetFeatures,
  numClasses: number,
  training: boolean,
): HeadOutputs {
  const cbr = torchBatchNorm(
    tp,
    'classifier.cbr.1',
    torchConv2d(tp, 'classifier.cbr.0', f.high, { out: INTER, kernel: 1 }),
    training,
    TORCH_BN,
    true,
  )
  const scale = torchConv2d(tp, 'classifier.scale.1', globalAvgPool(f.high), {
    out: INTER,
    kernel: 1,
  }).sigmoid()
  const [, lh, lw] = f.low.shape
  const gated = resizeBilinearTorch(cbr.mul(scale), lh, lw, false)
  const logits = torchConv2d(tp, 'classifier.low_classifier', f.low, {
    out: numClasses,
    kernel: 1,
    bias: true,
  }).add(
    torchConv2d(tp, 'classifier.high_classifier', gated, { out: numClasses, kernel: 1, bias: true }),
  ) as tf.Tensor4D
  return { logits, features: tf.concat([f.low, gated], 3) }
}

/** Smallest input side accepted (the stride-16 map is then at least 1×1). */
export const LRASPP_MIN_INPUT_SIDE = 16

export class LrasppMobileNetV3Large extends TorchvisionModelBase implements SegmentationModel {
  readonly config: LrasppConfig

  constructor(o: { numClasses?: number; seed?: number } = {}) {
    const numClasses = checkedNumClasses('LR-ASPP', o.numClasses)
    super(LRASPP_ARCH, o.seed ?? 0)
    this.config = { arch: LRASPP_ARCH, numClasses, aux: false, seed: o.seed ?? 0 }
    this.createParams((x) => this.run(x, false))
  }

  private run(x: tf.Tensor4D, training: boolean): { f: MobileNetFeatures; head: HeadOutputs } {
    const [, h, w, c] = x.shape
    if (c !== 3) throw new Error(`LR-ASPP: input must have 3 channels, got ${c}`)
    if (h < LRASPP_MIN_INPUT_SIDE || w < LRASPP_MIN_INPUT_SIDE) {
      throw new Error(`LR-ASPP: input ${h}×${w} is smaller than ${LRASPP_MIN_INPUT_SIDE} pixels on a side`)
    }
    const f = mobilenetV3LargeFeatures(this.tp, 'backbone', x, training)
    if (f.high.shape[3] !== HIGH_CHANNELS || f.low.shape[3] !== LOW_CHANNELS) {
      throw new Error(`LR-ASPP: backbone gave ${f.low.shape[3]}/${f.high.shape[3]} channels`)
    }
    return { f, head: lrasppHead(this.tp, f, this.config.numClasses, training) }
  }

  protected backboneOut(x: tf.Tensor4D): tf.Tensor4D {
    return mobilenetV3LargeFeatures(this.tp, 'backbone', x, false).high
  }

  forward(x: tf.Tensor4D, training: boolean): SegOutputs {
    const main = tf.tidy(() => this.run(x, training).head.logits)
    return { main, aux: null }
  }

  featuresAndLogits(x: tf.Tensor4D): { features: tf.Tensor4D; logits: tf.Tensor4D } {
    const [features, logits] = tf.tidy(() => {
      const r = this.run(x, false)
      return [r.head.features, r.head.logits]
    })
    return { features: features as tf.Tensor4D, logits: logits as tf.Tensor4D }
  }
}
