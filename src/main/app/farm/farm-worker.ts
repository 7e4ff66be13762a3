/**
 * A farm worker: takes run jobs from the farm's BullMQ queue and runs each as the same engine session the
 * studio would run locally (engine/api startSession), in this process's own engine worker thread.
 *
 *   - Only jobs that parse as farm jobs, name a farm session, point at a project folder and whose request
 *     passes the session's own parser run; paths resolve under the project root and never leave it.
 *   - Progress goes to the job (BullMQ events reach the studio); the outcome is returned (BullMQ stores it)
 *     and written to `<run dir>/farm-outcome.json`; the worker never opens the project's database.
 *   - A job BullMQ hands over again (its worker died: stalled-job recovery) continues from the run folder's
 *     last checkpoint, and the outcome says so.
 *   - Cancel: the studio publishes the job id on FARM_CANCEL_CHANNEL; the worker running it aborts the
 *     session, which stops at its next safe point, and the job fails for good (no retry).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { UnrecoverableError, Worker, type Job } from 'bullmq'
import IORedis from 'ioredis'
import { latestCheckpoint, startSession, TRAIN_RUN_FILE } from '../../engine/api'
import { writeFileAtomic } from '../../files/atomic-file'
import { DB_FILE } from '../../project/layout'
import {
  FARM_CANCEL_CHANNEL,
  FARM_QUEUE,
  parseFarmJob,
  type FarmJob,
  type FarmOutcome,
  type FarmProgress,
} from './farm-job'
import { fromProjectPaths, PlanPathError, toProjectPaths } from './plan-paths'
import { encodeWire } from './wire-json'
import { connectionOptions, describeRedis, type RedisAddress } from './redis-url'

export const FARM_OUTCOME_FILE = 'farm-outcome.json'

export interface FarmWorkerOptions {
  redis: RedisAddress
  /** Jobs run at the same time (each in its own engine thread). */
  concurrency: number
  /** Studio project folder prefix → this machine's (a share mounted elsewhere); none = the same paths. */
  maps: { from: string; to: string }[]
  /** Overrides the backend of every run (auto = the plan's own choice). */
  backend: string | null
  /** A job whose worker stops renewing its lock for this long is handed to another worker. */
  lockMs: number
  stalledIntervalMs: number
  /** Name in logs and outcomes (default host:pid). */
  name?: string
  log: (line: string) => void
}

export interface FarmWorkerHandle {
  readonly name: string
  /** Resolves once the worker is connected and waiting for jobs. */
  ready: Promise<void>
  /**
   * Stops taking jobs and disconnects: lets running ones finish, or with `force` leaves them to BullMQ,
   * which hands them to another worker once their lock lapses (they resume from their checkpoints).
   */
  close(force?: boolean): Promise<void>
}

/** The job's project folder on this machine, checked to be a PSS Studio project. */
export function mapProjectDir(dir: string, maps: FarmWorkerOptions['maps']): string {
  let mapped = dir
  for (const m of maps) {
    const from = m.from.replace(/[\\/]+$/, '')
    if (dir === from || dir.startsWith(`${from}/`) || dir.startsWith(`${from}\\`)) {
      mapped = path.join(m.to, dir.slice(from.length))
      break
    }
  }
  if (!path.isAbsolute(mapped)) throw new PlanPathError(`project folder ${mapped} is not an absolute path`)
  if (!fs.existsSync(path.join(mapped, DB_FILE)))
    throw new PlanPathError(
      `project folder ${mapped} is not reachable from this worker (no ${DB_FILE}); mount the share there or pass --map`,
    )
  return mapped
}

/**
 * A training an earlier attempt started (its run.json is there) is continued, never restarted: from its
 * latest complete checkpoint when it has one (`resumed`), else from iteration 0 in the same folder.
 */
function continuation(runDir: string): { resume: boolean; resumed: boolean } {
  return {
    resume: fs.existsSync(path.join(runDir, TRAIN_RUN_FILE)),
    resumed: latestCheckpoint(runDir) !== null,
  }
}

/**
 * The job's request with paths resolved under the project and, for a job an earlier attempt started
 * (a worker died: BullMQ handed it over), the training it starts with set to continue.
 */
export function prepareRequest(job: FarmJob, root: string): { request: unknown; resumed: boolean } {
  const request = fromProjectPaths(job.request, root, `job ${job.runId}`)
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    throw new PlanPathError(`job ${job.runId} carries no request`)
  const r = request as Record<string, unknown>
  if (job.session === 'train') {
    const runDir = stringAt(r, ['config', 'runDir'])
    const c = runDir === null ? { resume: false, resumed: false } : continuation(runDir)
    return { request: { ...r, resume: c.resume || r.resume === true }, resumed: c.resumed }
  }
  // An album run: its source training (when it trains one) continues the source run's folder.
  const source = r.source as { runDir?: unknown; train?: Record<string, unknown> | null } | undefined
  if (source && typeof source.runDir === 'string' && source.train) {
    const c = continuation(source.runDir)
    return {
      request: {
        ...r,
        source: { ...source, train: { ...source.train, resume: c.resume || source.train.resume === true } },
      },
      resumed: c.resumed,
    }
  }
  return { request: r, resumed: false }
}

function stringAt(v: unknown, keys: string[]): string | null {
  let cur = v
  for (const k of keys) {
    if (typeof cur !== 'object' || cur === null) return null
    cur = (cur as Record<string, unknown>)[k]
  }
  return typeof cur === 'string' ? cur : null
}

/** The folder the job's outcome is written next to: the training's run folder or the album run's. */
function runDirOf(job: FarmJob, request: unknown): string | null {
  return job.session === 'train'
    ? stringAt(request, ['config', 'runDir'])
    : (stringAt(request, ['selection', 'runDir']) ?? parentOf(stringAt(request, ['predict', 'outDir'])))
}

