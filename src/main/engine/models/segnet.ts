/**
 * The segmentation network: backbone → PSP → classifier (+ aux head). Outputs are logits at output stride 8;
 * `upsampleLogits` brings them to the input size (paper: ×8 bilinear) for losses and predictions.
 */
import * as tf from '@tensorflow/tfjs'
import { Rng } from '../train/rng'
import { compactResnet, type BackboneFeatures } from './compact-resnet'
import { resnet50Dilated } from './resnet50'
import { vgg16Bn } from './vgg16'
import { contextAuxIssue, contextOf, type SegNetConfig } from './config'
import { groupContext } from './group-context'
import { auxHead, classifier, pspModule } from './heads'
import { upsample } from './layers'
import { ParamStore } from './params'

export interface SegOutputs {
  /** Main logits [N, H/8, W/8, classes]. */
  main: tf.Tensor4D
  /** Aux logits, same size, or null when the config has no aux head. */
  aux: tf.Tensor4D | null
}

/**
 * What callers read from any model's config: its class count, whether it has an aux head, its group
 * context module. SegNet's full config has these; imported architectures (torchvision/) describe themselves.
 */
export type ModelConfigView = Pick<SegNetConfig, 'numClasses' | 'aux' | 'context'>

export interface SegmentationModel {
  readonly config: ModelConfigView
  readonly params: ParamStore
  /**
   * Normalised images [N,H,W,3] → logits. H and W must be multiples of 8. With a group context module the
   * N images are one group: each image's output depends on the others of its batch.
   */
  forward(x: tf.Tensor4D, training: boolean): SegOutputs
  /** Global-average-pooled features of the backbone's last stage [N, channels] (eval mode), for clustering. */
  embed?(x: tf.Tensor4D): tf.Tensor2D
  /**
   * Eval mode: the main logits and the feature map the classifier reads ([N, H/8, W/8, D]; the main
   * logits are a 1×1 convolution of it), for co-segmentation's feature affinity.
   */
  featuresAndLogits?(x: tf.Tensor4D): { features: tf.Tensor4D; logits: tf.Tensor4D }
  /**
   * The state of the model's own random numbers (the group context module's dropout) for a checkpoint,
   * so a resumed run draws the same masks as an uninterrupted one; null when training draws none.
   */
  dropoutState?(): number | null
  /** Continues the dropout sequence from a `dropoutState()` value. */
  setDropoutState?(state: number): void
  dispose(): void
}

/** Smallest input side every config supports (the stride-8 map must be ≥ 1 and the PSP bins ≤ its size). */
export const MIN_INPUT_SIDE = 16

export class SegNet implements SegmentationModel {
  readonly params: ParamStore
  /**
   * Dropout noise of the group context module (training only), seeded so a run is reproducible; its state
   * goes into adaptation checkpoints (dropoutState / setDropoutState) so a resume is bit-exact.
   */
  private dropoutRng: Rng

  constructor(readonly config: SegNetConfig) {
    const issue = contextAuxIssue(config)
    if (issue) throw new Error(`SegNet: ${issue}`)
    this.params = new ParamStore(new Rng(config.seed))
    this.dropoutRng = new Rng((config.seed ^ 0x5bd1e995) >>> 0)
    // Create every parameter with a small forward pass, then seal the store.
    tf.tidy(() => {
      this.forward(tf.zeros([2, 64, 64, 3]), false)
    })
    this.params.seal()
  }

  private backbone(x: tf.Tensor4D, training: boolean): BackboneFeatures {
    const b = this.config.backbone
    switch (b.kind) {
      case 'resnet-compact':
        return compactResnet(this.params, x, b.width, training)
      case 'resnet50-dilated':
        return resnet50Dilated(this.params, x, training)
      case 'vgg16-bn':
        return vgg16Bn(this.params, x, training)
      default: {
        const never: never = b
        throw new Error(`unknown backbone ${JSON.stringify(never)}`)
      }
    }
  }

  forward(x: tf.Tensor4D, training: boolean): SegOutputs {
    const out = tf.tidy(() => {
      const r = this.heads(x, training)
      return r.aux ? [r.main, r.aux] : [r.main]
    })
    return { main: out[0] as tf.Tensor4D, aux: (out[1] as tf.Tensor4D | undefined) ?? null }
  }

  featuresAndLogits(x: tf.Tensor4D): { features: tf.Tensor4D; logits: tf.Tensor4D } {
    const [features, logits] = tf.tidy(() => {
      const r = this.heads(x, false)
      return [r.features, r.main]
    })
    return { features: features as tf.Tensor4D, logits: logits as tf.Tensor4D }
  }

  /** The whole net inside the caller's tidy: the classifier's input map, main and aux logits. */
  private heads(
    x: tf.Tensor4D,
    training: boolean,
  ): { features: tf.Tensor4D; main: tf.Tensor4D; aux: tf.Tensor4D | null } {
    const [, h, w, c] = x.shape
    if (c !== 3) throw new Error(`SegNet: input must have 3 channels, got ${c}`)
    if (h % 8 !== 0 || w % 8 !== 0 || h < MIN_INPUT_SIDE || w < MIN_INPUT_SIDE) {
      throw new Error(`SegNet: input ${h}×${w} must be multiples of 8 and at least ${MIN_INPUT_SIDE}`)
    }
    const f = this.backbone(x, training)
    const outC =
      this.config.psp.channels ?? (this.config.backbone.kind === 'resnet-compact' ? f.mid.shape[3] : 512)
    const p = pspModule(this.params, f.out, this.config.psp.bins, outC, training)
    const ctx = contextOf(this.config)
    if (ctx.variant === 'none') {
      // Parameters are created (and randomly initialised) in call order: keep the order of the model
      // without the module so an old config + seed still builds the very same initial weights.
      const main = classifier(this.params, p, this.config.numClasses)
      const aux = this.config.aux ? auxHead(this.params, f.mid, this.config.numClasses, training) : null
      return { features: p, main, aux }
    }
    // The soft regions of the context module are the aux logits (the constructor checked aux is on).
    const aux = auxHead(this.params, f.mid, this.config.numClasses, training)
    const withContext = groupContext(
      this.params,
      p,
      aux,
      { variant: ctx.variant, layout: ctx.layout, intra: ctx.intra, fusion: ctx.fusion },
      training,
      this.dropoutRng,
    )
    return { features: withContext, main: classifier(this.params, withContext, this.config.numClasses), aux }
  }

  dropoutState(): number | null {
    // Only the context module draws from it: a model without one has no state worth saving.
    return contextOf(this.config).variant === 'none' ? null : this.dropoutRng.getState()
  }

  setDropoutState(state: number): void {
    if (!Number.isInteger(state) || state < 0 || state > 0xffffffff)
      throw new RangeError(`SegNet: dropout RNG state must be a 32-bit unsigned integer, got ${state}`)
    this.dropoutRng = Rng.fromState(state)
  }

  embed(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.backbone(x, false).out.mean([1, 2]) as tf.Tensor2D)
  }

  dispose(): void {
    this.params.dispose()
  }
}

/** Bilinear (align_corners) upsampling of logits to the input size. */
export function upsampleLogits(logits: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  return upsample(logits, h, w)
}
