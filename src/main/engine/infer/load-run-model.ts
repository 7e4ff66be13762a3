/**
 * Rebuilds a training run's model from its run folder: the architecture from run.json's config (the same
 * construction as the training loop), the weights from the latest complete checkpoint (strict: every
 * parameter must load, so a mismatched checkpoint fails instead of predicting with random weights).
 */
import * as tf from '@tensorflow/tfjs'
import { SHAPE_CLASSES } from '../data/synthetic-shapes'
import { createModel } from '../models/registry'
import type { SegmentationModel } from '../models/segnet'
import { applyWeights, loadNamedWeights } from '../models/weights-io'
import { latestCheckpoint, readRunFile } from '../runs/checkpoint'
import type { TrainConfig } from '../runs/train-config'

export interface RunModel {
  model: SegmentationModel
  /** Square input side the run trained at; images are resized to it. */
  size: number
  numClasses: number
  /** Iteration of the checkpoint that was loaded. */
  iteration: number
  checkpointDir: string
}

export function runNumClasses(config: TrainConfig): number {
  return config.data.kind === 'files' ? config.data.numClasses : SHAPE_CLASSES
}

export async function loadRunModel(runDir: string): Promise<RunModel> {
  const { config } = readRunFile(runDir)
  const ckpt = latestCheckpoint(runDir)
  if (!ckpt) throw new Error(`${runDir}: the run has no complete checkpoint yet`)
  const numClasses = runNumClasses(config)
  const model = createModel('segnet', {
    backbone: { kind: 'resnet-compact', width: config.width },
    numClasses,
    seed: config.seed,
  })
  try {
    const w = await loadNamedWeights(ckpt.dir)
    try {
      applyWeights(model.params, w.tensors, true)
    } finally {
      tf.dispose(Object.values(w.tensors))
    }
  } catch (e) {
    model.dispose()
    throw new Error(`${ckpt.dir}: cannot load the checkpoint (${e instanceof Error ? e.message : String(e)})`)
  }
  return { model, size: config.size, numClasses, iteration: ckpt.state.iteration, checkpointDir: ckpt.dir }
}
