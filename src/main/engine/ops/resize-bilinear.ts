/**
 * Bilinear resize as two interpolation-matrix products (rows, then columns), with PyTorch's
 * `F.interpolate(mode='bilinear')` geometry for either align_corners value.
 *
 * Why not tf.image.resizeBilinear: its gradient kernel on wasm ignores `halfPixelCenters`, so the
 * align_corners=False resize that torchvision's segmentation models use would train with the wrong
 * gradient. Matrix products have exact gradients everywhere; the transposed matrices are precomputed so
 * the backward pass needs no transposed-operand matmul (a naive loop on wasm).
 */
import * as tf from '@tensorflow/tfjs'

const cache = new Map<string, Float32Array>()

/**
 * The [outSize, inSize] row-stochastic matrix of 1-D linear interpolation, as PyTorch computes it:
 * align_corners=True: src = dst·(in−1)/(out−1); False: src = (dst+0.5)·in/out − 0.5, clamped at 0.
 */
export function linearResizeMatrix(inSize: number, outSize: number, alignCorners: boolean): Float32Array {
  if (!Number.isInteger(inSize) || !Number.isInteger(outSize) || inSize < 1 || outSize < 1) {
    throw new RangeError(`linearResizeMatrix: sizes must be positive integers, got ${inSize} → ${outSize}`)
  }
  const key = `${inSize}/${outSize}/${alignCorners}`
  const hit = cache.get(key)
  if (hit) return hit
  const m = new Float32Array(outSize * inSize)
  for (let o = 0; o < outSize; o++) {
    let src: number
    if (alignCorners) src = outSize > 1 ? (o * (inSize - 1)) / (outSize - 1) : 0
    else src = Math.max(0, ((o + 0.5) * inSize) / outSize - 0.5)
    const i0 = Math.min(Math.floor(src), inSize - 1)
    const i1 = Math.min(i0 + 1, inSize - 1)
    const lambda = src - i0
    // i0 = i1 at the last row: both weights add up on it.
    m[o * inSize + i0] = (m[o * inSize + i0] as number) + (1 - lambda)
    m[o * inSize + i1] = (m[o * inSize + i1] as number) + lambda
  }
  cache.set(key, m)
  return m
}

function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c] as number
  return t
}

/** Resamples `x` [N,H,W,C] along axis 1 with matrix `m` [out, H]: y[n,o,w,c] = Σ_h m[o,h]·x[n,h,w,c]. */
function alongRows(x: tf.Tensor4D, m: tf.Tensor2D): tf.Tensor4D {
  const [n, h, w, c] = x.shape
  const out = m.shape[0]
  const xt = x.transpose([1, 0, 2, 3]).reshape([h, n * w * c])
  return tf.matMul(m, xt).reshape([out, n, w, c]).transpose([1, 0, 2, 3]) as tf.Tensor4D
}

/** Resamples along axis 2: y[n,h,o,c] = Σ_w m[o,w]·x[n,h,w,c]. */
function alongCols(x: tf.Tensor4D, m: tf.Tensor2D): tf.Tensor4D {
  const [n, h, w, c] = x.shape
  const out = m.shape[0]
  const xt = x.transpose([2, 0, 1, 3]).reshape([w, n * h * c])
  return tf.matMul(m, xt).reshape([out, n, h, c]).transpose([1, 2, 0, 3]) as tf.Tensor4D
}

/** Bilinear resize of [N,H,W,C] to [N,outH,outW,C] with PyTorch's geometry; differentiable on every backend. */
export function resizeBilinearTorch(
  x: tf.Tensor4D,
  outH: number,
  outW: number,
  alignCorners: boolean,
): tf.Tensor4D {
  const [, h, w] = x.shape
  if (h === outH && w === outW) return x
  const mh = linearResizeMatrix(h, outH, alignCorners)
  const mw = linearResizeMatrix(w, outW, alignCorners)
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, save] = args as [tf.Tensor4D, tf.GradSaveFunc]
    const y = alongCols(alongRows(xi, tf.tensor2d(mh, [outH, h])), tf.tensor2d(mw, [outW, w]))
    save([tf.tensor2d(transpose(mh, outH, h), [h, outH]), tf.tensor2d(transpose(mw, outW, w), [w, outW])])
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [mhT, mwT] = saved as [tf.Tensor2D, tf.Tensor2D]
        return alongRows(alongCols(dy as tf.Tensor4D, mwT), mhT)
      },
    }
  })
  return f(x) as tf.Tensor4D
}
