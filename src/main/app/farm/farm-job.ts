/**
 * What travels through the farm's queue. A job is one engine session of one album run — the run plan as
 * data (`request`, with project paths only: plan-paths.ts) — plus where the project is. The queue name,
 * the job id (one per project and run, so a studio that enqueues the same run twice gets the same job
 * and a finished run is ingested once) and the cancel channel are shared by the studio and the workers.
 */
import crypto from 'node:crypto'
import { z } from 'zod'

export const FARM_QUEUE = 'pss-runs'
/** Pub/sub channel on which the studio asks every worker to cancel a job (the one running it stops). */
export const FARM_CANCEL_CHANNEL = 'pss-runs:cancel'
export const FARM_JOB_FORMAT = 1

/**
 * The engine sessions a farm worker runs: an album run (`run`: the studio's whole run plan) and a source
 * model's training (`train`); nothing else is accepted from a queue.
 */
export const FARM_SESSIONS = ['run', 'train'] as const
export type FarmSession = (typeof FARM_SESSIONS)[number]

export const FarmJobSchema = z
  .object({
    format: z.literal(FARM_JOB_FORMAT),
    /** The project folder as the studio sees it; a worker maps it (--map) or uses it as is. */
    projectDir: z.string().min(1).max(4096),
    runId: z.number().int().positive(),
    session: z.enum(FARM_SESSIONS),
    /** The session's request, project paths as `{ $project }` (checked by the session's own parser). */
    request: z.unknown(),
  })
  .strict()
export type FarmJob = z.infer<typeof FarmJobSchema>

/** Live progress a worker reports (BullMQ job progress), shown by the studio as the run's progress. */
export interface FarmProgress {
  event: string
  payload: unknown
  worker: string
}

/** What a finished job returns (and writes next to the run's files). */
export interface FarmOutcome {
  worker: string
  attempt: number
  /** True when the session continued from a checkpoint an earlier attempt left. */
  resumed: boolean
  result: unknown
}

/** The stable id of a run's job: one per project (its creation time and name) and run. */
export function farmJobId(project: { createdAt: string; name: string }, runId: number): string {
  const key = crypto.createHash('sha256').update(`${project.createdAt}\n${project.name}`).digest('hex')
  // BullMQ job ids must not contain ':' and must not be plain integers.
  return `run-${key.slice(0, 16)}-${runId}`
}

export function parseFarmJob(raw: unknown): FarmJob {
  const r = FarmJobSchema.safeParse(raw)
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || 'job'}: ${i.message}`).join('; ')
    throw new Error(`not a PSS Studio farm job: ${issues}`)
  }
  return r.data
}
