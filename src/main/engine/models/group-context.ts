/**
 * Group context module (paper §4.2, docs/method.md §3), between the PSP output X [B,h,w,C] and the main
 * classifier. The B images of a batch come from one album cluster; the module lets every pixel of every
 * image attend to the soft regions of all B images.
 *
 *   soft regions   f_b,k = Σ_i softmax_i(P_b,k)·X_b,i        softmax over the h·w positions, f: [B,K,C]
 *   query          q = φ(X)   two 1×1 conv-BN-ReLU, C → d → d   (d = C/2; paper 512 → 256)
 *   intra-image    ctx_img = softmax(q·φ'(f)ᵀ/√d)·ρ(f)     over the image's own K regions
 *                  φ' = two 1×1 conv-BN-ReLU C → d → d, ρ = one 1×1 conv-BN-ReLU C → d
 *   group          ctx_grp = softmax(s·q·Rᵀ)·R              R = ρ(f) of all B·K regions, s = 8/√d (released)
 *   fusion         ψ([ctx_img, ctx_grp, X]) = 1×1 conv-BN-ReLU → C, channel dropout 0.05 in training
 *                  (without the intra branch: ψ([ctx_grp, X]))
 *
 * Variant 'global' (Table 3's "Global"): the released code has no such variant, so it is defined here as
 * one group vector, the mean of the B·K region values R, given to every pixel as ctx_grp (the intra branch
 * and the fusion are the same as 'ours'). It tells whether *regional* attention matters beyond a pooled
 * group summary.
 *
 * Layout 'released': the authors build R with `value.permute(1,0,2).view(d, -1)` — a raw reshape of the
 * [K,B,d] tensor into [d, K·B] instead of a transpose, so each "region" column mixes channels of several
 * regions. It is kept only as a named option to load their released weights; 'transpose' is correct.
 * The layout applies to both 'ours' and 'global' (both read the same region matrix R).
 *
 * Dropout: the released code uses Dropout2d (whole channels per image), done here with a channel mask drawn
 * from the model's seeded Rng, so a run is reproducible within a process.
 *
 * Fusion 'residual' (issue 13): y = X + Dropout(BN₀(conv₁ₓ₁([ctx_img, ctx_grp, X]))), where BN₀'s scale γ
 * starts at 0, so a new module is exactly the identity: the network starts as the one without the module
 * (a plain source model warm-starts with its predictions unchanged) and the context is added as it helps.
 * With the released 'replace' fusion the classifier reads a random projection of [ctx, X] instead of X;
 * on the CPU benchmark a compact network trained from scratch that way for 1000 source iterations stayed
 * at background (source-val FIoU 1.1 against the plain network's 24.4, docs/BENCHMARKS.md), while the
 * residual one reached 19.9. Its parameters are named gc_residual_* (not gc_fuse_*), so a checkpoint of one
 * fusion never loads silently into the other.
 */
import * as tf from '@tensorflow/tfjs'
import type { Rng } from '../train/rng'
import type { ContextFusion, ContextLayout } from './config'
import { batchNormWith, conv, convBn } from './layers'
import type { ParamStore } from './params'

/** Factor on 1/√d of the group attention (released code: `key_channels**-.5 * 8`). */
export const GROUP_SCALE_FACTOR = 8
/** Channel dropout after the fusion (released: Dropout2d(0.05)). */
export const FUSION_DROPOUT = 0.05

export interface GroupContextOptions {
  variant: 'global' | 'ours'
  layout: ContextLayout
  intra: boolean
  /** Absent = 'replace' (the released code's fusion). */
  fusion?: ContextFusion
}

/** Key/value channels d for PSP channels C (paper: 512 → 256; compact nets 4·width → 2·width). */
export function contextChannels(c: number): number {
  return Math.max(1, Math.floor(c / 2))
}

/** Soft region vectors f [B,K,C]: per class, the softmax-over-pixels weighted mean of X. */
export function softRegions(x: tf.Tensor4D, p: tf.Tensor4D): tf.Tensor3D {
  const [b, h, w, c] = x.shape
  const [pb, ph, pw, k] = p.shape
  if (pb !== b || ph !== h || pw !== w) {
    throw new Error(`group context: aux logits [${p.shape}] do not match the features [${x.shape}]`)
  }
  return tf.tidy(() => {
    const weights = tf.softmax(p.reshape([b, h * w, k]).transpose([0, 2, 1])) as tf.Tensor3D
    return tf.matMul(weights, x.reshape([b, h * w, c]))
  })
}

/**
 * The B·K region matrix [B·K, d] from the region values v [B,K,d]. 'transpose' keeps each row one
 * region's d channels; 'released' reproduces the raw reshape (rows of the [d, K·B] view, transposed).
 */
export function regionMatrix(v: tf.Tensor3D, layout: ContextLayout): tf.Tensor2D {
  const [b, k, d] = v.shape
  switch (layout) {
    case 'transpose':
      return v.reshape([b * k, d])
    case 'released':
      return v
        .transpose([1, 0, 2])
        .reshape([d, k * b])
        .transpose()
    default: {
      const never: never = layout
      throw new Error(`unknown context layout ${JSON.stringify(never)}`)
    }
  }
}

