/**
 * Functional layers over a ParamStore. Padding is symmetric (p = rate·(k−1)/2, PyTorch's convention) so the
 * same architecture in PyTorch computes the same function; TF's 'same' would pad stride-2 convs on the
 * bottom/right only.
 */
import * as tf from '@tensorflow/tfjs'
import { atrousConv2d } from '../ops/atrous-conv2d'
import { channelSum } from '../ops/channel-sum'
import { channelAffine } from '../ops/channel-affine'
import { convWithKernelGrad } from '../ops/conv-grad'
import { trainingKernelsRegistered } from '../kernels/register'
import type { Init, ParamStore } from './params'

export interface ConvOptions {
  filters: number
  kernel: number
  stride?: number
  rate?: number
  bias?: boolean
  /** 'relu' is fused into the conv kernel (its gradient is supported); other activations are applied after. */
  activation?: 'linear' | 'relu'
  /** Explicit symmetric padding; defaults to rate·(k−1)/2. */
  pad?: number
  kernelInit?: Init
  /** false when x is data (the first conv): its gradient is not computed (where the project's kernels run). */
  inputGrad?: boolean
}

export function conv(ps: ParamStore, name: string, x: tf.Tensor4D, o: ConvOptions): tf.Tensor4D {
  const cin = x.shape[3]
  const k = o.kernel
  const rate = o.rate ?? 1
  const stride = o.stride ?? 1
  const filter = ps.get(`${name}/kernel`, [k, k, cin, o.filters], o.kernelInit ?? 'he') as tf.Tensor4D
  const bias = o.bias ? (ps.get(`${name}/bias`, [o.filters], 'zeros') as tf.Tensor1D) : undefined
  const activation = o.activation ?? 'linear'
  if (rate > 1) {
    if (stride !== 1) throw new Error(`conv '${name}': atrous convolution needs stride 1`)
    if (o.pad !== undefined && o.pad !== (rate * (k - 1)) / 2) {
      throw new Error(`conv '${name}': atrous convolution supports only 'same' padding`)
    }
    return atrousConv2d({ x, filter, rate, pad: 'same', bias, activation })
  }
  const p = o.pad ?? (k - 1) / 2
  if (!Number.isInteger(p)) throw new Error(`conv '${name}': kernel ${k} has no symmetric padding; give pad`)
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ]
  if (o.inputGrad === false && trainingKernelsRegistered(tf.getBackend())) {
    return convWithKernelGrad({
      x,
      filter,
      bias,
      strides: [stride, stride],
      dilations: [1, 1],
      pad,
      activation,
      inputGrad: false,
    })
  }
  return tf.fused.conv2d({ x, filter, strides: stride, pad: p === 0 ? 'valid' : pad, bias, activation })
}

export interface BatchNormOptions {
  /** PyTorch convention: running = (1 − momentum)·running + momentum·batch. */
  momentum: number
  epsilon: number
}

const DEFAULT_BN: BatchNormOptions = { momentum: 0.1, epsilon: 1e-5 }

/**
 * Batch normalisation (+ optional fused ReLU). Training mode normalises with the batch statistics, updates
 * the moving statistics (unbiased variance, as PyTorch) and has a closed-form gradient. With x_c = x − mean,
 * rstd = 1/√(var + ε), d = dy (masked by the ReLU when fused):
 *   dβ = Σ d,  dγ = rstd · Σ d·x_c,
 *   dx = γ·rstd · d − γ·rstd³·(Σ d·x_c)/m · x_c − γ·rstd·(Σ d)/m
 * Every per-channel sum is a GEMV (channelSum) and every per-channel affine map a 1×1 depthwise conv
 * (channelAffine): differentiating through tf.moments would build broadcast gradients from Tile + Sum,
 * and wasm's broadcasting binary ops are slow.
 */
