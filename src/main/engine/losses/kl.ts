/**
 * The KL terms of MRNet (Zheng & Yang): memory regularisation and rectified pseudo-label learning.
 * All take logits [N,H,W,C] at the label resolution; KL is summed over classes and averaged over pixels
 * (nn.KLDivLoss(size_average=False) / (n·h·w) in the released code).
 */
import * as tf from '@tensorflow/tfjs'
import { IGNORE_LABEL } from './cross-entropy'
import { detach } from './detach'

/** Per-pixel KL(p_b ‖ p_a) = Σ_c p_b (log p_b − log p_a), from logits a and b → [N,H,W]. */
export function pixelKl(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const lb = tf.logSoftmax(b)
    return lb
      .exp()
      .mul(lb.sub(tf.logSoftmax(a)))
      .sum(3) as tf.Tensor3D
  })
}

/**
 * Memory regularisation: m = softmax(0.5·aux + main), detached (the "memory"), and
 * L = mean KL(m ‖ p_main) + mean KL(m ‖ p_aux).
 */
export function memoryKl(main: tf.Tensor4D, aux: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const memory = detach(aux.mul(0.5).add(main) as tf.Tensor4D)
    return pixelKl(main, memory).mean().add(pixelKl(aux, memory).mean()) as tf.Scalar
  })
}

/** Per-pixel cross-entropy [N,H,W] (0 where the label is `ignore`), as CrossEntropyLoss(reduction='none'). */
export function pixelCrossEntropy(
  logits: tf.Tensor4D,
  labels: tf.Tensor3D,
  ignore = IGNORE_LABEL,
): tf.Tensor3D {
  return tf.tidy(() => {
    const c = logits.shape[3]
    const lab = labels.toInt()
    const valid = lab.notEqual(tf.scalar(ignore, 'int32'))
    const safe = tf.where(valid, lab, tf.zerosLike(lab))
    const oneHot = tf.oneHot(safe, c).toFloat()
    return tf.logSoftmax(logits).mul(oneHot).sum(3).neg().mul(valid.toFloat()) as tf.Tensor3D
  })
}

/**
 * Rectified pseudo-label loss of head `a` guided by head `b` (MRNet stage 2, update_variance):
 * v = KL(p_b ‖ p_a) per pixel; L = mean(CE(a, ŷ) · exp(−v)) + mean(v), means over all pixels.
 */
export function rectifiedCrossEntropy(a: tf.Tensor4D, b: tf.Tensor4D, labels: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => {
    const v = pixelKl(a, b)
    return pixelCrossEntropy(a, labels).mul(v.neg().exp()).mean().add(v.mean()) as tf.Scalar
  })
}
