/**
 * Checkpoints of an adaptation run (same folder discipline as runs/checkpoint.ts: written into a temp
 * folder, renamed into place, and only then pointed at by checkpoint.json, all atomically):
 *
 *   <run>/run.json                        {version, kind: 'adaptation', config, starts}
 *   <run>/checkpoint.json                 {iteration, dir}
 *   <run>/checkpoints/000100/model.json   + weights.bin: the segmenter (loads like any engine checkpoint)
 *   <run>/checkpoints/000100/d_main/      the discriminators, when the method has them
 *   <run>/checkpoints/000100/d_aux/
 *   <run>/checkpoints/000100/optimizer/   every optimiser slot, keyed "<seg|d_main|d_aux>:<var>/<slot>"
 *   <run>/checkpoints/000100/state.json   iteration, optimiser steps, loss history (all terms), and the
 *                                         model's dropout RNG state (group context module) when it has one
 */
import * as crypto from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import { fsyncDir, writeFileAtomic } from '../../files/atomic-file'
import { applyWeights, fileHandler, loadNamedWeights, saveParams } from '../models/weights-io'
import type { ParamStore } from '../models/params'
import type { Discriminator } from '../models/discriminator'
import type { SegmentationModel } from '../models/segnet'
import type { Adam, SgdMomentum } from '../train/optimizers'
import { checkpointDirName, CheckpointError, readCheckpointJson } from '../runs/checkpoint-files'
import { ADAPT_IDENTITY_FIELDS, type AdaptConfig } from './adapt-config'
import { makeDirSync } from '../../files/make-dir'
import {
  AdaptLossPoint,
  latestAdaptCheckpoint,
  POINTER_FILE,
  readAdaptRunFile,
  RUN_FILE,
  RunJson,
  RunStart,
  STATE_FILE,
  type AdaptRunFile,
  type AdaptState,
} from './adapt-run-file'

export { AdaptLossPoint, latestAdaptCheckpoint, readAdaptRunFile, type AdaptRunFile, type AdaptState }

const OPTIMIZER_DIR = 'optimizer'
export const D_MAIN_DIR = 'd_main'
export const D_AUX_DIR = 'd_aux'

export function writeAdaptRunFile(config: AdaptConfig): void {
  const file = path.join(config.runDir, RUN_FILE)
  if (fs.existsSync(file)) {
    throw new CheckpointError(file, 'this folder already holds a run: resume it or use a new run folder')
  }
  makeDirSync(config.runDir)
  writeFileAtomic(file, JSON.stringify({ version: 1, kind: 'adaptation', config }, null, 2))
}

export function recordAdaptStart(runDir: string, start: z.infer<typeof RunStart>): void {
  const file = path.join(runDir, RUN_FILE)
  const run = readCheckpointJson(file, RunJson)
  writeFileAtomic(file, JSON.stringify({ ...run, starts: [...(run.starts ?? []), start] }, null, 2))
}

/** Checks that `config` continues the run saved in its folder. */
export function checkAdaptResumable(config: AdaptConfig): void {
  const saved = readAdaptRunFile(config.runDir).config
  const show = (v: unknown): string => JSON.stringify(v ?? null)
  const differ = ADAPT_IDENTITY_FIELDS.filter((k) => show(saved[k]) !== show(config[k]))
  if (differ.length) {
    throw new CheckpointError(
      path.join(config.runDir, RUN_FILE),
      `cannot resume with a different configuration (${differ.join(', ')} changed)`,
    )
  }
}

export interface AdaptSaveArgs {
  runDir: string
  model: SegmentationModel
  dMain: Discriminator | null
  dAux: Discriminator | null
  seg: SgdMomentum
  dMainOpt: Adam | null
  dAuxOpt: Adam | null
  iteration: number
  losses: AdaptLossPoint[]
}