export function batchNorm(
  ps: ParamStore,
  name: string,
  x: tf.Tensor4D,
  training: boolean,
  relu = false,
  o: BatchNormOptions = DEFAULT_BN,
): tf.Tensor4D {
  const c = x.shape[3]
  const vars: BatchNormVariables = {
    gamma: ps.get(`${name}/gamma`, [c], 'ones') as tf.Tensor1D,
    beta: ps.get(`${name}/beta`, [c], 'zeros') as tf.Tensor1D,
    movingMean: ps.get(`${name}/moving_mean`, [c], 'zeros', false),
    movingVar: ps.get(`${name}/moving_variance`, [c], 'ones', false),
  }
  return batchNormWith(name, x, vars, training, relu, o)
}

export interface BatchNormVariables {
  gamma: tf.Tensor1D
  beta: tf.Tensor1D
  movingMean: tf.Variable
  movingVar: tf.Variable
}

/**
 * Eval-mode batch norm (moving statistics; + optional fused ReLU) with a closed-form gradient, so a model can
 * be trained with its BN frozen (fine-tuning on small batches). With rstd = 1/√(movingVar + ε),
 * s = γ·rstd and d = dy (masked by the ReLU when fused):
 *   dx = s·d,  dγ = rstd · Σ d·(x − movingMean),  dβ = Σ d
 * (the moving statistics are buffers: no gradient). The forward is one channelAffine, whose fused 1×1
 * depthwise conv has no input gradient on wasm — hence the custom gradient.
 */
function frozenBatchNorm(
  x: tf.Tensor4D,
  { gamma, beta, movingMean, movingVar }: BatchNormVariables,
  relu: boolean,
  epsilon: number,
): tf.Tensor4D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, g, b, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc]
    const rstd = movingVar.add(epsilon).rsqrt() as tf.Tensor1D
    const scale = g.mul(rstd) as tf.Tensor1D
    const y = channelAffine(xi, scale, b.sub(movingMean.mul(scale)) as tf.Tensor1D, relu)
    save(relu ? [xi, rstd, scale, y] : [xi, rstd, scale])
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, rs, sc, ys] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor4D | undefined]
        const d = (ys ? dy.mul(tf.step(ys)) : dy) as tf.Tensor4D
        const xc = channelAffine(xs, tf.onesLike(rs), movingMean.neg() as tf.Tensor1D)
        return [channelAffine(d, sc, null), channelSum(d.mul(xc)).mul(rs), channelSum(d)]
      },
    }
  })
  return f(x, gamma, beta) as tf.Tensor4D
}

/** batchNorm over given variables (models whose parameter names are not Keras's, e.g. torchvision's). */
export function batchNormWith(
  name: string,
  x: tf.Tensor4D,
  { gamma, beta, movingMean, movingVar }: BatchNormVariables,
  training: boolean,
  relu = false,
  o: BatchNormOptions = DEFAULT_BN,
): tf.Tensor4D {
  if (!training) return frozenBatchNorm(x, { gamma, beta, movingMean, movingVar }, relu, o.epsilon)
  const m = x.shape[0] * x.shape[1] * x.shape[2]
  if (m < 2) throw new Error(`batchNorm '${name}': training needs more than one value per channel`)
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, g, b, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc]
    const mean = channelSum(xi).div(m) as tf.Tensor1D
    const xc = channelAffine(xi, tf.onesLike(mean), mean.neg())
    const variance = channelSum(xc.square()).div(m)
    const rstd = variance.add(o.epsilon).rsqrt() as tf.Tensor1D
    const y = channelAffine(xc, g.mul(rstd) as tf.Tensor1D, b, relu)
    movingMean.assign(movingMean.mul(1 - o.momentum).add(mean.mul(o.momentum)))
    movingVar.assign(movingVar.mul(1 - o.momentum).add(variance.mul((o.momentum * m) / (m - 1))))
    save(relu ? [xc, rstd, g, y] : [xc, rstd, g])
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xcs, rs, gm, ys] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor4D | undefined]
        const d = (ys ? dy.mul(tf.step(ys)) : dy) as tf.Tensor4D
        const sumD = channelSum(d)
        const sumDXc = channelSum(d.mul(xcs))
        const gr = gm.mul(rs) as tf.Tensor1D
        const s2 = gr.mul(rs.square()).mul(sumDXc).div(-m) as tf.Tensor1D
        const s3 = gr.mul(sumD).div(-m) as tf.Tensor1D
        const dx = channelAffine(d, gr, s3).add(channelAffine(xcs, s2, null))
        return [dx, sumDXc.mul(rs), sumD]
      },
    }
  })
  return f(x, gamma, beta) as tf.Tensor4D
}

