/**
 * Pixel-wise cross-entropy with an ignore label (VOC's 255 "void"), mean over the labelled pixels — the
 * semantics of torch.nn.CrossEntropyLoss(ignore_index=255). A batch with no labelled pixel gives 0 (PyTorch
 * gives NaN, which would poison the weights).
 *
 * Written with a closed-form gradient, d loss / d logits = (softmax − onehot) · valid / count, because
 * tf.logSoftmax's exp/log over every logit is slow on wasm (~15 ns per element; the Softmax kernel is 10×
 * faster). Only the picked probability is logged; it is clamped at 1e-38 so a certain wrong prediction
 * costs at most ≈ 87.5 nats per pixel instead of infinity (the gradient is exact regardless).
 */
import * as tf from '@tensorflow/tfjs'

export const IGNORE_LABEL = 255

const TINY = 1e-38

/** logits [N,H,W,C] (float), labels [N,H,W] (int32, class index or `ignore`). */
export function crossEntropyIgnore(
  logits: tf.Tensor4D,
  labels: tf.Tensor3D,
  ignore = IGNORE_LABEL,
): tf.Scalar {
  const c = logits.shape[3]
  if (labels.shape.join() !== logits.shape.slice(0, 3).join()) {
    throw new Error(`crossEntropyIgnore: labels ${labels.shape} do not match logits ${logits.shape}`)
  }
  return tf.tidy(() => {
    const lab = labels.toInt()
    const valid = lab.notEqual(tf.scalar(ignore, 'int32'))
    // Ignored pixels get class 0 in the one-hot and weight 0, so they contribute nothing.
    const safe = tf.where(valid, lab, tf.zerosLike(lab))
    const oneHot = tf.oneHot(safe, c).toFloat() as tf.Tensor4D
    const w = valid.toFloat()
    const count = w.sum().maximum(1)
    const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [l, save] = args as [tf.Tensor4D, tf.GradSaveFunc]
      const p = tf.softmax(l)
      const picked = p.mul(oneHot).sum(3).maximum(TINY)
      const loss = picked.log().mul(w).sum().neg().div(count)
      // Everything the gradient needs goes through save(): the outer tidy disposes the rest.
      save([p, oneHot, w.div(count).expandDims(3)])
      return {
        value: loss,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [ps, oh, scale] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D]
          return ps.sub(oh).mul(scale).mul(dy)
        },
      }
    })
    return f(logits) as tf.Scalar
  })
}
