/**
 * FDA's robust entropy (Yang & Soatto 2020): with h = H(p)/ln C the normalised entropy of each pixel,
 * L = mean((h² + 1e-8)^η), η = 2 — it penalises high-entropy pixels far more than confident ones.
 */
import * as tf from '@tensorflow/tfjs'
import { entropyMap } from './entropy'

export const ROBUST_ENTROPY_EPS = 1e-8

export function robustEntropy(logits: tf.Tensor4D, eta: number): tf.Scalar {
  return tf.tidy(
    () => entropyMap(logits).sum(3).square().add(ROBUST_ENTROPY_EPS).pow(eta).mean() as tf.Scalar,
  )
}
