/**
 * torchvision 0.14's DeepLabV3 (segmentation/deeplabv3.py) over any backbone that gives an "out" map and,
 * with `aux`, an "aux" map: DeepLabHead (ASPP at rates 12/24/36 + image pooling, projection, dropout 0.5,
 * 3×3 conv, BN, ReLU, 1×1 classifier) on "out", and the FCNHead (3×3 conv to in/4 channels, BN, ReLU,
 * dropout 0.1, 1×1 classifier) on "aux" as `aux_classifier`. The subclasses are the MobileNetV3-Large
 * (deeplabv3.ts) and ResNet (deeplabv3-resnet.ts) variants; parameters are named by the state-dict keys.
 *
 * forward returns `classifier(features['out'])` and the aux logits at the backbone's resolution;
 * torchvision resizes both to the input size with align_corners=False (`resizeBilinearTorch(…, H, W, false)`).
 */
import * as tf from '@tensorflow/tfjs'
import { Rng } from '../../train/rng'
import { resizeBilinearTorch } from '../../ops/resize-bilinear'
import type { SegmentationModel, SegOutputs } from '../segnet'
import { TORCH_BN, TorchParams, globalAvgPool, torchBatchNorm, torchConv2d } from './torch-layers'
import { TorchvisionModelBase, checkedNumClasses } from './torchvision-model-base'

const ASPP_RATES = [12, 24, 36] as const
const ASPP_CHANNELS = 256
/** Smallest input side accepted (every backbone's output map is then at least 1×1). */
export const DEEPLABV3_MIN_INPUT_SIDE = 16

export interface DeepLabV3Config<A extends string> {
  arch: A
  numClasses: number
  /** The FCN aux head (torchvision: `aux_loss=True`). */
  aux: boolean
  /** Train-mode dropout as torchvision (0.5 after the ASPP projection, 0.1 in the FCN head); false: none. */
  dropout: boolean
  seed: number
}

export interface DeepLabV3Options {
  numClasses?: number
  aux?: boolean
  dropout?: boolean
  seed?: number
}

/** The backbone maps DeepLabV3 reads (IntermediateLayerGetter's "out" and "aux"). */
export interface DeepLabBackboneFeatures {
  out: tf.Tensor4D
  aux: tf.Tensor4D
}

/** conv → BN (nn.BatchNorm2d defaults) → ReLU. */
function convBnRelu(
  tp: TorchParams,
  convKey: string,
  bnKey: string,
  x: tf.Tensor4D,
  o: { out: number; kernel: number; dilation?: number },
  training: boolean,
): tf.Tensor4D {
  return torchBatchNorm(tp, bnKey, torchConv2d(tp, convKey, x, o), training, TORCH_BN, true)
}

