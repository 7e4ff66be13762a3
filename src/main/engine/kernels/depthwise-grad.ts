/**
 * Gradient of DepthwiseConv2dNative composed of forward ops, so it works on every backend (wasm lacks the
 * DepthwiseConv2dNativeBackpropFilter/Input kernels) and for dilation > 1 (tfjs refuses it).
 *
 *   y[n,o,c·m+j] = Σ_k x[n, o·s + k·d − p, c] · f[k, c, j]          (2-D in the code; 1-D here for brevity)
 *   dx = depthwise conv of zero-inserted, padded dy with the reversed filter, summed over j
 *   dW[k, c, j] = Σ_{n,o} x[n, o·s + k·d − p, c] · dy[n, o, c·m+j]  — one strided slice of x per tap
 */
import * as tf from '@tensorflow/tfjs'
import { inputGradAxis } from './conv-geometry'
import { convAttrs } from './conv-attrs'

let registered = false

export function registerDepthwiseGradient(): void {
  if (registered) return
  tf.registerGradient({
    kernelName: 'DepthwiseConv2dNative',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D]
      const a = convAttrs(attrs, { filterShape: filter.shape, inputShape: x.shape })
      const dy4 = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor4D
      return {
        x: () => depthwiseInputGrad(dy4, filter, a),
        filter: () => depthwiseFilterGrad(x, dy4, a),
      }
    },
  })
  registered = true
}

type Attrs = ReturnType<typeof convAttrs>

function info(a: Attrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    a.inputShape,
    a.filterShape,
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
    true,
  )
}

export function depthwiseInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, a: Attrs): tf.Tensor4D {
  return tf.tidy(() => {
    const ci = info(a)
    const [n, h, w, c] = a.inputShape
    const [kh, kw, , m] = a.filterShape
    const [, oh, ow] = dy.shape
    let z: tf.Tensor4D = dy
    if (ci.strideHeight > 1 || ci.strideWidth > 1) {
      z = dy
        .reshape([n, oh, 1, ow, 1, c * m])
        .pad([
          [0, 0],
          [0, 0],
          [0, ci.strideHeight - 1],
          [0, 0],
          [0, ci.strideWidth - 1],
          [0, 0],
        ])
        .reshape([n, oh * ci.strideHeight, ow * ci.strideWidth, c * m])
    }
    const ah = inputGradAxis(h, z.shape[1], kh, ci.dilationHeight, ci.padInfo.top)
    const aw = inputGradAxis(w, z.shape[2], kw, ci.dilationWidth, ci.padInfo.left)
    const fr = tf.reverse(filter, [0, 1]).reshape([kh, kw, c * m, 1]) as tf.Tensor4D
    let g = tf.depthwiseConv2d(
      z,
      fr,
      1,
      [
        [0, 0],
        [ah.padBefore, ah.padAfter],
        [aw.padBefore, aw.padAfter],
        [0, 0],
      ],
      'NHWC',
      [ci.dilationHeight, ci.dilationWidth],
    )
    if (m > 1) g = g.reshape([n, g.shape[1], g.shape[2], c, m]).sum(4) as tf.Tensor4D
    return g.slice([0, ah.cropBegin, aw.cropBegin, 0], [n, h, w, c])
  })
}

export function depthwiseFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, a: Attrs): tf.Tensor4D {
  return tf.tidy(() => {
    const ci = info(a)
    const [n, h, w, c] = a.inputShape
    const [kh, kw, , m] = a.filterShape
    const [, oh, ow] = dy.shape
    const sh = ci.strideHeight
    const sw = ci.strideWidth
    const dh = ci.dilationHeight
    const dw = ci.dilationWidth
    const pt = ci.padInfo.top
    const pl = ci.padInfo.left
    // Pad so that every tap's strided window lies inside: last row read is (kh−1)·d + (OH−1)·s − pt.
    const padB = Math.max(0, (kh - 1) * dh + (oh - 1) * sh + 1 - h - pt)
    const padR = Math.max(0, (kw - 1) * dw + (ow - 1) * sw + 1 - w - pl)
    const xp = x.pad([
      [0, 0],
      [pt, padB],
      [pl, padR],
      [0, 0],
    ])
    const dy5 = dy.reshape([n, oh, ow, c, m])
    const taps: tf.Tensor[] = []
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const xs = tf.stridedSlice(
          xp,
          [0, i * dh, j * dw, 0],
          [n, i * dh + (oh - 1) * sh + 1, j * dw + (ow - 1) * sw + 1, c],
          [1, sh, sw, 1],
        ) as tf.Tensor4D
        taps.push(xs.expandDims(4).mul(dy5).sum([0, 1, 2])) // [C, m]
      }
    }
    return tf.stack(taps).reshape([kh, kw, c, m]) as tf.Tensor4D
  })
}
