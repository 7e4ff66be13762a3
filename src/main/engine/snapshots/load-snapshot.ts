/**
 * Rebuilds a stage's network from its run folder (run.json: a supervised training run or an adaptation
 * run, with the group context module when it has one) and loads one snapshot's weights into it (strict:
 * a snapshot that does not fit the network fails instead of predicting with random weights).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { readAdaptRunFile } from '../methods/adapt-checkpoint'
import { contextFor } from '../methods/adapt-config'
import { createModel } from '../models/registry'
import type { SegmentationModel } from '../models/segnet'
import { applyWeights, loadNamedWeights } from '../models/weights-io'
import { readRunFile } from '../runs/checkpoint'
import { runNumClasses } from '../infer/load-run-model'
import { snapshotDirName } from './list-snapshots'

export interface StageModel {
  kind: 'train' | 'adapt'
  model: SegmentationModel
  /** Square input side the stage trained at. */
  size: number
  numClasses: number
}

function isAdaptationFolder(stageDir: string): boolean {
  const file = path.join(stageDir, 'run.json')
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (e) {
    throw new Error(`${file}: cannot read the stage's run file (${e instanceof Error ? e.message : String(e)})`)
  }
  return typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'adaptation'
}

export function buildStageModel(stageDir: string): StageModel {
  if (isAdaptationFolder(stageDir)) {
    const { config } = readAdaptRunFile(stageDir)
    const ctx = contextFor(config)
    const model = createModel('segnet', {
      backbone: { kind: 'resnet-compact', width: config.width },
      numClasses: config.numClasses,
      seed: config.seed,
      ...(ctx.variant === 'none' ? {} : { context: ctx }),
    })
    return { kind: 'adapt', model, size: config.size, numClasses: config.numClasses }
  }
  const { config } = readRunFile(stageDir)
  const numClasses = runNumClasses(config)
  const model = createModel('segnet', {
    backbone: { kind: 'resnet-compact', width: config.width },
    numClasses,
    seed: config.seed,
  })
  return { kind: 'train', model, size: config.size, numClasses }
}

/** Loads snapshot `iteration` of the stage into the model. */
export async function loadSnapshot(stageDir: string, iteration: number, model: SegmentationModel): Promise<void> {
  const dir = path.join(stageDir, 'checkpoints', snapshotDirName(iteration))
  if (!fs.existsSync(path.join(dir, 'state.json'))) throw new Error(`${dir}: no complete snapshot at iteration ${iteration}`)
  let w: Awaited<ReturnType<typeof loadNamedWeights>>
  try {
    w = await loadNamedWeights(dir)
  } catch (e) {
    throw new Error(`${dir}: cannot read the snapshot (${e instanceof Error ? e.message : String(e)})`)
  }
  try {
    applyWeights(model.params, w.tensors, true)
  } catch (e) {
    throw new Error(`${dir}: the snapshot does not fit the stage's network (${e instanceof Error ? e.message : String(e)})`)
  } finally {
    tf.dispose(Object.values(w.tensors))
  }
}
