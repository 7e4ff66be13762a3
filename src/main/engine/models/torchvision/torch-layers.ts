/**
 * Layers named like PyTorch modules: every parameter and buffer is stored under its state-dict key
 * (`backbone.0.0.weight`, `classifier.cbr.1.running_var`, …) in tfjs layout, and its layout is recorded so
 * a state dict can be converted and loaded by name (load-state-dict.ts). Padding is PyTorch's: symmetric,
 * dilation·(k−1)/2 — tfjs 'same' would pad stride-2 convs on the bottom/right only.
 */
import * as tf from '@tensorflow/tfjs'
import { trainingKernelsRegistered } from '../../kernels/register'
import { convWithKernelGrad, type ExplicitPad } from '../../ops/conv-grad'
import { batchNormWith, type BatchNormOptions } from '../layers'
import type { Init, ParamStore } from '../params'

/**
 * How a tfjs variable maps to its PyTorch tensor:
 *  conv       tfjs [kh,kw,I,O]  ↔ torch [O,I,kh,kw]
 *  depthwise  tfjs [kh,kw,C,1]  ↔ torch [C,1,kh,kw]
 *  vector     [C] both;  scalar [] both (BN's num_batches_tracked)
 */
export type TorchLayout = 'conv' | 'depthwise' | 'vector' | 'scalar'

/** A ParamStore whose names are state-dict keys, plus each key's layout. */
export class TorchParams {
  private readonly layoutOf = new Map<string, TorchLayout>()

  constructor(readonly store: ParamStore) {}

  get(key: string, shape: number[], layout: TorchLayout, init: Init, trainable = true): tf.Variable {
    const known = this.layoutOf.get(key)
    if (known && known !== layout) throw new Error(`parameter '${key}' is used as ${known} and as ${layout}`)
    this.layoutOf.set(key, layout)
    return this.store.get(key, shape, init, trainable)
  }

  layout(key: string): TorchLayout | undefined {
    return this.layoutOf.get(key)
  }

  keys(): string[] {
    return [...this.layoutOf.keys()]
  }
}

/** The PyTorch shape of a tfjs variable shape under `layout`. */
export function torchShapeOf(tfShape: readonly number[], layout: TorchLayout): number[] {
  const [kh, kw, i, o] = tfShape as [number, number, number, number]
  switch (layout) {
    case 'conv':
      return [o, i, kh, kw]
    case 'depthwise':
      return [i, 1, kh, kw]
    case 'vector':
    case 'scalar':
      return [...tfShape]
  }
}

function symmetricPad(p: number): ExplicitPad {
  return [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ]
}

export interface TorchConvOptions {
  out: number
  kernel: number
  stride?: number
  dilation?: number
  bias?: boolean
  /** false when x is data (the first conv): its input gradient is not computed where the project's kernels run. */
  inputGrad?: boolean
}

/** nn.Conv2d (groups = 1) with PyTorch's padding. `key` is the module's state-dict prefix. */
export function torchConv2d(tp: TorchParams, key: string, x: tf.Tensor4D, o: TorchConvOptions): tf.Tensor4D {
  const k = o.kernel
  const stride = o.stride ?? 1
  const dilation = o.dilation ?? 1
  const filter = tp.get(`${key}.weight`, [k, k, x.shape[3], o.out], 'conv', 'he') as tf.Tensor4D
  const bias = o.bias ? (tp.get(`${key}.bias`, [o.out], 'vector', 'zeros') as tf.Tensor1D) : undefined
  const p = (dilation * (k - 1)) / 2
  if (!Number.isInteger(p)) throw new Error(`conv '${key}': kernel ${k} has no symmetric padding`)
  const pad = p === 0 ? 'valid' : symmetricPad(p)
  const custom = trainingKernelsRegistered(tf.getBackend())
  // tfjs has no gradient for dilated convs; the project's kernels do (through convWithKernelGrad).
  if (custom && (dilation > 1 || o.inputGrad === false)) {
    return convWithKernelGrad({
      x,
      filter,
      bias,
      strides: [stride, stride],
      dilations: [dilation, dilation],
      pad,
      activation: 'linear',
      inputGrad: o.inputGrad !== false,
    })
  }
  return tf.fused.conv2d({ x, filter, strides: stride, pad, dilations: dilation, bias })
}

/** Depthwise nn.Conv2d (groups = channels, no bias) with PyTorch's padding. */
export function torchDepthwiseConv2d(
  tp: TorchParams,
  key: string,
  x: tf.Tensor4D,
  o: { kernel: number; stride: number; dilation: number },
): tf.Tensor4D {
  const k = o.kernel
  const filter = tp.get(`${key}.weight`, [k, k, x.shape[3], 1], 'depthwise', 'he') as tf.Tensor4D
  const p = (o.dilation * (k - 1)) / 2
  if (!Number.isInteger(p)) throw new Error(`depthwise conv '${key}': kernel ${k} has no symmetric padding`)
  return tf.depthwiseConv2d(x, filter, o.stride, symmetricPad(p), 'NHWC', o.dilation)
}

/** Backbone BN of torchvision's MobileNetV3: BatchNorm2d(eps=0.001, momentum=0.01). */
export const MOBILENET_BN: BatchNormOptions = { epsilon: 1e-3, momentum: 0.01 }
/** nn.BatchNorm2d's defaults. */
export const TORCH_BN: BatchNormOptions = { epsilon: 1e-5, momentum: 0.1 }

/**
 * nn.BatchNorm2d (+ optional fused ReLU): weight/bias trainable, running_mean/running_var/num_batches_tracked
 * buffers. Training mode uses batch statistics and updates the running ones as PyTorch does (layers.ts).
 */
export function torchBatchNorm(
  tp: TorchParams,
  key: string,
  x: tf.Tensor4D,
  training: boolean,
  o: BatchNormOptions,
  relu = false,
): tf.Tensor4D {
  const c = x.shape[3]
  const vars = {
    gamma: tp.get(`${key}.weight`, [c], 'vector', 'ones') as tf.Tensor1D,
    beta: tp.get(`${key}.bias`, [c], 'vector', 'zeros') as tf.Tensor1D,
    movingMean: tp.get(`${key}.running_mean`, [c], 'vector', 'zeros', false),
    movingVar: tp.get(`${key}.running_var`, [c], 'vector', 'ones', false),
  }
  const tracked = tp.get(`${key}.num_batches_tracked`, [], 'scalar', 'zeros', false)
  if (training) tracked.assign(tracked.add(1))
  return batchNormWith(key, x, vars, training, relu, o)
}

/** nn.Hardswish: x·relu6(x+3)/6. */
export function hardswish(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => x.mul(tf.relu6(x.add(3))).div(6) as tf.Tensor4D)
}

/** nn.Hardsigmoid: relu6(x+3)/6. */
export function hardsigmoid<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.relu6(x.add(3)).div(6) as T)
}

/** Global average pooling to [N,1,1,C] (nn.AdaptiveAvgPool2d(1)). */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor4D {
  return x.mean([1, 2], true) as tf.Tensor4D
}
