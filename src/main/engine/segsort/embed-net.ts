/**
 * The SegSort embedding network: the same compact backbone and PSP module as every other run type (same
 * parameter names, so the source model's weights load into it by name), with an embedding head instead of
 * the classifier: 1×1 conv-BN-ReLU → 1×1 conv to `dim` channels → L2 normalisation per pixel (Hwang et al.
 * 2019 §3.1: embeddings live on the unit sphere, where the vMF clustering is defined).
 */
import * as tf from '@tensorflow/tfjs'
import { compactResnet } from '../models/compact-resnet'
import { pspModule } from '../models/heads'
import { conv, convBn, upsample } from '../models/layers'
import { MIN_INPUT_SIDE } from '../models/segnet'
import { ParamStore } from '../models/params'
import { Rng } from '../train/rng'

export interface EmbedNetConfig {
  width: 16 | 32
  /** Embedding dimension. */
  dim: number
  seed: number
  bins?: readonly number[]
}

const NORM_EPS = 1e-12

/** Unit-length vectors along the last axis. */
export function normalizeLastAxis<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => x.div(x.square().sum(-1, true).add(NORM_EPS).sqrt()) as T)
}

export class EmbedNet {
  readonly params: ParamStore

  constructor(readonly config: EmbedNetConfig) {
    if (!Number.isInteger(config.dim) || config.dim < 2 || config.dim > 256) {
      throw new Error(`EmbedNet: the embedding dimension must be an integer in 2..256, got ${config.dim}`)
    }
    this.params = new ParamStore(new Rng(config.seed))
    tf.tidy(() => {
      this.forward(tf.zeros([2, 64, 64, 3]), false)
    })
    this.params.seal()
  }

  /** Normalised images [N,H,W,3] → unit embeddings at output stride 8 [N, H/8, W/8, dim]. */
  forward(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const [, h, w] = x.shape
    if (h % 8 !== 0 || w % 8 !== 0 || h < MIN_INPUT_SIDE || w < MIN_INPUT_SIDE) {
      throw new Error(`EmbedNet: input ${h}×${w} must be multiples of 8 and at least ${MIN_INPUT_SIDE}`)
    }
    return tf.tidy(() => {
      const f = compactResnet(this.params, x, this.config.width, training)
      const p = pspModule(this.params, f.out, this.config.bins ?? [1, 2, 3, 6], f.mid.shape[3], training)
      const hdn = convBn(this.params, 'segsort_embed_1', p, training, {
        filters: p.shape[3],
        kernel: 1,
        relu: true,
      })
      const e = conv(this.params, 'segsort_embed', hdn, { filters: this.config.dim, kernel: 1, bias: true })
      return normalizeLastAxis(e)
    })
  }

  /** Unit embeddings at the input size (bilinear, align-corners as the logits, then re-normalised). */
  embedFull(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const [, h, w] = x.shape
    return this.embedAt(x, h, w, training)
  }

  /** Unit embeddings resized (bilinear, align-corners) to h×w, re-normalised; the stride-8 map as is. */
  embedAt(x: tf.Tensor4D, h: number, w: number, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const e = this.forward(x, training)
      return e.shape[1] === h && e.shape[2] === w ? e : normalizeLastAxis(upsample(e, h, w))
    })
  }

  dispose(): void {
    this.params.dispose()
  }
}
