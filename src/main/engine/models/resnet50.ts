/**
 * ResNet-50 (v1, as Keras Applications builds it) dilated to output stride 8, the paper's backbone:
 * conv4 and conv5 keep stride 1 and use dilation 2 and 4 in their 3×3 convs (docs/method.md §2).
 *
 * Layer names, biases and BN epsilon follow tf.keras.applications.ResNet50 exactly ("conv1_conv",
 * "conv2_block1_1_conv", "conv2_block1_0_bn", …; every conv has a bias; BN ε = 1.001e-5; the stride sits on
 * the first 1×1 conv of a stage), so ImageNet weights converted with tensorflowjs_converter load by name.
 * Keras' stem is used (7×7 conv, 3×3 max-pool); the released PSS code's "deep stem" has no Keras weights.
 */
import * as tf from '@tensorflow/tfjs'
import { batchNorm, conv } from './layers'
import type { ParamStore } from './params'
import type { BackboneFeatures } from './compact-resnet'

const KERAS_BN = { momentum: 0.01, epsilon: 1.001e-5 }

interface Stage {
  name: string
  blocks: number
  filters: number
  stride: number
  rate: number
}

/** Output stride 8: conv4 rate 2, conv5 rate 4, no striding after conv3. */
export const RESNET50_OS8: readonly Stage[] = [
  { name: 'conv2', blocks: 3, filters: 64, stride: 1, rate: 1 },
  { name: 'conv3', blocks: 4, filters: 128, stride: 2, rate: 1 },
  { name: 'conv4', blocks: 6, filters: 256, stride: 1, rate: 2 },
  { name: 'conv5', blocks: 3, filters: 512, stride: 1, rate: 4 },
]

function convBnKeras(
  ps: ParamStore,
  name: string,
  x: tf.Tensor4D,
  training: boolean,
  o: { filters: number; kernel: number; stride?: number; rate?: number; relu: boolean; inputGrad?: boolean },
): tf.Tensor4D {
  const y = conv(ps, `${name}_conv`, x, {
    filters: o.filters,
    kernel: o.kernel,
    stride: o.stride,
    rate: o.rate,
    bias: true,
    inputGrad: o.inputGrad,
  })
  return batchNorm(ps, `${name}_bn`, y, training, o.relu, KERAS_BN)
}

function bottleneck(
  ps: ParamStore,
  name: string,
  x: tf.Tensor4D,
  f: number,
  stride: number,
  rate: number,
  first: boolean,
  training: boolean,
): tf.Tensor4D {
  const shortcut = first
    ? convBnKeras(ps, `${name}_0`, x, training, { filters: 4 * f, kernel: 1, stride, relu: false })
    : x
  let h = convBnKeras(ps, `${name}_1`, x, training, { filters: f, kernel: 1, stride, relu: true })
  h = convBnKeras(ps, `${name}_2`, h, training, { filters: f, kernel: 3, rate, relu: true })
  h = convBnKeras(ps, `${name}_3`, h, training, { filters: 4 * f, kernel: 1, relu: false })
  return tf.relu(h.add(shortcut)) as tf.Tensor4D
}

export function resnet50Dilated(ps: ParamStore, x: tf.Tensor4D, training: boolean): BackboneFeatures {
  let h = convBnKeras(ps, 'conv1', x, training, {
    filters: 64,
    kernel: 7,
    stride: 2,
    relu: true,
    inputGrad: false,
  })
  // Keras: ZeroPadding2D(1) then MaxPool 3×3/2 'valid' (zeros are safe after the ReLU).
  h = tf.maxPool(
    h.pad([
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]) as tf.Tensor4D,
    3,
    2,
    'valid',
  )
  const feats: tf.Tensor4D[] = []
  for (const st of RESNET50_OS8) {
    for (let b = 1; b <= st.blocks; b++) {
      h = bottleneck(
        ps,
        `${st.name}_block${b}`,
        h,
        st.filters,
        b === 1 ? st.stride : 1,
        st.rate,
        b === 1,
        training,
      )
    }
    feats.push(h)
  }
  return { mid: feats[2] as tf.Tensor4D, out: feats[3] as tf.Tensor4D }
}
