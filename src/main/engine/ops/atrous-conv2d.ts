/**
 * Atrous (dilated) convolution with a gradient on every backend.
 *
 * tfjs refuses gradients of conv2d with dilation > 1 on all backends (tfjs-node included). Two forms:
 *  - 'space-to-batch' (any backend): spaceToBatchND (rate × rate interleaved sub-images stacked into the
 *    batch) → an ordinary 'valid' conv → batchToSpaceND; all three have gradients. The padding reproduces
 *    tf.conv2d's 'same' (top/left get floor of the total) and 'valid', plus the rows/columns that make the
 *    padded size a multiple of the rate (cropped again by batchToSpaceND).
 *  - 'direct' (backends with the project's training kernels): the dilated conv itself, with a custom
 *    gradient that passes the dilation to the project's Conv2DBackpropInput/Filter kernels. It avoids the
 *    space-to-batch copies, which on wasm cost more than the convolution (a 6-D transpose each way).
 * 'auto' picks 'direct' when the kernels are registered for the active backend.
 */
import * as tf from '@tensorflow/tfjs'
import { trainingKernelsRegistered } from '../kernels/register'
import { convWithKernelGrad } from './conv-grad'

export type AtrousPad = 'same' | 'valid'

export interface AtrousAxisPlan {
  padBefore: number
  padAfter: number
  cropAfter: number
}

/** Padding and crop along one axis of size `size` for a k-tap filter at `rate`. */
export function atrousAxisPlan(size: number, k: number, rate: number, pad: AtrousPad): AtrousAxisPlan {
  const total = pad === 'same' ? (k - 1) * rate : 0
  const padBefore = Math.floor(total / 2)
  const padded = size + total
  const extra = (rate - (padded % rate)) % rate
  if ((padded + extra) / rate < k) {
    throw new Error(
      `atrousConv2d: input size ${size} is too small for a ${k}-tap filter at rate ${rate} ('${pad}')`,
    )
  }
  return { padBefore, padAfter: total - padBefore + extra, cropAfter: extra }
}

export type AtrousImpl = 'auto' | 'direct' | 'space-to-batch'

export interface AtrousConvArgs {
  x: tf.Tensor4D
  filter: tf.Tensor4D
  rate: number
  pad?: AtrousPad
  bias?: tf.Tensor1D
  activation?: 'linear' | 'relu'
  impl?: AtrousImpl
}

export function atrousConv2d(args: AtrousConvArgs): tf.Tensor4D {
  const { x, filter, rate } = args
  const pad = args.pad ?? 'same'
  const activation = args.activation ?? 'linear'
  if (!Number.isInteger(rate) || rate < 1)
    throw new Error(`atrousConv2d: rate must be an integer ≥ 1, got ${rate}`)
  const impl = args.impl ?? 'auto'
  const direct = impl === 'direct' || (impl === 'auto' && trainingKernelsRegistered(tf.getBackend()))
  if (impl === 'direct' && !trainingKernelsRegistered(tf.getBackend())) {
    throw new Error(
      `atrousConv2d: 'direct' needs the project's training kernels on backend '${tf.getBackend()}'`,
    )
  }
  return tf.tidy(() => {
    if (rate === 1) {
      return tf.fused.conv2d({ x, filter, strides: 1, pad, bias: args.bias, activation })
    }
    if (direct) {
      const dilations: [number, number] = [rate, rate]
      return convWithKernelGrad({
        x,
        filter,
        bias: args.bias,
        strides: [1, 1],
        dilations,
        pad,
        activation,
        inputGrad: true,
      })
    }
    const [, h, w] = x.shape
    const [kh, kw] = filter.shape
    const ph = atrousAxisPlan(h, kh, rate, pad)
    const pw = atrousAxisPlan(w, kw, rate, pad)
    const s2b = tf.spaceToBatchND(
      x,
      [rate, rate],
      [
        [ph.padBefore, ph.padAfter],
        [pw.padBefore, pw.padAfter],
      ],
    ) as tf.Tensor4D
    const y = tf.fused.conv2d({ x: s2b, filter, strides: 1, pad: 'valid', bias: args.bias, activation })
    return tf.batchToSpaceND(
      y,
      [rate, rate],
      [
        [0, ph.cropAfter],
        [0, pw.cropAfter],
      ],
    ) as tf.Tensor4D
  })
}
