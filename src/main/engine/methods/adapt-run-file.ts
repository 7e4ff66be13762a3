/**
 * The reading side of an adaptation run's folder (layout in adapt-checkpoint.ts): run.json and the latest
 * checkpoint's pointer and state, validated. tfjs-free, so the main thread can read a run through
 * engine/api.ts; saving and restoring weights stay in adapt-checkpoint.ts (worker side).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { z } from 'zod'
import { CheckpointError, readCheckpointJson } from '../runs/checkpoint-files'
import { AdaptConfigSchema, type AdaptConfig } from './adapt-config'

export const RUN_FILE = 'run.json'
export const POINTER_FILE = 'checkpoint.json'
export const STATE_FILE = 'state.json'

export const AdaptLossPoint = z.object({
  iteration: z.number().int().min(1),
  loss: z.number(),
  terms: z.record(z.string(), z.number()),
})
export type AdaptLossPoint = z.infer<typeof AdaptLossPoint>

const StateJson = z.object({
  version: z.literal(1),
  kind: z.literal('adaptation'),
  iteration: z.number().int().min(0),
  steps: z.object({ seg: z.number().int(), dMain: z.number().int(), dAux: z.number().int() }),
  losses: z.array(AdaptLossPoint),
  /**
   * The segmenter's own random state: the group context module's dropout sequence (SegNet.dropoutState).
   * Absent in checkpoints written before it was saved, and for models that draw no dropout.
   */
  rng: z.object({ dropout: z.number().int().min(0).max(0xffffffff) }).optional(),
})
export type AdaptState = z.infer<typeof StateJson>

const PointerJson = z.object({
  iteration: z.number().int().min(0),
  dir: z.string().regex(/^checkpoints\/\d{6,}$/, 'must be checkpoints/<iteration>'),
})

export const RunStart = z.object({
  at: z.string(),
  fromIteration: z.number().int().min(0),
  backend: z.string(),
})

export const RunJson = z.object({
  version: z.literal(1),
  kind: z.literal('adaptation'),
  config: z.unknown(),
  starts: z.array(RunStart).optional(),
})
export type AdaptRunFile = z.infer<typeof RunJson> & { config: AdaptConfig }

export function readAdaptRunFile(runDir: string): AdaptRunFile {
  const file = path.join(runDir, RUN_FILE)
  const run = readCheckpointJson(file, RunJson)
  const c = AdaptConfigSchema.safeParse(run.config)
  if (!c.success) throw new CheckpointError(file, 'not an adaptation run (its config does not validate)')
  return { ...run, config: c.data }
}

export function latestAdaptCheckpoint(runDir: string): { dir: string; state: AdaptState } | null {
  const pointerFile = path.join(runDir, POINTER_FILE)
  if (!fs.existsSync(pointerFile)) return null
  const p = readCheckpointJson(pointerFile, PointerJson)
  const dir = path.join(runDir, p.dir)
  const state = readCheckpointJson(path.join(dir, STATE_FILE), StateJson)
  if (state.iteration !== p.iteration) {
    throw new CheckpointError(
      path.join(dir, STATE_FILE),
      `iteration ${state.iteration} does not match ${POINTER_FILE}`,
    )
  }
  return { dir, state }
}
