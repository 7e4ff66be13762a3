/**
 * Checkpoints in a run folder:
 *
 *   <run>/run.json                       the TrainConfig the run was started with, and each start
 *                                        (fresh or resumed) with its backend report
 *   <run>/checkpoint.json                {iteration, dir}: the latest complete checkpoint
 *   <run>/checkpoints/000008/model.json  + weights.bin: every model variable (engine weights IO)
 *   <run>/checkpoints/000008/optimizer/  model.json + weights.bin: optimiser slots by "<var>/<slot>"
 *   <run>/checkpoints/000008/state.json  iteration, optimiser kind + step, data-order seed, loss history
 *
 * A checkpoint is written into a temp folder and renamed into place, and only then does checkpoint.json
 * (written atomically) point at it: a process killed at any moment leaves the previous checkpoint usable.
 */
import * as crypto from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { applyWeights, fileHandler, loadNamedWeights, saveParams } from '../models/weights-io'
import type { SegmentationModel } from '../models/segnet'
import type { SgdMomentum } from '../train/optimizers'
import { fsyncDir, writeFileAtomic } from '../../files/atomic-file'
import { RUN_IDENTITY_FIELDS, type TrainConfig } from './train-config'
import { makeDirSync } from '../../files/make-dir'
import {
  CheckpointError,
  checkpointDirName,
  latestCheckpoint,
  POINTER_FILE,
  readCheckpointJson as readJson,
  readRunFile,
  RUN_FILE,
  RunJson,
  STATE_FILE,
  type CheckpointState,
  type LossPoint,
  type RunFile,
  type RunStart,
} from './checkpoint-files'

export { CheckpointError, checkpointDirName, latestCheckpoint, readRunFile }
export type { CheckpointState, LossPoint, RunFile, RunStart }

const OPTIMIZER_DIR = 'optimizer'

export function writeRunFile(config: TrainConfig): void {
  const existing = path.join(config.runDir, RUN_FILE)
  if (fs.existsSync(existing)) {
    // Starting over here would mix this run's checkpoints with the old one's.
    throw new CheckpointError(existing, 'this folder already holds a run: resume it or use a new run folder')
  }
  makeDirSync(config.runDir)
  writeFileAtomic(path.join(config.runDir, RUN_FILE), JSON.stringify({ version: 1, config }, null, 2))
}

/**
 * Appends a start to run.json (atomically), so the run's record says which backend and device trained
 * each stretch of it — a resumed run may land on another machine or backend.
 */
export function recordRunStart(runDir: string, start: RunStart): void {
  const file = path.join(runDir, RUN_FILE)
  const run = readJson(file, RunJson)
  const next: RunFile = { ...run, starts: [...(run.starts ?? []), start] }
  writeFileAtomic(file, JSON.stringify(next, null, 2))
}

/** Reads run.json and checks the new config continues the same run (same seed, schedule, shapes). */
export function checkResumable(config: TrainConfig): void {
  const file = path.join(config.runDir, RUN_FILE)
  const saved = readJson(file, RunJson).config
  const show = (v: unknown): string => (typeof v === 'object' ? JSON.stringify(v) : String(v))
  const differ = RUN_IDENTITY_FIELDS.filter((k) => show(saved[k]) !== show(config[k]))
  if (differ.length) {
    const what = differ.map((k) => `${k} ${show(saved[k])} → ${show(config[k])}`).join(', ')
    throw new CheckpointError(file, `cannot resume with a different configuration (${what})`)
  }
}

export interface SaveCheckpointArgs {
  runDir: string
  model: SegmentationModel
  optimizer: SgdMomentum
  state: CheckpointState
}

/** Writes a complete checkpoint, then points checkpoint.json at it. Returns the checkpoint folder. */
export async function saveCheckpoint(a: SaveCheckpointArgs): Promise<string> {
  const root = path.join(a.runDir, 'checkpoints')
  makeDirSync(root)
  const name = checkpointDirName(a.state.iteration)
  const tmp = path.join(root, `.tmp-${name}-${crypto.randomBytes(4).toString('hex')}`)
  const final = path.join(root, name)
  try {
    await saveParams(tmp, a.model.params, { iteration: a.state.iteration })
    const opt = a.optimizer.getState()
    try {
      const { data, specs } = await tf.io.encodeWeights(opt.slots)
      await fileHandler(path.join(tmp, OPTIMIZER_DIR)).save({
        format: 'pss-studio-optimizer',
        weightSpecs: specs,
        weightData: data,
      })
    } finally {
      tf.dispose(Object.values(opt.slots))
    }
    const state: CheckpointState = { ...a.state, optimizer: { kind: 'sgd', step: opt.step } }
    writeFileAtomic(path.join(tmp, STATE_FILE), JSON.stringify(state))
    fsyncDir(path.join(tmp, OPTIMIZER_DIR))
    fsyncDir(tmp)
    // A resumed run rewrites the checkpoints after its start point; the old folder is superseded.
    fs.rmSync(final, { recursive: true, force: true })
    fs.renameSync(tmp, final)
    fsyncDir(root)
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true })
    throw e
  }
  const pointer = { iteration: a.state.iteration, dir: `checkpoints/${name}` }
  writeFileAtomic(path.join(a.runDir, POINTER_FILE), JSON.stringify(pointer))
  return final
}

/** Removes temp folders of checkpoints a killed process left half-written (never a complete one). */
export function removeUnfinishedCheckpoints(runDir: string): void {
  const root = path.join(runDir, 'checkpoints')
  if (!fs.existsSync(root)) return
  for (const name of fs.readdirSync(root)) {
    if (name.startsWith('.tmp-')) fs.rmSync(path.join(root, name), { recursive: true, force: true })
  }
}

export async function restoreCheckpoint(
  dir: string,
  state: CheckpointState,
  model: SegmentationModel,
  optimizer: SgdMomentum,
): Promise<void> {
  const w = await loadNamedWeights(dir)
  try {
    applyWeights(model.params, w.tensors, true)
  } finally {
    tf.dispose(Object.values(w.tensors))
  }
  const o = await loadNamedWeights(path.join(dir, OPTIMIZER_DIR))
  // setState makes variables that share the tensors' data, so these handles are released after.
  optimizer.setState({ kind: 'sgd', step: state.optimizer.step, slots: o.tensors })
  tf.dispose(Object.values(o.tensors))
}
