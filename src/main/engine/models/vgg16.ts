/**
 * VGG-16-BN, the paper's second backbone (docs/method.md §2: conv1–pool3 give stride 8, then the conv4 block),
 * kept at output stride 8 the DeepLab way: pool4 and pool5 are dropped and block5's 3×3 convs use
 * dilation 2, so block5 sees the same receptive field it had at stride 16 and ImageNet block5 weights stay
 * meaningful. block4 (512 ch) feeds the aux head and block5 (512 ch) the PSP head, mirroring ResNet's
 * layer3/layer4 split, so every backbone offers the same { mid, out } pair to the heads.
 *
 *   block1  2 × conv 3×3  64  → max-pool 2×2/2     stride 2
 *   block2  2 × conv 3×3 128  → max-pool 2×2/2     stride 4
 *   block3  3 × conv 3×3 256  → max-pool 2×2/2     stride 8
 *   block4  3 × conv 3×3 512  (no pool)            stride 8  → mid (aux head)
 *   block5  3 × conv 3×3 512, dilation 2           stride 8  → out (PSP)
 *
 * Names: the convs carry tf.keras.applications.VGG16's names and shapes exactly ("block1_conv1/kernel"
 * [3,3,3,64], "block1_conv1/bias" [64]; every conv has a bias, as in Keras and torchvision's vgg16_bn), so
 * Keras ImageNet conv weights converted with tensorflowjs_converter load by name. Keras' VGG16 has no
 * batch norm; ours sits after each conv (conv → BN → ReLU, torchvision's order) and is named after its conv
 * with a `_bn` suffix ("block1_conv1_bn/gamma", …/beta, …/moving_mean, …/moving_variance). Loading Keras'
 * (BN-free) weights therefore reports the BN parameters as missing; they start at the identity
 * (γ=1, β=0, mean 0, var 1).
 */
import * as tf from '@tensorflow/tfjs'
import { batchNorm, conv } from './layers'
import type { ParamStore } from './params'
import type { BackboneFeatures } from './compact-resnet'

export interface VggBlock {
  name: string
  convs: number
  filters: number
  /** 2×2/2 max-pool after the block. */
  pool: boolean
  rate: number
}

/** Output stride 8: pools after block1..block3 only, block5 dilated by 2. */
export const VGG16_OS8: readonly VggBlock[] = [
  { name: 'block1', convs: 2, filters: 64, pool: true, rate: 1 },
  { name: 'block2', convs: 2, filters: 128, pool: true, rate: 1 },
  { name: 'block3', convs: 3, filters: 256, pool: true, rate: 1 },
  { name: 'block4', convs: 3, filters: 512, pool: false, rate: 1 },
  { name: 'block5', convs: 3, filters: 512, pool: false, rate: 2 },
]

/** PyTorch BatchNorm2d defaults (torchvision's vgg16_bn). */
const VGG_BN = { momentum: 0.1, epsilon: 1e-5 }

export function vgg16Bn(ps: ParamStore, x: tf.Tensor4D, training: boolean): BackboneFeatures {
  let h = x
  const outs: tf.Tensor4D[] = []
  for (const b of VGG16_OS8) {
    for (let i = 1; i <= b.convs; i++) {
      const name = `${b.name}_conv${i}`
      const y = conv(ps, name, h, {
        filters: b.filters,
        kernel: 3,
        rate: b.rate,
        bias: true,
        // The very first conv sees the image: no input gradient needed.
        inputGrad: b.name !== 'block1' || i !== 1,
      })
      h = batchNorm(ps, `${name}_bn`, y, training, true, VGG_BN)
    }
    // Keras and torchvision: MaxPool 2×2, stride 2, 'valid' (inputs are multiples of 8, so nothing is cut).
    if (b.pool) h = tf.maxPool(h, 2, 2, 'valid')
    outs.push(h)
  }
  return { mid: outs[3] as tf.Tensor4D, out: outs[4] as tf.Tensor4D }
}