/** conv (no bias) → BN → optional ReLU, Keras naming: `${name}_conv`, `${name}_bn`. */
export function convBn(
  ps: ParamStore,
  name: string,
  x: tf.Tensor4D,
  training: boolean,
  o: Omit<ConvOptions, 'bias' | 'activation'> & { relu: boolean },
): tf.Tensor4D {
  const y = conv(ps, `${name}_conv`, x, { ...o, bias: false })
  return batchNorm(ps, `${name}_bn`, y, training, o.relu)
}

const poolCache = new Map<string, Float32Array>()

/**
 * PyTorch AdaptiveAvgPool2d as a [b², H·W] averaging matrix: bin i spans rows
 * [floor(i·H/b), ceil((i+1)·H/b)). A matMul is fast on every backend and has a plain gradient.
 */
export function adaptivePoolMatrix(h: number, w: number, b: number): Float32Array {
  const key = `${h}x${w}/${b}`
  const hit = poolCache.get(key)
  if (hit) return hit
  const m = new Float32Array(b * b * h * w)
  for (let i = 0; i < b; i++) {
    const y0 = Math.floor((i * h) / b)
    const y1 = Math.ceil(((i + 1) * h) / b)
    for (let j = 0; j < b; j++) {
      const x0 = Math.floor((j * w) / b)
      const x1 = Math.ceil(((j + 1) * w) / b)
      const inv = 1 / ((y1 - y0) * (x1 - x0))
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[(i * b + j) * h * w + y * w + x] = inv
    }
  }
  poolCache.set(key, m)
  return m
}

/**
 * Adaptive average pooling to b×b as one 2-D matrix product over [H·W, N·C] (x transposed so the batch rides
 * along with the channels): wasm's batched and transposed-operand BatchMatMul paths are naive loops, so the
 * gradient Pᵀ·dy uses a precomputed Pᵀ instead of a transposed operand.
 */
export function adaptiveAvgPool(x: tf.Tensor4D, b: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape
  const pm = adaptivePoolMatrix(h, w, b)
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, save] = args as [tf.Tensor4D, tf.GradSaveFunc]
    const p = tf.tensor2d(pm, [b * b, h * w])
    const xt = xi
      .reshape([n, h * w, c])
      .transpose([1, 0, 2])
      .reshape([h * w, n * c])
    const pooled = tf
      .matMul(p, xt)
      .reshape([b * b, n, c])
      .transpose([1, 0, 2])
      .reshape([n, b, b, c])
    save([tf.tensor2d(transposeMatrix(pm, b * b, h * w), [h * w, b * b])])
    return {
      value: pooled,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [pT] = saved as [tf.Tensor2D]
        const dt = dy
          .reshape([n, b * b, c])
          .transpose([1, 0, 2])
          .reshape([b * b, n * c])
        return tf
          .matMul(pT, dt)
          .reshape([h * w, n, c])
          .transpose([1, 0, 2])
          .reshape([n, h, w, c])
      },
    }
  })
  return f(x) as tf.Tensor4D
}

function transposeMatrix(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c] as number
  return t
}

/** Bilinear resize with align_corners=True (PSPNet / ADVENT upsampling). */
export function upsample(x: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  if (x.shape[1] === h && x.shape[2] === w) return x
  return tf.image.resizeBilinear(x, [h, w], true)
}
