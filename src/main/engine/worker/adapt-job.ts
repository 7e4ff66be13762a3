/**
 * An adaptation run as a job of the persistent job queue (kind 'adapt', queue 'train': runs contend for
 * the same cores, so they share the training queue). Like train-job.ts: the job starts the adaptation
 * worker on <project>/runs/<run-id>/, streams iterations (with the loss terms) as progress, maps the job's
 * cancel to cancel-before-next-step, and a run interrupted by a crash continues with `resume: true`
 * (run.json holds the config, so a resume needs only the run id).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { JobFn, JobQueue } from '../../jobs/job-queue'
import type { JobRecord } from '../../../shared/domain'
import { AdaptConfigSchema, parseAdaptConfig } from '../methods/adapt-config'
import type { AdaptationResult } from './start-adaptation-worker'
import { startAdaptationWorker } from './start-adaptation-worker'
import { runDirFor } from './train-job'

export const ADAPT_JOB_KIND = 'adapt'

export interface AdaptJobArgs {
  runsRoot: string
  runId: string
  /** The run's config without runDir; required for a fresh run, ignored on resume. */
  config?: Record<string, unknown>
  resume?: boolean
}

export interface AdaptJobResult {
  runDir: string
  status: AdaptationResult['status']
  iteration: number
  lastLoss: number | null
  lastCheckpoint: number | null
}

function resumeConfig(runDir: string): Record<string, unknown> {
  const file = path.join(runDir, 'run.json')
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (e) {
    throw new Error(`${file}: cannot resume this run (${e instanceof Error ? e.message : String(e)})`)
  }
  const parsed = AdaptConfigSchema.safeParse((raw as { config?: unknown } | null)?.config)
  if (!parsed.success) throw new Error(`${file}: not an adaptation run file`)
  return { ...parsed.data, runDir }
}

export function adaptJobFn(args: AdaptJobArgs): JobFn {
  return async (ctx) => {
    const runDir = runDirFor(args.runsRoot, args.runId)
    const config = parseAdaptConfig(args.resume ? resumeConfig(runDir) : { ...(args.config ?? {}), runDir })
    let lastLoss: number | null = null
    let lastCheckpoint: number | null = null
    const handle = startAdaptationWorker(config, {
      resume: args.resume === true,
      onStarted: (s) =>
        ctx.progress({
          done: s.fromIteration,
          total: config.steps,
          message: `${config.method.kind}${s.resumedFrom ? ` · resumed at ${s.fromIteration}` : ''} · backend ${s.backend.name}`,
        }),
      onPseudo: (s) =>
        ctx.progress({ message: `pseudo labels: ${s.images} of ${s.albumImages} images (${s.mode} mode)` }),
      onProgress: (p) => {
        lastLoss = p.loss
        const terms = Object.entries(p.terms)
          .filter(([k]) => k !== 'total')
          .map(([k, v]) => `${k} ${v.toFixed(4)}`)
          .join(' · ')
        ctx.progress({
          done: p.iteration,
          total: p.steps,
          message: `loss ${p.loss.toFixed(4)} (${terms}) · ${p.imagesPerSecond.toFixed(1)} images/s`,
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
      const result: AdaptJobResult = {
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

/** Enqueues an adaptation run as job kind 'adapt' on the training queue. */
export function enqueueAdaptJob(queue: JobQueue, args: AdaptJobArgs): JobRecord {
  runDirFor(args.runsRoot, args.runId)
  return queue.enqueue(
    {
      kind: ADAPT_JOB_KIND,
      title: `${args.resume ? 'Resume' : 'Adapt'} run ${args.runId}`,
      args: { runId: args.runId, resume: args.resume === true, config: args.config ?? null },
      queue: 'train',
    },
    adaptJobFn(args),
  )
}
