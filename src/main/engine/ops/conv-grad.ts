/**
 * conv2d (+ bias, + ReLU) with a custom gradient that calls the Conv2DBackpropInput/Filter kernels with a
 * `dilations` attribute — only the project's kernels honour it, so use this where they are registered.
 *
 * Two things tfjs' own fused-conv gradient cannot do: dilation > 1, and skipping the input gradient when
 * the input is data (the network's first conv: its dx w.r.t. the image is a wasted convolution, and tfjs'
 * customGrad computes every input's gradient eagerly).
 */
import * as tf from '@tensorflow/tfjs'
import { channelSum } from './channel-sum'

export type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]]

export interface ConvGradArgs {
  x: tf.Tensor4D
  filter: tf.Tensor4D
  bias?: tf.Tensor1D
  strides: [number, number]
  dilations: [number, number]
  pad: 'same' | 'valid' | ExplicitPad
  activation: 'linear' | 'relu'
  /** false: return zeros for dx (x is data, not a function of any variable). */
  inputGrad: boolean
}

export function convWithKernelGrad(a: ConvGradArgs): tf.Tensor4D {
  const { strides, dilations, pad, activation } = a
  const attrs = { strides, pad, dilations, dataFormat: 'NHWC' }
  const f = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const hasBias = inputs.length === 4
    const x = inputs[0] as tf.Tensor4D
    const filter = inputs[1] as tf.Tensor4D
    const bias = hasBias ? (inputs[2] as tf.Tensor1D) : undefined
    const save = inputs[inputs.length - 1] as tf.GradSaveFunc
    const y = tf.fused.conv2d({ x, filter, strides, pad, dilations, bias, activation })
    save(activation === 'relu' ? [x, filter, y] : [x, filter])
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sf, sy] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D | undefined]
        const d = sy ? dy.mul(tf.step(sy)) : dy
        const engine = tf.engine()
        const dx = a.inputGrad
          ? (engine.runKernel(
              'Conv2DBackpropInput',
              { dy: d, filter: sf },
              { ...attrs, inputShape: sx.shape },
            ) as tf.Tensor)
          : tf.zerosLike(sx)
        const df = engine.runKernel(
          'Conv2DBackpropFilter',
          { x: sx, dy: d },
          { ...attrs, filterShape: sf.shape },
        ) as tf.Tensor
        return hasBias ? [dx, df, channelSum(d)] : [dx, df]
      },
    }
  })
  return (a.bias ? f(a.x, a.filter, a.bias) : f(a.x, a.filter)) as tf.Tensor4D
}
