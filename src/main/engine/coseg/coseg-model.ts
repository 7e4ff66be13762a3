/**
 * The two maps co-segmentation needs from a trained segmentation net, in one eval-mode pass: the main
 * logits and the feature map the classifier reads (the PSP output, stride 8). The classifier is a 1×1
 * convolution of that map, so the features are exactly what the activation is a linear function of.
 *
 * SegNet exposes logits only; for the networks runs train here (compact ResNet + PSP, no group context:
 * what loadRunModel builds) the same named parameters are applied in SegNet.forward's order, and a test
 * checks that the logits equal model.forward's.
 */
import * as tf from '@tensorflow/tfjs'
import { compactResnet } from '../models/compact-resnet'
import { contextOf } from '../models/config'
import { classifier, pspModule } from '../models/heads'
import type { SegmentationModel } from '../models/segnet'

export interface FeaturesAndLogits {
  /** [N, H/8, W/8, numClasses] */
  logits: tf.Tensor4D
  /** [N, H/8, W/8, D] */
  features: tf.Tensor4D
}

/** Why a model cannot be used for co-segmentation, or null when it can. */
export function cosegModelIssue(model: SegmentationModel): string | null {
  const c = model.config
  if (c.backbone.kind !== 'resnet-compact')
    return `co-segmentation supports the compact ResNet backbone, not ${c.backbone.kind}`
  if (contextOf(c).variant !== 'none') return 'co-segmentation needs a model without the group context module'
  return null
}

/** Normalised images [N,H,W,3] (H, W multiples of 8) → logits and features (caller disposes both). */
export function featuresAndLogits(model: SegmentationModel, x: tf.Tensor4D): FeaturesAndLogits {
  const issue = cosegModelIssue(model)
  if (issue) throw new Error(issue)
  const c = model.config
  if (c.backbone.kind !== 'resnet-compact') throw new Error('unreachable: checked above')
  const width = c.backbone.width
  const [features, logits] = tf.tidy(() => {
    const f = compactResnet(model.params, x, width, false)
    const outC = c.psp.channels ?? f.mid.shape[3]
    const p = pspModule(model.params, f.out, c.psp.bins, outC, false)
    return [p, classifier(model.params, p, c.numClasses)]
  })
  return { logits: logits as tf.Tensor4D, features: features as tf.Tensor4D }
}