function parentOf(p: string | null): string | null {
  return p === null ? null : path.dirname(p)
}

export function startFarmWorker(o: FarmWorkerOptions): FarmWorkerHandle {
  const name = o.name ?? `${os.hostname()}:${process.pid}`
  const connection = connectionOptions(o.redis)
  const controllers = new Map<string, AbortController>()
  /** Jobs whose lock this worker lost (another worker may hold them now): stopped, never finished here. */
  const lost = new Set<string>()

  const processor = async (job: Job, _token?: string, signal?: AbortSignal): Promise<FarmOutcome> => {
    let data: FarmJob
    let prepared: { request: unknown; resumed: boolean }
    let root: string
    try {
      data = parseFarmJob(job.data)
      root = mapProjectDir(data.projectDir, o.maps)
      prepared = prepareRequest(data, root)
    } catch (e) {
      // A job this worker must not run is refused for good: retrying it elsewhere changes nothing.
      throw new UnrecoverableError(message(e))
    }
    const request = o.backend ? withBackend(data, prepared.request, o.backend) : prepared.request
    const abort = new AbortController()
    controllers.set(String(job.id), abort)
    signal?.addEventListener('abort', () => abort.abort(), { once: true })
    o.log(
      `${name}: run ${data.runId} (job ${job.id}, attempt ${job.attemptsMade + 1})${prepared.resumed ? ' resumes from its checkpoint' : ''}`,
    )
    try {
      const forward = (event: string) => (payload: unknown) => {
        const p: FarmProgress = { event, payload: encodeWire(payload), worker: name }
        void job.updateProgress(p as unknown as object).catch(() => undefined)
      }
      const handlers = new Proxy({} as Record<string, unknown>, {
        get: (_t, key) =>
          key === 'signal'
            ? abort.signal
            : typeof key === 'string' && /^on[A-Z]/.test(key)
              ? forward(key.charAt(2).toLowerCase() + key.slice(3))
              : undefined,
      })
      let session: { result: Promise<unknown> }
      try {
        // The overloads are per session name; the job's name is one of FARM_SESSIONS, checked above.
        const start = startSession as (name: string, input: unknown, opts: unknown) => typeof session
        session = start(data.session, request, handlers)
      } catch (e) {
        // The session's own parser refused the request (an invalid plan): no worker would accept it.
        throw new UnrecoverableError(`run ${data.runId}: ${message(e)}`)
      }
      const result = await session.result
      if (lost.has(String(job.id)))
        throw new Error(
          `${name} lost the lock of run ${data.runId}; the worker that holds it continues from its checkpoint`,
        )
      if (abort.signal.aborted) throw new UnrecoverableError(`run ${data.runId} was cancelled`)
      const outcome: FarmOutcome = {
        worker: name,
        attempt: job.attemptsMade + 1,
        resumed: prepared.resumed,
        // Paths go back as project paths: the studio sees the project folder at its own place.
        result: encodeWire(toProjectPaths(result, root, `run ${data.runId} outcome`)),
      }
      const runDir = runDirOf(data, request)
      if (runDir) writeFileAtomic(path.join(runDir, FARM_OUTCOME_FILE), JSON.stringify(outcome, null, 2))
      o.log(`${name}: run ${data.runId} finished`)
      return outcome
    } finally {
      controllers.delete(String(job.id))
      lost.delete(String(job.id))
    }
  }

  const worker = new Worker(FARM_QUEUE, processor, {
    connection,
    concurrency: o.concurrency,
    lockDuration: o.lockMs,
    stalledInterval: o.stalledIntervalMs,
    // A job whose worker died is handed over again (once per death), then counted as an attempt.
    maxStalledCount: 3,
    autorun: true,
  })
  worker.on('failed', (job, err) => o.log(`${name}: job ${job?.id ?? '?'} failed: ${err.message}`))
  // A lock this worker could not renew (Redis was away longer than the lock, or the job was handed over):
  // stop at once, so two workers never train into the same run folder.
  worker.on('lockRenewalFailed', (jobIds) => {
    for (const id of jobIds) {
      const c = controllers.get(id)
      if (!c) continue
      o.log(`${name}: lost the lock of job ${id}; stopping it`)
      lost.add(id)
      c.abort()
    }
  })
  worker.on('error', (err) => o.log(`${name}: ${err.message}`))

  // Cancel requests: every worker hears them; the one running the job aborts it.
  const sub = new IORedis(connection)
  sub.on('error', (err) => o.log(`${name}: cancel channel: ${err.message}`))
  void sub.subscribe(FARM_CANCEL_CHANNEL).catch((e) => o.log(`${name}: cannot subscribe: ${message(e)}`))
  sub.on('message', (_channel, jobId: string) => {
    const c = controllers.get(jobId)
    if (c) {
      o.log(`${name}: cancelling job ${jobId}`)
      c.abort()
    }
  })

  const ready = worker.waitUntilReady().then(() => {
    o.log(`${name}: waiting for runs on ${describeRedis(o.redis)} (concurrency ${o.concurrency})`)
  })
  return {
    name,
    ready: ready.then(() => undefined),
    async close(force = false) {
      await worker.close(force)
      sub.disconnect()
    },
  }
}

/** The request with every run on this worker's backend (`--backend`). */
function withBackend(job: FarmJob, request: unknown, backend: string): unknown {
  const r = request as Record<string, unknown>
  if (job.session === 'train') return { ...r, config: { ...(r.config as object), backend } }
  const source = r.source as { train?: Record<string, unknown> | null }
  return {
    ...r,
    backend,
    source: { ...source, train: source.train ? { ...source.train, backend } : source.train },
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
