/**
 * Training as a job of the persistent job queue (kind 'train', queue 'train': one run at a time, as
 * runs contend for the same cores). The job starts a training worker on <project>/runs/<run-id>/,
 * streams iterations as the job's progress (the queue derives rate and ETA), turns the job's cancel into
 * the worker's cancel-before-next-step, and returns where the run stands. A run interrupted by a crash
 * or restart (its job is marked failed/interrupted on reopen) continues with `resume: true` from its last
 * checkpoint; the run folder's run.json holds the config, so a resume needs only the run id.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { JobFn, JobQueue } from '../../jobs/job-queue'
import type { JobRecord } from '../../../shared/domain'
import { latestCheckpoint } from '../runs/checkpoint'
import { parseTrainConfig, TrainConfigSchema } from '../runs/train-config'
import { startTrainingWorker, type TrainingResult } from './start-training-worker'

export const TRAIN_JOB_KIND = 'train'

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/

export interface TrainJobArgs {
  /** <project>/runs. */
  runsRoot: string
  /** Folder name of the run: letters, digits, '-' and '_' (never a path). */
  runId: string
  /** The run's config without runDir; required for a fresh run, ignored on resume (run.json has it). */
  config?: Record<string, unknown>
  resume?: boolean
}

export interface TrainJobResult {
  runDir: string
  status: TrainingResult['status']
  iteration: number
  lastLoss: number | null
  lastCheckpoint: number | null
}

/** The run folder of `runId` under `runsRoot`; refuses ids that are not a plain folder name. */
export function runDirFor(runsRoot: string, runId: string): string {
  if (!RUN_ID.test(runId)) {
    throw new Error(`run id '${runId}' is not valid: use 1–64 letters, digits, '-' or '_'`)
  }
  return path.join(runsRoot, runId)
}

function resumeConfig(runDir: string): Record<string, unknown> {
  const file = path.join(runDir, 'run.json')
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (e) {
    throw new Error(`${file}: cannot resume this run (${e instanceof Error ? e.message : String(e)})`)
  }
  const parsed = TrainConfigSchema.safeParse((raw as { config?: unknown } | null)?.config)
  if (!parsed.success) throw new Error(`${file}: not a training run file`)
  // The folder may have moved with its project: train where it is now.
  return { ...parsed.data, runDir }
}

export function trainJobFn(args: TrainJobArgs): JobFn {
  return async (ctx) => {
    const runDir = runDirFor(args.runsRoot, args.runId)
    const config = args.resume
      ? parseTrainConfig(resumeConfig(runDir))
      : parseTrainConfig({ ...(args.config ?? {}), runDir })
    let lastLoss: number | null = null
    let lastCheckpoint: number | null = null
    const handle = startTrainingWorker(config, {
      resume: args.resume === true,
      onStarted: (s) =>
        ctx.progress({
          done: s.fromIteration,
          total: config.steps,
          message: `${s.resumedFrom ? `resumed at ${s.fromIteration} · ` : ''}backend ${s.backend.name}`,
        }),
      onProgress: (p) => {
        lastLoss = p.loss
        ctx.progress({
          done: p.iteration,
          total: p.steps,
          message: `loss ${p.loss.toFixed(4)} · ${p.imagesPerSecond.toFixed(1)} images/s`,
        })
      },
      onCheckpoint: (c) => (lastCheckpoint = c.iteration),
      onProblem: (p) => ctx.problem(p),
    })
    const onAbort = (): void => handle.cancel()
    if (ctx.signal.aborted) onAbort()
    ctx.signal.addEventListener('abort', onAbort)
    try {
      const r = await handle.result
      if (lastCheckpoint === null) lastCheckpoint = latestCheckpoint(runDir)?.state.iteration ?? null
      const result: TrainJobResult = {
        runDir,
        status: r.status,
        iteration: r.iteration,
        lastLoss,
        lastCheckpoint,
      }
      return result
    } finally {
      ctx.signal.removeEventListener('abort', onAbort)
    }
  }
}

/** Enqueues a training run as job kind 'train'. */
export function enqueueTrainJob(queue: JobQueue, args: TrainJobArgs): JobRecord {
  runDirFor(args.runsRoot, args.runId) // a bad id fails here, before a job row exists
  return queue.enqueue(
    {
      kind: TRAIN_JOB_KIND,
      title: `${args.resume ? 'Resume' : 'Train'} run ${args.runId}`,
      args: { runId: args.runId, resume: args.resume === true, config: args.config ?? null },
      queue: TRAIN_JOB_KIND,
    },
    trainJobFn(args),
  )
}
