/**
 * Segmentation heads (paper §2): PSP module (bins 1,2,3,6: adaptive avg-pool → 1×1 conv-BN-ReLU → bilinear
 * up, concatenated with the input → 3×3 conv-BN-ReLU), the main 1×1 classifier (no bias), and the aux head
 * (1×1 conv-BN-ReLU → 1×1 conv with bias) on the stage before the last.
 */
import * as tf from '@tensorflow/tfjs'
import { adaptiveAvgPool, conv, convBn, upsample } from './layers'
import type { ParamStore } from './params'

export function pspModule(
  ps: ParamStore,
  x: tf.Tensor4D,
  bins: readonly number[],
  outChannels: number,
  training: boolean,
): tf.Tensor4D {
  const [, h, w, c] = x.shape
  const branchC = Math.max(1, Math.floor(c / bins.length))
  const parts: tf.Tensor4D[] = [x]
  for (const b of bins) {
    const pooled = adaptiveAvgPool(x, b)
    const y = convBn(ps, `psp_pool${b}`, pooled, training, { filters: branchC, kernel: 1, relu: true })
    parts.push(upsample(y, h, w))
  }
  const cat = tf.concat(parts, 3)
  return convBn(ps, 'psp_bottleneck', cat, training, { filters: outChannels, kernel: 3, relu: true })
}

export function classifier(ps: ParamStore, x: tf.Tensor4D, numClasses: number): tf.Tensor4D {
  return conv(ps, 'classifier', x, { filters: numClasses, kernel: 1, bias: false })
}

export function auxHead(ps: ParamStore, x: tf.Tensor4D, numClasses: number, training: boolean): tf.Tensor4D {
  const c = x.shape[3]
  const h = convBn(ps, 'aux_1', x, training, { filters: c, kernel: 1, relu: true })
  return conv(ps, 'aux_classifier', h, { filters: numClasses, kernel: 1, bias: true })
}
