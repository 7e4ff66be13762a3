/**
 * Per-channel sum of an NHWC tensor. On wasm a reduction over the leading axes transposes first; an
 * average pool over the whole image is one vectorised XNNPACK kernel (~2× faster than the GEMV
 * ones[1, N·H·W] · x, which re-packs x as a weight matrix, and ~5× faster than tf.sum).
 */
import * as tf from '@tensorflow/tfjs'

export function channelSum(x: tf.Tensor): tf.Tensor1D {
  const c = x.shape[x.shape.length - 1] as number
  return tf.tidy(() => {
    if (x.rank === 4) {
      const [, h, w] = x.shape as [number, number, number, number]
      const pooled = tf.avgPool(x as tf.Tensor4D, [h, w], 1, 'valid') // [N, 1, 1, C]
      return pooled
        .reshape([-1, c])
        .sum(0)
        .mul(h * w) as tf.Tensor1D
    }
    const m = x.size / c
    return tf.matMul(tf.ones([1, m]), x.reshape([m, c])).reshape([c]) as tf.Tensor1D
  })
}
