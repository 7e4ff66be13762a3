/**
 * Binary cross-entropy on logits, mean reduction, in the numerically stable form of
 * torch.nn.BCEWithLogitsLoss: max(x, 0) − x·y + log(1 + exp(−|x|)).
 * `target` is a constant domain label (ADVENT: source 0, target 1) or a tensor broadcastable to x.
 */
import * as tf from '@tensorflow/tfjs'

export function bceWithLogits(logits: tf.Tensor, target: number | tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const y = typeof target === 'number' ? tf.scalar(target) : target
    const loss = tf
      .relu(logits)
      .sub(logits.mul(y))
      .add(tf.log1p(tf.exp(tf.abs(logits).neg())))
    return loss.mean() as tf.Scalar
  })
}
