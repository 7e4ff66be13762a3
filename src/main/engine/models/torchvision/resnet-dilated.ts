/**
 * torchvision 0.14's ResNet (Bottleneck, "v1.5": the stride sits on the 3×3 conv2) built as the DeepLabV3
 * and FCN segmentation models build it: `resnet50(replace_stride_with_dilation=[False, True, True])`, so
 * layer3 and layer4 keep stride 1 and dilate instead (output stride 8). As `ResNet._make_layer` does, the
 * first block of a dilated layer uses the previous dilation (layer3: 1, layer4: 2) and the others the new one
 * (layer3: 2, layer4: 4); every 3×3 conv pads by its dilation. Parameter names are the state-dict keys
 * under `prefix` (`backbone` in the segmentation models); `fc` is not built (IntermediateLayerGetter drops it).
 */
import * as tf from '@tensorflow/tfjs'
import { TORCH_BN, torchBatchNorm, torchConv2d, type TorchParams } from './torch-layers'

/** Bottleneck blocks per layer: ResNet-50 and ResNet-101. */
export const RESNET_BLOCKS = { 50: [3, 4, 6, 3], 101: [3, 4, 23, 3] } as const
export type ResNetDepth = keyof typeof RESNET_BLOCKS

/** Bottleneck.expansion. */
const EXPANSION = 4
const PLANES = [64, 128, 256, 512] as const
/** The layers' configured strides (layer1 keeps the max-pool's resolution). */
const STRIDES = [1, 2, 2, 2] as const
/** replace_stride_with_dilation for layer2..layer4 (layer1 is never dilated). */
const DILATE = [false, false, true, true] as const

/** Channels of layer3 (the aux head's input) and layer4 (the main head's). */
export const RESNET_AUX_CHANNELS = PLANES[2] * EXPANSION
export const RESNET_OUT_CHANNELS = PLANES[3] * EXPANSION

export interface BlockPlan {
  /** State-dict prefix of the block, e.g. `backbone.layer3.0`. */
  key: string
  planes: number
  stride: number
  dilation: number
  /** The 1×1 conv + BN shortcut (`downsample`), present when the shape changes. */
  downsample: boolean
}

/**
 * Every bottleneck block's stride, dilation and shortcut, as `ResNet._make_layer` assigns them (pure, so the
 * dilation schedule is tested on its own).
 */
export function resnetBlockPlan(prefix: string, depth: ResNetDepth): BlockPlan[] {
  const plan: BlockPlan[] = []
  let dilation = 1
  let inplanes = 64
  PLANES.forEach((planes, li) => {
    const previousDilation = dilation
    let stride: number = STRIDES[li]!
    if (DILATE[li]) {
      dilation *= stride
      stride = 1
    }
    for (let b = 0; b < RESNET_BLOCKS[depth][li]!; b++) {
      const first = b === 0
      plan.push({
        key: `${prefix}.layer${li + 1}.${b}`,
        planes,
        stride: first ? stride : 1,
        dilation: first ? previousDilation : dilation,
        downsample: first && (stride !== 1 || inplanes !== planes * EXPANSION),
      })
      inplanes = planes * EXPANSION
    }
  })
  return plan
}

function bottleneck(tp: TorchParams, x: tf.Tensor4D, b: BlockPlan, training: boolean): tf.Tensor4D {
  const k = b.key
  let y = torchConv2d(tp, `${k}.conv1`, x, { out: b.planes, kernel: 1 })
  y = torchBatchNorm(tp, `${k}.bn1`, y, training, TORCH_BN, true)
  y = torchConv2d(tp, `${k}.conv2`, y, { out: b.planes, kernel: 3, stride: b.stride, dilation: b.dilation })
  y = torchBatchNorm(tp, `${k}.bn2`, y, training, TORCH_BN, true)
  y = torchConv2d(tp, `${k}.conv3`, y, { out: b.planes * EXPANSION, kernel: 1 })
  y = torchBatchNorm(tp, `${k}.bn3`, y, training, TORCH_BN)
  const identity = b.downsample
    ? torchBatchNorm(
        tp,
        `${k}.downsample.1`,
        torchConv2d(tp, `${k}.downsample.0`, x, { out: b.planes * EXPANSION, kernel: 1, stride: b.stride }),
        training,
        TORCH_BN,
      )
    : x
  return y.add(identity).relu() as tf.Tensor4D
}

export interface ResNetFeatures {
  /** layer3's output (IntermediateLayerGetter's "aux"): [N, ⌈H/8⌉, ⌈W/8⌉, 1024]. */
  aux: tf.Tensor4D
  /** layer4's output ("out"): [N, ⌈H/8⌉, ⌈W/8⌉, 2048]. */
  out: tf.Tensor4D
}

/** Normalised images [N,H,W,3] → layer3 and layer4 features; runs inside the caller's tidy. */
export function resnetDilatedFeatures(
  tp: TorchParams,
  prefix: string,
  depth: ResNetDepth,
  x: tf.Tensor4D,
  training: boolean,
): ResNetFeatures {
  let y = torchConv2d(tp, `${prefix}.conv1`, x, { out: 64, kernel: 7, stride: 2, inputGrad: false })
  y = torchBatchNorm(tp, `${prefix}.bn1`, y, training, TORCH_BN, true)
  // MaxPool2d(3, 2, padding=1) pads with −∞; after the ReLU every value is ≥ 0, so zero padding and a
  // 'valid' pool give the same maxima (and the same output size, floor((H + 2 − 3) / 2) + 1).
  const padded = y.pad([
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ]) as tf.Tensor4D
  y = tf.maxPool(padded, 3, 2, 'valid')
  let aux: tf.Tensor4D | null = null
  for (const b of resnetBlockPlan(prefix, depth)) {
    y = bottleneck(tp, y, b, training)
    if (b.key === `${prefix}.layer3.${RESNET_BLOCKS[depth][2] - 1}`) aux = y
  }
  if (!aux) throw new Error('resnetDilatedFeatures: the block plan has no layer3')
  return { aux, out: y }
}
