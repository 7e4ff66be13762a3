/**
 * Rebuilds a training run's model from its run folder: the architecture from run.json's config (the same
 * construction as the training loop), the weights from the latest complete checkpoint (strict: every
 * parameter must load, so a mismatched checkpoint fails instead of predicting with random weights).
 * An adaptation run (run.json kind 'adaptation', see methods/adapt-checkpoint.ts) loads the same way,
 * with its group context module when it has one, so TTA / CRF apply to every run type.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { latestAdaptCheckpoint, readAdaptRunFile } from '../methods/adapt-checkpoint'
import { contextFor } from '../methods/adapt-config'
import {
  adaptArchitecture,
  buildSegmenter,
  loadTorchCheckpoint,
  pthSourceSpec,
} from '../methods/build-segmenter'
import { SHAPE_CLASSES } from '../data/synthetic-shapes'
import { createModel } from '../models/registry'
import type { SegmentationModel } from '../models/segnet'
import { applyWeights, loadNamedWeights } from '../models/weights-io'
import { latestCheckpoint, readRunFile } from '../runs/checkpoint'
import type { TrainConfig } from '../runs/train-config'
import { snapshotDirName } from '../snapshots/list-snapshots'

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

function isAdaptationRun(runDir: string): boolean {
  try {
    const raw: unknown = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'))
    return typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'adaptation'
  } catch {
    return false // readRunFile below names the file and the problem
  }
}

/** What a run folder says about its network: input side, classes, latest checkpoint, how to build it. */
export interface RunSpec {
  kind: 'train' | 'adapt'
  size: number
  numClasses: number
  ckpt: { dir: string; state: { iteration: number } } | null
  build(): SegmentationModel
}

/** An adaptation run: the network with its group context module when it has one. */
function adaptationSpec(runDir: string): RunSpec {
  const { config } = readAdaptRunFile(runDir)
  const ctx = contextFor(config)
  return {
    kind: 'adapt',
    size: config.size,
    numClasses: config.numClasses,
    ckpt: latestAdaptCheckpoint(runDir),
    // The run's own network: SegNet, or the torchvision model its init (a .pth, or its stage-1 run) names.
    build: () =>
      buildSegmenter(adaptArchitecture(config), {
        width: config.width,
        numClasses: config.numClasses,
        seed: config.seed,
        context: ctx,
      }),
  }
}

function trainingSpec(runDir: string): RunSpec {
  const { config } = readRunFile(runDir)
  const numClasses = runNumClasses(config)
  return {
    kind: 'train',
    size: config.size,
    numClasses,
    ckpt: latestCheckpoint(runDir),
    build: () =>
      createModel('segnet', {
        backbone: { kind: 'resnet-compact', width: config.width },
        numClasses,
        seed: config.seed,
      }),
  }
}

/** The network a run folder (training or adaptation run) describes, and its latest checkpoint. */
export function runSpec(runDir: string): RunSpec {
  // An imported PyTorch model used as a run's source (methods/source-model.ts): its .pth is its checkpoint.
  const imported = pthSourceSpec(runDir)
  if (imported) return imported
  return isAdaptationRun(runDir) ? adaptationSpec(runDir) : trainingSpec(runDir)
}

/** Snapshot `iteration` of a run folder (a complete checkpoint: state.json written last). */
function snapshotCheckpoint(
  runDir: string,
  iteration: number,
): { dir: string; state: { iteration: number } } {
  const dir = path.join(runDir, 'checkpoints', snapshotDirName(iteration))
  if (!fs.existsSync(path.join(dir, 'state.json')))
    throw new Error(`${dir}: no complete snapshot at iteration ${iteration}`)
  return { dir, state: { iteration } }
}

/** Loads a checkpoint folder's weights into the model, strictly (every parameter must load). */
export async function loadCheckpointWeights(model: SegmentationModel, checkpointDir: string): Promise<void> {
  if (await loadTorchCheckpoint(model, checkpointDir)) return
  const w = await loadNamedWeights(checkpointDir)
  try {
    applyWeights(model.params, w.tensors, true)
  } finally {
    tf.dispose(Object.values(w.tensors))
  }
}

/**
 * The run's model with its latest checkpoint, or with snapshot `iteration` (<runDir>/checkpoints/<iteration>/,
 * the one a run's snapshot selection chose) when given.
 */
export async function loadRunModel(runDir: string, iteration: number | null = null): Promise<RunModel> {
  const spec = runSpec(runDir)
  const { size, numClasses, build } = spec
  const ckpt = iteration === null ? spec.ckpt : snapshotCheckpoint(runDir, iteration)
  if (!ckpt) throw new Error(`${runDir}: the run has no complete checkpoint yet`)
  const model = build()
  try {
    await loadCheckpointWeights(model, ckpt.dir)
  } catch (e) {
    model.dispose()
    throw new Error(`${ckpt.dir}: cannot load the checkpoint (${e instanceof Error ? e.message : String(e)})`)
  }
  return { model, size, numClasses, iteration: ckpt.state.iteration, checkpointDir: ckpt.dir }
}
