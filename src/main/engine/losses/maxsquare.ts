/**
 * MaxSquare (Chen et al. 2019) on target predictions, from logits [N,H,W,C]:
 *   plain:      L = −½ · mean(p²)                                   (MaxSquareloss of the released code)
 *   image-wise: L = −Σ_{n,h,w,c} w_n(ĉ_{nhw}) · p²_{nhwc} / (N·C)    (IW_MaxSquareloss), with per image n
 *               w_n(c) = 1 / max(N_{n,c}^α · N_n^(1−α), 1), N_{n,c} = pixels predicted as c, N_n = pixels,
 *               applied to every channel of a pixel by the pixel's predicted class ĉ (argmax), α = 0.2.
 * The weights depend on the argmax only, so they carry no gradient (as `.detach()` in the code).
 */
import * as tf from '@tensorflow/tfjs'

export function maxSquareLoss(logits: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => tf.softmax(logits).square().mean().mul(-0.5) as tf.Scalar)
}

/**
 * Per-image class weights [N, C] from the predicted classes of each image (host or tensor side):
 * w = 1 / max(count^α · total^(1−α), 1).
 */
export function imageWiseClassWeights(counts: tf.Tensor2D, alpha: number): tf.Tensor2D {
  return tf.tidy(() => {
    const total = counts.sum(1, true)
    const denom = counts
      .pow(alpha)
      .mul(total.pow(1 - alpha))
      .maximum(1)
    return tf.onesLike(denom).div(denom) as tf.Tensor2D
  })
}

/** Per-pixel weights [N,H,W] of the image-wise weighting, from logits [N,H,W,C]. */
export function imageWisePixelWeights(logits: tf.Tensor4D, alpha: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, , , c] = logits.shape
    const oneHot = tf.oneHot(logits.argMax(3).toInt(), c).toFloat() as tf.Tensor4D
    const counts = oneHot.sum([1, 2]) as tf.Tensor2D
    const w = imageWiseClassWeights(counts, alpha).reshape([n, 1, 1, c])
    return oneHot.mul(w).sum(3) as tf.Tensor3D
  })
}

export function imageWiseMaxSquareLoss(logits: tf.Tensor4D, alpha: number): tf.Scalar {
  return tf.tidy(() => {
    const [n, , , c] = logits.shape
    const w = imageWisePixelWeights(logits, alpha).expandDims(3)
    return tf
      .softmax(logits)
      .square()
      .mul(w)
      .sum()
      .div(-(n * c)) as tf.Scalar
  })
}

/** MaxSquare+Multi's confidence threshold for the aux branch's self-produced guidance (the released README). */
export const MAXSQUARE_GUIDANCE_THRESHOLD = 0.95

/**
 * MaxSquare "+Multi" (multi-level self-produced guidance, tools/solve_gta5.py of the released code): the
 * aux branch learns, with hard cross-entropy, the argmax of the mean of both branches' probabilities,
 * at the pixels where either branch is confident (max prob > threshold); the rest are ignored (255).
 * From logits [N,H,W,C] of both branches; the labels carry no gradient.
 */
export function maxSquareGuidanceLabels(
  main: tf.Tensor4D,
  aux: tf.Tensor4D,
  threshold = MAXSQUARE_GUIDANCE_THRESHOLD,
): tf.Tensor3D {
  return tf.tidy(() => {
    const p = tf.softmax(main)
    const p2 = tf.softmax(aux)
    const fused = p.add(p2).div(2).argMax(3).toInt()
    const confident = p.max(3).greater(threshold).logicalOr(p2.max(3).greater(threshold))
    return tf.where(confident, fused, tf.fill(fused.shape, 255, 'int32')) as tf.Tensor3D
  })
}