export async function saveAdaptCheckpoint(a: AdaptSaveArgs): Promise<string> {
  const root = path.join(a.runDir, 'checkpoints')
  makeDirSync(root)
  const name = checkpointDirName(a.iteration)
  const tmp = path.join(root, `.tmp-${name}-${crypto.randomBytes(4).toString('hex')}`)
  const final = path.join(root, name)
  try {
    await saveParams(tmp, a.model.params, { iteration: a.iteration })
    if (a.dMain) await saveParams(path.join(tmp, D_MAIN_DIR), a.dMain.params)
    if (a.dAux) await saveParams(path.join(tmp, D_AUX_DIR), a.dAux.params)
    const slots: Record<string, tf.Tensor> = {}
    const states = [
      ['seg', a.seg.getState()],
      ['d_main', a.dMainOpt?.getState() ?? null],
      ['d_aux', a.dAuxOpt?.getState() ?? null],
    ] as const
    try {
      for (const [prefix, s] of states)
        if (s) for (const [k, t] of Object.entries(s.slots)) slots[`${prefix}:${k}`] = t
      const { data, specs } = await tf.io.encodeWeights(slots)
      await fileHandler(path.join(tmp, OPTIMIZER_DIR)).save({
        format: 'pss-studio-optimizer',
        weightSpecs: specs,
        weightData: data,
      })
    } finally {
      tf.dispose(Object.values(slots))
    }
    const state: AdaptState = {
      version: 1,
      kind: 'adaptation',
      iteration: a.iteration,
      steps: { seg: a.seg.iterations, dMain: a.dMainOpt?.iterations ?? 0, dAux: a.dAuxOpt?.iterations ?? 0 },
      losses: a.losses,
    }
    const dropout = a.model.dropoutState?.() ?? null
    if (dropout !== null) state.rng = { dropout }
    writeFileAtomic(path.join(tmp, STATE_FILE), JSON.stringify(state))
    fsyncDir(path.join(tmp, OPTIMIZER_DIR))
    fsyncDir(tmp)
    fs.rmSync(final, { recursive: true, force: true })
    fs.renameSync(tmp, final)
    fsyncDir(root)
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true })
    throw e
  }
  writeFileAtomic(
    path.join(a.runDir, POINTER_FILE),
    JSON.stringify({ iteration: a.iteration, dir: `checkpoints/${name}` }),
  )
  return final
}

/** Loads a weights folder into a store; returns the names the folder did not have. */
export async function loadInto(dir: string, params: ParamStore, strict: boolean): Promise<string[]> {
  const w = await loadNamedWeights(dir)
  try {
    return applyWeights(params, w.tensors, strict).missing
  } finally {
    tf.dispose(Object.values(w.tensors))
  }
}

export interface AdaptRestoreTargets {
  model: SegmentationModel
  dMain: Discriminator | null
  dAux: Discriminator | null
  seg: SgdMomentum
  dMainOpt: Adam | null
  dAuxOpt: Adam | null
}

/**
 * Restores weights, discriminators, optimiser slots and the dropout RNG of a checkpoint (strict: it is this
 * run's own). Returns notes on what could not be restored exactly (an older checkpoint without the RNG
 * state resumes with the dropout sequence from its seed: the run continues, but not bit-exactly).
 */
export async function restoreAdaptCheckpoint(
  dir: string,
  state: AdaptState,
  t: AdaptRestoreTargets,
): Promise<{ file: string; reason: string }[]> {
  const notes: { file: string; reason: string }[] = []
  const hasDropout = (t.model.dropoutState?.() ?? null) !== null
  if (hasDropout) {
    if (state.rng) t.model.setDropoutState?.(state.rng.dropout)
    else
      notes.push({
        file: path.join(dir, STATE_FILE),
        reason:
          "this checkpoint predates the saved dropout RNG state: the group context's dropout restarts from " +
          'the run seed, so the resumed run continues but is not bit-identical to an uninterrupted one',
      })
  }
  await loadInto(dir, t.model.params, true)
  if (t.dMain) await loadInto(path.join(dir, D_MAIN_DIR), t.dMain.params, true)
  if (t.dAux) await loadInto(path.join(dir, D_AUX_DIR), t.dAux.params, true)
  const o = await loadNamedWeights(path.join(dir, OPTIMIZER_DIR))
  try {
    const pick = (prefix: string): Record<string, tf.Tensor> => {
      const out: Record<string, tf.Tensor> = {}
      for (const [k, v] of Object.entries(o.tensors))
        if (k.startsWith(`${prefix}:`)) out[k.slice(prefix.length + 1)] = v
      return out
    }
    t.seg.setState({ kind: 'sgd', step: state.steps.seg, slots: pick('seg') })
    t.dMainOpt?.setState({ kind: 'adam', step: state.steps.dMain, slots: pick('d_main') })
    t.dAuxOpt?.setState({ kind: 'adam', step: state.steps.dAux, slots: pick('d_aux') })
  } finally {
    tf.dispose(Object.values(o.tensors))
  }
  return notes
}

export function removeUnfinishedAdaptCheckpoints(runDir: string): void {
  const root = path.join(runDir, 'checkpoints')
  if (!fs.existsSync(root)) return
  for (const name of fs.readdirSync(root)) {
    if (name.startsWith('.tmp-')) fs.rmSync(path.join(root, name), { recursive: true, force: true })
  }
}
