/**
 * The two maps co-segmentation needs from a trained segmentation net, in one eval-mode pass: the main
 * logits and the feature map the classifier reads (stride 8). The classifier is a 1×1 convolution of that
 * map, so the features are exactly what the activation is a linear function of.
 */
import type * as tf from '@tensorflow/tfjs'
import { contextOf } from '../models/config'
import type { SegmentationModel } from '../models/segnet'

export interface FeaturesAndLogits {
  /** [N, H/8, W/8, numClasses] */
  logits: tf.Tensor4D
  /** [N, H/8, W/8, D] */
  features: tf.Tensor4D
}

/** Why a model cannot be used for co-segmentation, or null when it can. */
export function cosegModelIssue(model: SegmentationModel): string | null {
  // With the group context an image's features depend on the other images of its batch; co-segmentation
  // compares features across a group, which needs them per image.
  if (contextOf(model.config).variant !== 'none')
    return 'co-segmentation needs a model without the group context module'
  if (!model.featuresAndLogits) return 'this model does not expose its feature map'
  return null
}

/** Normalised images [N,H,W,3] (H, W multiples of 8) → logits and features (caller disposes both). */
export function featuresAndLogits(model: SegmentationModel, x: tf.Tensor4D): FeaturesAndLogits {
  const issue = cosegModelIssue(model)
  if (issue || !model.featuresAndLogits) throw new Error(issue ?? 'no feature map')
  return model.featuresAndLogits(x)
}
