/**
 * ADVENT's weighted self-information map: I = −p · log p / log C per class channel, from the softmax of
 * the logits (each channel in [0, 1/(e·log C)]; the channel sum is the normalised entropy in [0, 1]).
 *
 * log p is computed as (l − max l) + log(max p): exact (log p_c = l_c − logsumexp l, and
 * log max p = max l − logsumexp l) and it needs a log of one value per pixel instead of per logit — exp/log
 * over every logit is slow on wasm. The gradient is closed-form, with a = g ⊙ (log p + 1):
 *   ∂/∂l = −(1/log C) · p ⊙ (a − Σ_c p_c a_c)
 * ADVENT adds 1e-30 inside its log; here p = 0 cannot occur in log p (it is derived from the logits).
 */
import * as tf from '@tensorflow/tfjs'

function logSoftmaxFromSoftmax(l: tf.Tensor4D, p: tf.Tensor4D): tf.Tensor4D {
  const m = l.max(3, true)
  const pMax = p.max(3, true)
  return l.sub(m).add(pMax.log()) as tf.Tensor4D
}

export function entropyMap(logits: tf.Tensor4D): tf.Tensor4D {
  const c = logits.shape[3]
  if (c < 2) throw new Error(`entropyMap: needs at least 2 classes, got ${c}`)
  const k = -1 / Math.log(c)
  return tf.tidy(() => {
    const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [l, save] = args as [tf.Tensor4D, tf.GradSaveFunc]
      const p = tf.softmax(l)
      const logp = logSoftmaxFromSoftmax(l, p)
      save([p, logp])
      return {
        value: p.mul(logp).mul(k),
        gradFunc: (g: tf.Tensor, saved: tf.Tensor[]) => {
          const [ps, lp] = saved as [tf.Tensor4D, tf.Tensor4D]
          const a = g.mul(lp.add(1))
          const centred = a.sub(ps.mul(a).sum(3, true))
          return ps.mul(centred).mul(k)
        },
      }
    })
    return f(logits) as tf.Tensor4D
  })
}

/** Mean over pixels of the per-pixel normalised entropy (MinEnt's loss). */
export function meanEntropy(logits: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const [n, h, w] = logits.shape
    return entropyMap(logits)
      .sum()
      .div(n * h * w) as tf.Scalar
  })
}
