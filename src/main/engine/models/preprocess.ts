/** Input normalisation (paper §2): RGB/255, ImageNet mean and std. */
import * as tf from '@tensorflow/tfjs'

export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const

/** [N,H,W,3] pixel values 0..255 (any numeric dtype) → normalised float32. */
export function normalizeImages(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() =>
    x
      .toFloat()
      .div(255)
      .sub(tf.tensor1d([...IMAGENET_MEAN]))
      .div(tf.tensor1d([...IMAGENET_STD])),
  )
}