export abstract class DeepLabV3Base<A extends string>
  extends TorchvisionModelBase
  implements SegmentationModel
{
  readonly config: DeepLabV3Config<A>
  private dropoutRng: Rng

  /** `title` names the model in errors ("DeepLabV3 ResNet-50"). Subclasses call `createParams` last. */
  protected constructor(
    arch: A,
    private readonly title: string,
    o: DeepLabV3Options,
  ) {
    const numClasses = checkedNumClasses(title, o.numClasses)
    const seed = o.seed ?? 0
    super(arch, seed)
    this.config = { arch, numClasses, aux: o.aux ?? false, dropout: o.dropout ?? true, seed }
    this.dropoutRng = new Rng((seed ^ 0x5bd1e995) >>> 0)
  }

  /** The backbone's "out" and "aux" maps; runs inside the caller's tidy. */
  protected abstract backbone(x: tf.Tensor4D, training: boolean): DeepLabBackboneFeatures

  protected backboneOut(x: tf.Tensor4D): tf.Tensor4D {
    return this.backbone(x, false).out
  }

  private dropout(x: tf.Tensor4D, rate: number, training: boolean): tf.Tensor4D {
    if (!training || !this.config.dropout) return x
    return tf.dropout(x, rate, undefined, this.dropoutRng.nextUint32()) as tf.Tensor4D
  }

  /** ASPP → 3×3 conv → BN → ReLU: the map the classifier's 1×1 conv reads. */
  private headFeatures(high: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const p = 'classifier.0.convs'
    const [, h, w] = high.shape
    const branches = [
      convBnRelu(this.tp, `${p}.0.0`, `${p}.0.1`, high, { out: ASPP_CHANNELS, kernel: 1 }, training),
      ...ASPP_RATES.map((rate, i) =>
        convBnRelu(
          this.tp,
          `${p}.${i + 1}.0`,
          `${p}.${i + 1}.1`,
          high,
          { out: ASPP_CHANNELS, kernel: 3, dilation: rate },
          training,
        ),
      ),
    ]
    // ASPPPooling: its BN sees a 1×1 map (train mode: statistics over the batch only, as PyTorch's).
    const pooled = convBnRelu(
      this.tp,
      `${p}.4.1`,
      `${p}.4.2`,
      globalAvgPool(high),
      { out: ASPP_CHANNELS, kernel: 1 },
      training,
    )
    // F.interpolate of the 1×1 map back to h×w (align_corners=False: a broadcast).
    branches.push(resizeBilinearTorch(pooled, h, w, false))
    const projected = convBnRelu(
      this.tp,
      'classifier.0.project.0',
      'classifier.0.project.1',
      tf.concat(branches, 3),
      { out: ASPP_CHANNELS, kernel: 1 },
      training,
    )
    const y = this.dropout(projected, 0.5, training)
    return convBnRelu(this.tp, 'classifier.1', 'classifier.2', y, { out: ASPP_CHANNELS, kernel: 3 }, training)
  }

  protected run(
    x: tf.Tensor4D,
    training: boolean,
  ): { features: tf.Tensor4D; main: tf.Tensor4D; aux: tf.Tensor4D | null } {
    const [, h, w, c] = x.shape
    if (c !== 3) throw new Error(`${this.title}: input must have 3 channels, got ${c}`)
    if (h < DEEPLABV3_MIN_INPUT_SIDE || w < DEEPLABV3_MIN_INPUT_SIDE)
      throw new Error(
        `${this.title}: input ${h}×${w} is smaller than ${DEEPLABV3_MIN_INPUT_SIDE} pixels on a side`,
      )
    const f = this.backbone(x, training)
    const features = this.headFeatures(f.out, training)
    const k = this.config.numClasses
    const main = torchConv2d(this.tp, 'classifier.4', features, { out: k, kernel: 1, bias: true })
    let aux: tf.Tensor4D | null = null
    if (this.config.aux) {
      // FCNHead(in_channels, classes): inter_channels = in_channels // 4.
      const inter = Math.floor(f.aux.shape[3] / 4)
      const a = convBnRelu(
        this.tp,
        'aux_classifier.0',
        'aux_classifier.1',
        f.aux,
        { out: inter, kernel: 3 },
        training,
      )
      aux = torchConv2d(this.tp, 'aux_classifier.4', this.dropout(a, 0.1, training), {
        out: k,
        kernel: 1,
        bias: true,
      })
    }
    return { features, main, aux }
  }

  forward(x: tf.Tensor4D, training: boolean): SegOutputs {
    const out = tf.tidy(() => {
      const r = this.run(x, training)
      return r.aux ? [r.main, r.aux] : [r.main]
    })
    return { main: out[0] as tf.Tensor4D, aux: (out[1] as tf.Tensor4D | undefined) ?? null }
  }

  featuresAndLogits(x: tf.Tensor4D): { features: tf.Tensor4D; logits: tf.Tensor4D } {
    const [features, logits] = tf.tidy(() => {
      const r = this.run(x, false)
      return [r.features, r.main]
    })
    return { features: features as tf.Tensor4D, logits: logits as tf.Tensor4D }
  }

  dropoutState(): number | null {
    return this.config.dropout ? this.dropoutRng.getState() : null
  }

  setDropoutState(state: number): void {
    if (!Number.isInteger(state) || state < 0 || state > 0xffffffff)
      throw new RangeError(`${this.title}: dropout RNG state must be a 32-bit unsigned integer, got ${state}`)
    this.dropoutRng = Rng.fromState(state)
  }
}
