/**
 * The reading side of a training run's folder (layout and writing in checkpoint.ts): the error that names
 * the file, the iteration folder name, run.json and the latest checkpoint's pointer and state, validated.
 * tfjs-free, so the main thread can read run folders (engine/api.ts) without loading tfjs.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { z } from 'zod'
import { TrainConfigSchema } from './train-config'
import { zodIssueLines } from '../sessions/request-error'

export class CheckpointError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`)
    this.name = 'CheckpointError'
  }
}

export function checkpointDirName(iteration: number): string {
  return String(iteration).padStart(6, '0')
}

/** Reads `file` as JSON and validates it; any failure is a CheckpointError naming the file. */
export function readCheckpointJson<T>(file: string, schema: z.ZodType<T>): T {
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (e) {
    throw new CheckpointError(file, e instanceof Error ? e.message : String(e))
  }
  const r = schema.safeParse(raw)
  if (!r.success) {
    const issues = zodIssueLines(r.error)
    throw new CheckpointError(file, `unexpected content (${issues.join('; ')})`)
  }
  return r.data
}

export const RUN_FILE = 'run.json'
export const POINTER_FILE = 'checkpoint.json'
export const STATE_FILE = 'state.json'

export const LossPoint = z.object({ iteration: z.number().int().min(1), loss: z.number() })
export type LossPoint = z.infer<typeof LossPoint>

export const StateJson = z.object({
  version: z.literal(1),
  iteration: z.number().int().min(0),
  optimizer: z.object({ kind: z.literal('sgd'), step: z.number().int().min(0) }),
  /** Data order is a pure function of (seed, iteration); this is all the "RNG state" a resume needs. */
  rng: z.object({ seed: z.number().int().min(0), nextIteration: z.number().int().min(1) }),
  losses: z.array(LossPoint),
})
export type CheckpointState = z.infer<typeof StateJson>

export const PointerJson = z.object({
  iteration: z.number().int().min(0),
  dir: z.string().regex(/^checkpoints\/\d{6,}$/, 'must be checkpoints/<iteration>'),
})

/** One start of a run (the fresh one, then each resume): when, from where, and on which backend. */
export const RunStart = z.object({
  at: z.string(),
  fromIteration: z.number().int().min(0),
  backend: z.object({
    name: z.string(),
    tfBackend: z.string(),
    device: z.string(),
    reasons: z.array(z.string()),
    forced: z.boolean(),
    trainingKernels: z.array(z.string()),
  }),
})
export type RunStart = z.infer<typeof RunStart>

export const RunJson = z.object({
  version: z.literal(1),
  config: TrainConfigSchema,
  /** Absent in run folders written before starts were recorded. */
  starts: z.array(RunStart).optional(),
})
export type RunFile = z.infer<typeof RunJson>

/** Reads a run folder's run.json (validated); throws CheckpointError naming the file. */
export function readRunFile(runDir: string): RunFile {
  return readCheckpointJson(path.join(runDir, RUN_FILE), RunJson)
}

/** The latest complete checkpoint of a run folder, or null when it has none yet. */
export function latestCheckpoint(runDir: string): { dir: string; state: CheckpointState } | null {
  const pointerFile = path.join(runDir, POINTER_FILE)
  if (!fs.existsSync(pointerFile)) return null
  const p = readCheckpointJson(pointerFile, PointerJson)
  const dir = path.join(runDir, p.dir)
  const state = readCheckpointJson(path.join(dir, STATE_FILE), StateJson)
  if (state.iteration !== p.iteration) {
    throw new CheckpointError(
      path.join(dir, STATE_FILE),
      `iteration ${state.iteration} does not match ${POINTER_FILE} (${p.iteration})`,
    )
  }
  return { dir, state }
}

/** Loads a checkpoint's weights into the model and its slots into the optimiser. */
