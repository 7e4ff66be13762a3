/**
 * A compact ResNet backbone for CPU machines, dilated to output stride 8 like the paper's ResNet-50:
 *   stem      conv1 3×3/2 (w) → conv1b 3×3 (w)                          stride 2
 *   conv2     basic block, 2w, stride 2                                  stride 4
 *   conv3     basic block, 4w, stride 2                                  stride 8
 *   conv4     basic block, 4w, dilation 2 (atrous, no stride)            stride 8  → aux head
 *   conv5     basic block, 8w, dilation 4                                stride 8  → PSP head
 * A basic block is 3×3 conv-BN-ReLU → 3×3 conv-BN, plus the shortcut (1×1 conv-BN when the shape changes),
 * then ReLU. Layer names follow Keras Applications' ResNet ("conv2_block1_1_conv", "conv2_block1_0_bn"…).
 */
import * as tf from '@tensorflow/tfjs'
import { convBn } from './layers'
import type { ParamStore } from './params'

export interface BackboneFeatures {
  /** Stride-8 features of the stage before the last (aux head input). */
  mid: tf.Tensor4D
  /** Stride-8 features of the last stage (PSP input). */
  out: tf.Tensor4D
}

export interface CompactStage {
  name: string
  filters: number
  stride: number
  rate: number
}

export function compactStages(width: number): CompactStage[] {
  return [
    { name: 'conv2', filters: 2 * width, stride: 2, rate: 1 },
    { name: 'conv3', filters: 4 * width, stride: 2, rate: 1 },
    { name: 'conv4', filters: 4 * width, stride: 1, rate: 2 },
    { name: 'conv5', filters: 8 * width, stride: 1, rate: 4 },
  ]
}

function basicBlock(
  ps: ParamStore,
  name: string,
  x: tf.Tensor4D,
  st: CompactStage,
  training: boolean,
): tf.Tensor4D {
  const cin = x.shape[3]
  const a = convBn(ps, `${name}_1`, x, training, {
    filters: st.filters,
    kernel: 3,
    stride: st.stride,
    rate: st.rate,
    relu: true,
  })
  const b = convBn(ps, `${name}_2`, a, training, {
    filters: st.filters,
    kernel: 3,
    rate: st.rate,
    relu: false,
  })
  const shortcut =
    cin === st.filters && st.stride === 1
      ? x
      : convBn(ps, `${name}_0`, x, training, {
          filters: st.filters,
          kernel: 1,
          stride: st.stride,
          relu: false,
        })
  return tf.relu(b.add(shortcut)) as tf.Tensor4D
}

export function compactResnet(
  ps: ParamStore,
  x: tf.Tensor4D,
  width: number,
  training: boolean,
): BackboneFeatures {
  let h = convBn(ps, 'conv1', x, training, {
    filters: width,
    kernel: 3,
    stride: 2,
    relu: true,
    inputGrad: false,
  })
  h = convBn(ps, 'conv1b', h, training, { filters: width, kernel: 3, relu: true })
  const feats: tf.Tensor4D[] = []
  for (const st of compactStages(width)) {
    h = basicBlock(ps, `${st.name}_block1`, h, st, training)
    feats.push(h)
  }
  return { mid: feats[2] as tf.Tensor4D, out: feats[3] as tf.Tensor4D }
}
