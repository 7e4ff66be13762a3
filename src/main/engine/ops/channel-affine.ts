/**
 * Per-channel affine map y = x·scale[c] + shift[c] (optionally ReLU'd) of an NHWC tensor, as a 1×1
 * depthwise convolution with a bias. On wasm this is one vectorised XNNPACK kernel, ~4× faster than a
 * broadcast multiply + add (its broadcasting binary ops take a slow generic path). Not differentiable
 * through the fused activation: callers use it inside custom gradients.
 */
import * as tf from '@tensorflow/tfjs'

export function channelAffine(
  x: tf.Tensor4D,
  scale: tf.Tensor1D,
  shift: tf.Tensor1D | null,
  relu = false,
): tf.Tensor4D {
  const c = x.shape[3]
  return tf.tidy(() =>
    tf.fused.depthwiseConv2d({
      x,
      filter: scale.reshape([1, 1, c, 1]) as tf.Tensor4D,
      strides: 1,
      pad: 'valid',
      bias: shift ?? undefined,
      activation: relu ? 'relu' : 'linear',
    }),
  )
}
