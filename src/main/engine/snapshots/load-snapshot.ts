/**
 * Rebuilds a stage's network from its run folder (run.json: a supervised training run or an adaptation
 * run, with the group context module when it has one) and loads one snapshot's weights into it (strict:
 * a snapshot that does not fit the network fails instead of predicting with random weights).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { SegmentationModel } from '../models/segnet'
import { loadCheckpointWeights, runSpec } from '../infer/load-run-model'
import { snapshotDirName } from './list-snapshots'

export interface StageModel {
  kind: 'train' | 'adapt'
  model: SegmentationModel
  /** Square input side the stage trained at. */
  size: number
  numClasses: number
}

export function buildStageModel(stageDir: string): StageModel {
  if (!fs.existsSync(path.join(stageDir, 'run.json')))
    throw new Error(`${stageDir}: the stage has no run.json`)
  const spec = runSpec(stageDir)
  return { kind: spec.kind, model: spec.build(), size: spec.size, numClasses: spec.numClasses }
}

/** Loads snapshot `iteration` of the stage into the model. */
export async function loadSnapshot(
  stageDir: string,
  iteration: number,
  model: SegmentationModel,
): Promise<void> {
  const dir = path.join(stageDir, 'checkpoints', snapshotDirName(iteration))
  if (!fs.existsSync(path.join(dir, 'state.json')))
    throw new Error(`${dir}: no complete snapshot at iteration ${iteration}`)
  try {
    await loadCheckpointWeights(model, dir)
  } catch (e) {
    throw new Error(
      `${dir}: the snapshot cannot be loaded into the stage's network (${e instanceof Error ? e.message : String(e)})`,
    )
  }
}
