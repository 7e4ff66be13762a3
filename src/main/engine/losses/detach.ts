/**
 * Stop-gradient (PyTorch's `.detach()`): the value passes through, the gradient is zero. tfjs has no public
 * op for it; a custom gradient that returns zeros does the same inside `tf.variableGrads`.
 */
import * as tf from '@tensorflow/tfjs'

export function detach<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const t = args[0] as tf.Tensor
    return { value: t.clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }
  })
  return f(x) as T
}
