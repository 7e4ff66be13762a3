/**
 * Conv2DBackpropFilter composed of the backend's own fast kernels.
 *
 * tfjs-backend-wasm has no such kernel and the cpu backend's is a naive loop. The weight gradient
 *   dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s+kh·d−pt, ow·s+kw·d−pl, ci] · dy[n,oh,ow,co]
 * is itself a forward convolution once the tensors are transposed: x as [Ci, H, W, N] (the batch becomes
 * the channel axis being summed), dy as a filter [OH, OW, N, Co], stride and dilation swapped. The output
 * [Ci, KH', KW', Co] is cropped to the filter size and transposed to [KH, KW, Ci, Co].
 * (Measured alternative, not used: gathering the columns each width-tap reads on the host so the summed
 * channel axis is N·OW instead of N — the host gather costs more than the GEMM gains, 0.9–1.5× slower.)
 * A 1×1 unpadded filter is a plain matrix product xᵀ·dy (x subsampled first when strided), cheaper still.
 * xᵀ is materialised with Transpose: wasm's BatchMatMul with transposeA takes a naive path ~8× slower.
 * Strided subsampling is done on the host: wasm's StridedSlice costs ~250 ns per element.
 */
import * as tf from '@tensorflow/tfjs'
import { filterGradAxis } from './conv-geometry'
import { withKernelCalls, type KernelCalls, type TensorInfo } from './kernel-calls'
import type { ConvAttrs } from './conv-attrs'

export function conv2dBackpropFilterImpl(
  backend: tf.KernelBackend,
  backendName: string,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: ConvAttrs,
): TensorInfo {
  const filterShape = attrs.filterShape
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
  )
  const [n, h, w, ci] = x.shape as [number, number, number, number]
  const [, oh, ow, co] = dy.shape as [number, number, number, number]
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info
  const { dilationHeight: dh, dilationWidth: dw } = info
  if (oh !== info.outHeight || ow !== info.outWidth) {
    throw new Error(
      `Conv2DBackpropFilter: dy is ${oh}×${ow} but the convolution gives ${info.outHeight}×${info.outWidth}`,
    )
  }
  const pt = info.padInfo.top
  const pl = info.padInfo.left

  return withKernelCalls(backend, backendName, (k) => {
    if (kh === 1 && kw === 1 && pt === 0 && pl === 0) {
      const m = n * oh * ow
      const xs = sh === 1 && sw === 1 && oh === h && ow === w ? x : subsample(k, x, oh, ow, sh, sw)
      const xT = k.transpose(k.reshape(xs, [m, ci]), [1, 0]) // [Ci, M]
      const prod = k.matMul(xT, k.reshape(dy, [m, co]), false, false) // [Ci, Co]
      return k.reshape(prod, filterShape)
    }
    const ah = filterGradAxis(h, oh, kh, sh, dh, pt)
    const aw = filterGradAxis(w, ow, kw, sw, dw, pl)
    const xT = k.transpose(x, [3, 1, 2, 0]) // [Ci, H, W, N]
    const dyT = k.transpose(dy, [1, 2, 0, 3]) // [OH, OW, N, Co]
    let g = k.conv2d(xT, dyT, [dh, dw], [sh, sw], {
      top: ah.padBefore,
      bottom: ah.padAfter,
      left: aw.padBefore,
      right: aw.padAfter,
    }) // [Ci, KH', KW', Co]
    if (ah.convOut !== kh || aw.convOut !== kw) g = k.slice(g, [0, 0, 0, 0], [ci, kh, kw, co])
    return k.transpose(g, [1, 2, 0, 3])
  })
}

/** x[:, ::sh, ::sw, :] cut to [N, OH, OW, C], copied run by run on the host. */
function subsample(
  k: KernelCalls,
  x: TensorInfo,
  oh: number,
  ow: number,
  sh: number,
  sw: number,
): TensorInfo {
  const [n, h, w, c] = x.shape as [number, number, number, number]
  const src = k.read(x)
  const out = new Float32Array(n * oh * ow * c)
  let o = 0
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const row = (b * h + i * sh) * w
      for (let j = 0; j < ow; j++) {
        const s0 = (row + j * sw) * c
        out.set(src.subarray(s0, s0 + c), o)
        o += c
      }
    }
  }
  return k.constant(out, [n, oh, ow, c])
}
