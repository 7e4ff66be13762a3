/**
 * The SegSort supervised loss (Hwang et al. 2019, eq. 5): pixel embeddings e_i (L2-normalised) and segment
 * prototypes μ_s = normalise(mean of e over s) define a von Mises–Fisher mixture with concentration κ; each
 * pixel should be explained by the segments of its own class:
 *
 *   L_i = −log( Σ_{s' : class(s') = class(i)} exp(κ μ_{s'}·e_i)  /  Σ_{all s'} exp(κ μ_{s'}·e_i) )
 *
 * averaged over the labelled pixels (a pixel in no segment — VOC's 255 — is left out). The gradient flows
 * through both the pixel embeddings and the prototypes, as in the paper. Pure tfjs, autodiff only.
 */
import * as tf from '@tensorflow/tfjs'
import type { SegmentBatch } from './segments'

/** Added to the logits of other-class segments in the numerator: exp() of it is exactly 0 in float32. */
const MASKED = -1e4
const NORM_EPS = 1e-12

/** Rows scaled to unit length (x / sqrt(|x|² + ε)). */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => x.div(x.square().sum(1, true).add(NORM_EPS).sqrt()) as tf.Tensor2D)
}

/**
 * x: raw or normalised embeddings of every pixel [P, D] (normalised here, so the loss is defined for any
 * x). seg.segmentOf has P entries. Returns 0 (with a zero gradient) when no pixel is labelled.
 */
export function segsortLoss(x: tf.Tensor2D, seg: SegmentBatch, kappa: number): tf.Scalar {
  const p = x.shape[0]
  if (seg.segmentOf.length !== p) {
    throw new Error(`segsortLoss: ${seg.segmentOf.length} segment ids for ${p} pixels`)
  }
  if (!(kappa > 0)) throw new Error(`segsortLoss: the concentration must be positive, got ${kappa}`)
  let v = 0
  for (let i = 0; i < p; i++) if ((seg.segmentOf[i] as number) >= 0) v++
  const s = seg.segmentClass.length
  if (v === 0 || s === 0) return tf.tidy(() => x.sum().mul(0) as tf.Scalar)
  // Host-built constants over all P pixels: segment membership [S, P] and its transpose, the same-class
  // mask [P, S] and each pixel's weight 1/V (0 for void).
  const member = new Float32Array(s * p)
  const memberT = new Float32Array(p * s)
  const sameClass = new Float32Array(p * s).fill(MASKED)
  const weight = new Float32Array(p)
  for (let i = 0; i < p; i++) {
    const sid = seg.segmentOf[i] as number
    if (sid < 0) continue
    member[sid * p + i] = 1
    memberT[i * s + sid] = 1
    weight[i] = 1 / v
    const c = seg.segmentClass[sid] as number
    for (let j = 0; j < s; j++) if (seg.segmentClass[j] === c) sameClass[i * s + j] = 0
  }
  return tf.tidy(() => {
    const a = tf.tensor2d(member, [s, p])
    const at = tf.tensor2d(memberT, [p, s])
    const mask = tf.tensor2d(sameClass, [p, s])
    const w = tf.tensor2d(weight, [p, 1])
    return sortingLoss(l2Normalize(x), a, at, mask, w, kappa)
  })
}

/**
 * The loss of unit embeddings e [P, D], with its closed-form gradient (autodiff of logSumExp and of the
 * transposed products is slow on wasm: its max-gradient runs a broadcast Equal, its transposed matMuls are
 * 3–10× slower than plain ones: measured here 11 s → 0.35 s for a 4×64² batch with 128 segments). With
 * m = A e, μ = m/|m|, Z = κ e μᵀ and G = w ⊙ (softmax(Z) − softmax(Z + M)):
 *   dL/de = κ G μ + Aᵀ dm,   dm = (dμ − μ (μ·dμ)) / |m|,   dμ = κ Gᵀ e.
 */
function sortingLoss(
  e: tf.Tensor2D,
  a: tf.Tensor2D,
  at: tf.Tensor2D,
  mask: tf.Tensor2D,
  w: tf.Tensor2D,
  kappa: number,
): tf.Scalar {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [emb, save] = args as [tf.Tensor2D, tf.GradSaveFunc]
    const m = tf.matMul(a, emb)
    const norm = m.square().sum(1, true).add(NORM_EPS).sqrt()
    const mu = m.div(norm) as tf.Tensor2D
    // Transpose the small μ explicitly: a transposed-B matMul is several times slower on wasm.
    const z = tf.matMul(emb, mu.transpose()).mul(kappa) as tf.Tensor2D
    const all = tf.logSumExp(z, 1, true)
    const same = tf.logSumExp(z.add(mask), 1, true)
    const loss = all.sub(same).mul(w).sum() as tf.Scalar
    const g = tf
      .softmax(z)
      .sub(tf.softmax(z.add(mask)))
      .mul(w)
    // Everything the gradient needs goes through save(): the caller's tidy disposes the rest.
    save([emb, mu, norm, g, at])
    return {
      value: loss,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [es, mus, ns, gs, ats] = saved as [
          tf.Tensor2D,
          tf.Tensor2D,
          tf.Tensor2D,
          tf.Tensor2D,
          tf.Tensor2D,
        ]
        const scale = dy.mul(kappa)
        const direct = tf.matMul(gs, mus).mul(scale)
        const dMu = tf.matMul(gs.transpose(), es).mul(scale)
        const dM = dMu.sub(mus.mul(mus.mul(dMu).sum(1, true))).div(ns) as tf.Tensor2D
        return direct.add(tf.matMul(ats, dM))
      },
    }
  })
  return f(e) as tf.Scalar
}

/** The loss on an embedding map [N, H, W, D] with segments numbered over its N·H·W pixels. */
export function segsortLossMap(emb: tf.Tensor4D, seg: SegmentBatch, kappa: number): tf.Scalar {
  const [n, h, w, d] = emb.shape
  return tf.tidy(() => segsortLoss(emb.reshape([n * h * w, d]) as tf.Tensor2D, seg, kappa))
}
