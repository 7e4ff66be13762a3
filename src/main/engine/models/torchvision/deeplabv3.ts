/**
 * torchvision 0.14's `deeplabv3_mobilenet_v3_large` as a SegmentationModel: the dilated MobileNetV3-Large
 * (output stride 16), DeepLabHead (ASPP at rates 12/24/36 + image pooling, 3×3 conv, classifier) and, when
 * built with `aux`, the FCN head on the stride-8 features (`aux_classifier`). Parameters are named by the
 * state-dict keys.
 *
 * forward returns `classifier(features['out'])` — stride 16, unlike SegNet's stride 8 — and the aux logits
 * at stride 8; torchvision resizes both to the input size with align_corners=False
 * (`resizeBilinearTorch(…, H, W, false)`).
 */
import * as tf from '@tensorflow/tfjs'
import { Rng } from '../../train/rng'
import { resizeBilinearTorch } from '../../ops/resize-bilinear'
import type { SegmentationModel, SegOutputs } from '../segnet'
import { LOW_CHANNELS, mobilenetV3LargeFeatures } from './mobilenet-v3-large'
import { TORCH_BN, TorchParams, globalAvgPool, torchBatchNorm, torchConv2d } from './torch-layers'
import { TorchvisionModelBase, checkedNumClasses } from './torchvision-model-base'

export const DEEPLABV3_MOBILENET_ARCH = 'deeplabv3_mobilenet_v3_large'
const ASPP_RATES = [12, 24, 36] as const
const ASPP_CHANNELS = 256

export interface DeepLabV3MobileNetConfig {
  arch: typeof DEEPLABV3_MOBILENET_ARCH
  numClasses: number
  /** The FCN aux head on the stride-8 features (torchvision: `aux_loss=True`). */
  aux: boolean
  /** Train-mode dropout as torchvision (0.5 after the ASPP projection, 0.1 in the FCN head); false: none. */
  dropout: boolean
  seed: number
}

/** conv → BN (nn.BatchNorm2d defaults) → ReLU under `key`.{conv}, `key`.{bn}. */
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

export class DeepLabV3MobileNetV3Large extends TorchvisionModelBase implements SegmentationModel {
  readonly config: DeepLabV3MobileNetConfig
  private dropoutRng: Rng

  constructor(o: { numClasses?: number; aux?: boolean; dropout?: boolean; seed?: number } = {}) {
    const numClasses = checkedNumClasses('DeepLabV3', o.numClasses)
    const seed = o.seed ?? 0
    super(DEEPLABV3_MOBILENET_ARCH, seed)
    this.config = {
      arch: DEEPLABV3_MOBILENET_ARCH,
      numClasses,
      aux: o.aux ?? false,
      dropout: o.dropout ?? true,
      seed,
    }
    this.dropoutRng = new Rng((seed ^ 0x5bd1e995) >>> 0)
    this.createParams((x) => this.run(x, false))
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
    const pooled = convBnRelu(
      this.tp,
      `${p}.4.1`,
      `${p}.4.2`,
      globalAvgPool(high),
      { out: ASPP_CHANNELS, kernel: 1 },
      training,
    )
    // ASPPPooling: F.interpolate of the 1×1 map back to h×w (align_corners=False: a broadcast).
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

  private run(
    x: tf.Tensor4D,
    training: boolean,
  ): { features: tf.Tensor4D; main: tf.Tensor4D; aux: tf.Tensor4D | null } {
    const [, h, w, c] = x.shape
    if (c !== 3) throw new Error(`DeepLabV3: input must have 3 channels, got ${c}`)
    if (h < 16 || w < 16) throw new Error(`DeepLabV3: input ${h}×${w} is smaller than 16 pixels on a side`)
    const f = mobilenetV3LargeFeatures(this.tp, 'backbone', x, training)
    const features = this.headFeatures(f.high, training)
    const k = this.config.numClasses
    const main = torchConv2d(this.tp, 'classifier.4', features, { out: k, kernel: 1, bias: true })
    let aux: tf.Tensor4D | null = null
    if (this.config.aux) {
      const a = convBnRelu(
        this.tp,
        'aux_classifier.0',
        'aux_classifier.1',
        f.low,
        { out: LOW_CHANNELS / 4, kernel: 3 },
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
      throw new RangeError(`DeepLabV3: dropout RNG state must be a 32-bit unsigned integer, got ${state}`)
    this.dropoutRng = Rng.fromState(state)
  }
}
