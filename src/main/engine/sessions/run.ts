/**
 * A studio run of any method as ONE engine worker session (../pipelines/run-plan.ts): the plan is plain
 * data — the source step, the method's step, the album to predict, the images to score and the snapshot
 * selection — so any worker (this machine's, or later a remote one) can execute it. The body runs every
 * step on the worker's own thread (../worker/in-thread-host.ts) and returns the metrics, the per-image
 * scores and the snapshot choice; the app stores them in one transaction.
 */
import { z } from 'zod'
import { BACKEND_CHOICES } from '../backend/backend-choice'
import type { ChainProgress } from '../pipelines/project-run'
import type { ProjectRunOutcome, ProjectRunPlan } from '../pipelines/run-plan'
import type { LossPoint } from '../runs/checkpoint-files'
import type { FileProblem } from '../runs/file-dataset'
import { AlbumImageSchema } from '../snapshots/snapshot-request'
import { parseRequest } from './request-error'
import { defineSession } from './session'

const path = z.string().min(1)
/** Each step's options are checked in full by its own session (adapt config, SegSort config) when it starts. */
const options = z.record(z.string(), z.unknown())

/** The plan's shape, checked on both sides of the worker boundary (plain data only). */
const RunPlanSchema = z
  .object({
    backend: z.enum(BACKEND_CHOICES),
    numClasses: z.number().int().min(2),
    source: z.object({ runDir: path, train: z.record(z.string(), z.unknown()).nullable() }).strict(),
    method: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('adapt'), options }).strict(),
        z.object({ kind: z.literal('segsort'), options }).strict(),
        z.object({ kind: z.literal('coseg-st'), options }).strict(),
      ])
      .nullable(),
    predict: z
      .object({ outDir: path, items: z.array(AlbumImageSchema), batch: z.number().int().min(1).max(64) })
      .strict(),
    score: z.array(z.object({ key: z.number().int(), gtFile: path, predName: z.string().min(1) }).strict()),
    selection: z
      .object({
        mode: z.enum(['last', 'heldout', 'oracle']),
        validation: z.array(
          z.object({ key: z.number().int(), gtFile: path, group: z.number().int().nullable() }).strict(),
        ),
        seed: z.number().int().min(0),
        runDir: path,
      })
      .strict()
      .nullable(),
  })
  .strict()

export type RunEvent =
  | ({ type: 'progress' } & ChainProgress)
  | ({ type: 'problem' } & FileProblem)
  | { type: 'backend'; name: string }
  /** The source model finished training (before the album steps, so the app can store it at once). */
  | { type: 'sourceTrained'; losses: LossPoint[]; seconds: number; backend: string }

export function parseRunPlan(raw: ProjectRunPlan): ProjectRunPlan {
  parseRequest(RunPlanSchema, raw, 'run plan')
  // The checked plan is passed on as given: the step options keep their fields for their own sessions.
  return raw
}

export const runSession = defineSession<ProjectRunPlan, ProjectRunPlan, RunEvent, ProjectRunOutcome>({
  what: 'the run',
  parse: parseRunPlan,
})