/** Two 1×1 conv-BN-ReLU layers (φ and φ'). */
function twoLayers(ps: ParamStore, name: string, x: tf.Tensor4D, d: number, training: boolean): tf.Tensor4D {
  const a = convBn(ps, `${name}_1`, x, training, { filters: d, kernel: 1, relu: true })
  return convBn(ps, `${name}_2`, a, training, { filters: d, kernel: 1, relu: true })
}

/**
 * X [B,h,w,C] (PSP output), P [B,h,w,K] (aux logits) → [B,h,w,C]. Parameters (ParamStore names):
 * gc_pixel_{1,2} (φ), gc_object_{1,2} (φ', intra only), gc_down (ρ), gc_fuse (ψ; 'residual': gc_residual),
 * each `_conv` + `_bn`.
 */
export function groupContext(
  ps: ParamStore,
  x: tf.Tensor4D,
  p: tf.Tensor4D,
  o: GroupContextOptions,
  training: boolean,
  dropoutRng?: Rng,
): tf.Tensor4D {
  const [b, h, w, c] = x.shape
  const k = p.shape[3]
  const d = contextChannels(c)
  return tf.tidy(() => {
    const f = softRegions(x, p).reshape([b, k, 1, c]) as tf.Tensor4D
    const q = twoLayers(ps, 'gc_pixel', x, d, training).reshape([b * h * w, d]) as tf.Tensor2D
    const v = convBn(ps, 'gc_down', f, training, { filters: d, kernel: 1, relu: true }).reshape([
      b,
      k,
      d,
    ]) as tf.Tensor3D
    const parts: tf.Tensor4D[] = []
    if (o.intra) {
      const key = twoLayers(ps, 'gc_object', f, d, training).reshape([b, k, d]) as tf.Tensor3D
      const sim = tf.softmax(
        tf.matMul(q.reshape([b, h * w, d]), key, false, true).mul(1 / Math.sqrt(d)),
      ) as tf.Tensor3D
      parts.push(tf.matMul(sim, v).reshape([b, h, w, d]))
    }
    const regions = regionMatrix(v, o.layout)
    let grp: tf.Tensor2D
    switch (o.variant) {
      case 'ours': {
        const s = GROUP_SCALE_FACTOR / Math.sqrt(d)
        const sim = tf.softmax(tf.matMul(q, regions, false, true).mul(s)) as tf.Tensor2D
        grp = tf.matMul(sim, regions)
        break
      }
      case 'global':
        // Every pixel gets the same vector: ones [B·h·w, 1] × mean [1, d] (a matMul, not a broadcast op).
        grp = tf.matMul(tf.ones([b * h * w, 1]), regions.mean(0, true))
        break
      default: {
        const never: never = o.variant
        throw new Error(`unknown context variant ${JSON.stringify(never)}`)
      }
    }
    parts.push(grp.reshape([b, h, w, d]), x)
    const fused = tf.concat(parts, 3) as tf.Tensor4D
    if (o.fusion === 'residual') {
      let r = zeroInitConvBn(ps, 'gc_residual', fused, training, c)
      if (training && FUSION_DROPOUT > 0) r = r.mul(channelDropoutMask(b, c, FUSION_DROPOUT, dropoutRng))
      return x.add(r) as tf.Tensor4D
    }
    let y = convBn(ps, 'gc_fuse', fused, training, { filters: c, kernel: 1, relu: true })
    if (training && FUSION_DROPOUT > 0) y = y.mul(channelDropoutMask(b, c, FUSION_DROPOUT, dropoutRng))
    return y
  })
}

/**
 * 1×1 conv (no bias) → BN whose γ starts at 0 (β at 0), no ReLU: the residual branch, 0 at initialisation.
 * Without a ReLU after it the branch's gradient is not cut off at 0, so γ (dγ = Σ dy·x̂) starts to learn at
 * the first step.
 */
function zeroInitConvBn(
  ps: ParamStore,
  name: string,
  x: tf.Tensor4D,
  training: boolean,
  filters: number,
): tf.Tensor4D {
  const y = conv(ps, `${name}_conv`, x, { filters, kernel: 1, bias: false })
  const bn = `${name}_bn`
  const vars = {
    gamma: ps.get(`${bn}/gamma`, [filters], 'zeros') as tf.Tensor1D,
    beta: ps.get(`${bn}/beta`, [filters], 'zeros') as tf.Tensor1D,
    movingMean: ps.get(`${bn}/moving_mean`, [filters], 'zeros', false),
    movingVar: ps.get(`${bn}/moving_variance`, [filters], 'ones', false),
  }
  return batchNormWith(bn, y, vars, training, false)
}

/** [B,1,1,C] mask: 0 with probability `rate`, else 1/(1 − rate) (inverted dropout, whole channels). */
function channelDropoutMask(b: number, c: number, rate: number, rng?: Rng): tf.Tensor4D {
  const keep = 1 - rate
  const m = new Float32Array(b * c)
  for (let i = 0; i < m.length; i++) m[i] = (rng ? rng.next() : Math.random()) < keep ? 1 / keep : 0
  return tf.tensor4d(m, [b, 1, 1, c])
}
