/**
 * torchvision's `mobilenet_v3_large(dilated=True).features` (0.14), as the segmentation models use it:
 * the last stage (C4) keeps stride 1 and dilates its depthwise convs by 2, so the output stride is 16.
 * Module indices, channel counts and activations follow `_mobilenet_v3_conf`; parameter names are the
 * state-dict keys under a prefix (`backbone` in the segmentation models, `features` in the classifier).
 */
import type * as tf from '@tensorflow/tfjs'
import {
  MOBILENET_BN,
  globalAvgPool,
  hardsigmoid,
  hardswish,
  torchBatchNorm,
  torchConv2d,
  torchDepthwiseConv2d,
  type TorchParams,
} from './torch-layers'

export interface InvertedResidualSpec {
  inC: number
  kernel: number
  expC: number
  outC: number
  se: boolean
  /** 'HS': hardswish, 'RE': ReLU. */
  act: 'HS' | 'RE'
  stride: 1 | 2
  dilation: 1 | 2
}

function spec(
  inC: number,
  kernel: number,
  expC: number,
  outC: number,
  se: boolean,
  act: 'HS' | 'RE',
  stride: 1 | 2,
  dilation: 1 | 2,
): InvertedResidualSpec {
  return { inC, kernel, expC, outC, se, act, stride, dilation }
}

/** The bneck table of `_mobilenet_v3_conf('mobilenet_v3_large', dilated=True)` (width 1, full tail). */
export const MOBILENET_V3_LARGE_BLOCKS: readonly InvertedResidualSpec[] = [
  spec(16, 3, 16, 16, false, 'RE', 1, 1),
  spec(16, 3, 64, 24, false, 'RE', 2, 1), // C1
  spec(24, 3, 72, 24, false, 'RE', 1, 1),
  spec(24, 5, 72, 40, true, 'RE', 2, 1), // C2
  spec(40, 5, 120, 40, true, 'RE', 1, 1),
  spec(40, 5, 120, 40, true, 'RE', 1, 1),
  spec(40, 3, 240, 80, false, 'HS', 2, 1), // C3
  spec(80, 3, 200, 80, false, 'HS', 1, 1),
  spec(80, 3, 184, 80, false, 'HS', 1, 1),
  spec(80, 3, 184, 80, false, 'HS', 1, 1),
  spec(80, 3, 480, 112, true, 'HS', 1, 1),
  spec(112, 3, 672, 112, true, 'HS', 1, 1),
  spec(112, 5, 672, 160, true, 'HS', 2, 2), // C4: dilated instead of strided
  spec(160, 5, 960, 160, true, 'HS', 1, 2),
  spec(160, 5, 960, 160, true, 'HS', 1, 2),
]

/** Index in `features` of the stride-8 block the segmentation heads read as "low" (C2's last block, 40 ch). */
export const LOW_FEATURE_INDEX = 4
export const LOW_CHANNELS = 40
/** The last features module (1×1 conv 160→960 + BN + hardswish): the "high"/"out" map, output stride 16. */
export const HIGH_FEATURE_INDEX = MOBILENET_V3_LARGE_BLOCKS.length + 1
export const HIGH_CHANNELS = 960

/** torchvision's `_make_divisible(v, 8)`: nearest multiple of 8, at least 8, never 10 % below v. */
export function makeDivisible(v: number, divisor = 8): number {
  let n = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor)
  if (n < 0.9 * v) n += divisor
  return n
}

function activate(
  tp: TorchParams,
  key: string,
  x: tf.Tensor4D,
  act: 'HS' | 'RE',
  training: boolean,
): tf.Tensor4D {
  // ReLU is fused into the BN (its gradient masks there); hardswish follows it.
  const y = torchBatchNorm(tp, key, x, training, MOBILENET_BN, act === 'RE')
  return act === 'HS' ? hardswish(y) : y
}

/** SqueezeExcitation(expC, makeDivisible(expC / 4)) with hardsigmoid scale: fc1 → ReLU → fc2 → hardsigmoid. */
function squeezeExcitation(tp: TorchParams, key: string, x: tf.Tensor4D): tf.Tensor4D {
  const c = x.shape[3]
  const squeeze = makeDivisible(Math.floor(c / 4))
  const s1 = torchConv2d(tp, `${key}.fc1`, globalAvgPool(x), { out: squeeze, kernel: 1, bias: true }).relu()
  const s2 = torchConv2d(tp, `${key}.fc2`, s1 as tf.Tensor4D, { out: c, kernel: 1, bias: true })
  return x.mul(hardsigmoid(s2))
}

export function invertedResidual(
  tp: TorchParams,
  key: string,
  x: tf.Tensor4D,
  s: InvertedResidualSpec,
  training: boolean,
): tf.Tensor4D {
  if (x.shape[3] !== s.inC)
    throw new Error(`block '${key}': expected ${s.inC} input channels, got ${x.shape[3]}`)
  let j = 0
  let y = x
  if (s.expC !== s.inC) {
    y = torchConv2d(tp, `${key}.block.${j}.0`, y, { out: s.expC, kernel: 1 })
    y = activate(tp, `${key}.block.${j}.1`, y, s.act, training)
    j++
  }
  // torchvision: a dilated block keeps stride 1 (that is what "dilated" buys: output stride 16, not 32).
  const stride = s.dilation > 1 ? 1 : s.stride
  y = torchDepthwiseConv2d(tp, `${key}.block.${j}.0`, y, { kernel: s.kernel, stride, dilation: s.dilation })
  y = activate(tp, `${key}.block.${j}.1`, y, s.act, training)
  j++
  if (s.se) {
    y = squeezeExcitation(tp, `${key}.block.${j}`, y)
    j++
  }
  y = torchConv2d(tp, `${key}.block.${j}.0`, y, { out: s.outC, kernel: 1 })
  y = torchBatchNorm(tp, `${key}.block.${j}.1`, y, training, MOBILENET_BN)
  // The residual follows the configured stride (torchvision: cnf.stride == 1), not the dilated one.
  return s.stride === 1 && s.inC === s.outC ? y.add(x) : y
}

export interface MobileNetFeatures {
  /** Output of features[4]: [N, ⌈H/8⌉, ⌈W/8⌉, 40]. */
  low: tf.Tensor4D
  /** Output of features[16]: [N, ⌈H/16⌉, ⌈W/16⌉, 960]. */
  high: tf.Tensor4D
}

/** Normalised images [N,H,W,3] → the low and high feature maps; runs inside the caller's tidy. */
export function mobilenetV3LargeFeatures(
  tp: TorchParams,
  prefix: string,
  x: tf.Tensor4D,
  training: boolean,
): MobileNetFeatures {
  let y = torchConv2d(tp, `${prefix}.0.0`, x, { out: 16, kernel: 3, stride: 2, inputGrad: false })
  y = activate(tp, `${prefix}.0.1`, y, 'HS', training)
  let low: tf.Tensor4D | null = null
  MOBILENET_V3_LARGE_BLOCKS.forEach((s, i) => {
    y = invertedResidual(tp, `${prefix}.${i + 1}`, y, s, training)
    if (i + 1 === LOW_FEATURE_INDEX) low = y
  })
  y = torchConv2d(tp, `${prefix}.${HIGH_FEATURE_INDEX}.0`, y, { out: HIGH_CHANNELS, kernel: 1 })
  y = activate(tp, `${prefix}.${HIGH_FEATURE_INDEX}.1`, y, 'HS', training)
  if (!low) throw new Error('mobilenetV3LargeFeatures: the block table has no low-level block')
  return { low, high: y }
}
