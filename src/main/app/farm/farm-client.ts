/**
 * The studio's side of the farm: enqueue a run's job, follow its progress, wait for its outcome, cancel
 * it. One BullMQ Queue + QueueEvents pair per connection, and a publisher for cancel requests.
 *
 * A run's job id is stable (farm-job.ts farmJobId): enqueueing a run whose job exists — a studio that
 * restarted, or retried — attaches to that job instead of running the run twice.
 */
import { Queue, QueueEvents, type Job } from 'bullmq'
import IORedis from 'ioredis'
import {
  FARM_CANCEL_CHANNEL,
  FARM_QUEUE,
  type FarmJob,
  type FarmOutcome,
  type FarmProgress,
} from './farm-job'
import { connectionOptions, describeRedis, type RedisAddress } from './redis-url'
import { decodeWire } from './wire-json'

function decodeProgress(data: unknown): FarmProgress {
  const p = data as FarmProgress
  return { ...p, payload: decodeWire(p.payload) }
}

export interface SubmitOptions {
  /** Attempts before the job fails for good (a stalled handover does not count; a worker error does). */
  attempts: number
  onProgress?(p: FarmProgress): void
  /** Aborting it cancels the job (removed while it waits; the running worker stops it otherwise). */
  signal?: AbortSignal
}

export class FarmError extends Error {}
export class FarmCancelled extends FarmError {}

export class FarmClient {
  private readonly queue: Queue
  private readonly events: QueueEvents
  private readonly publisher: IORedis
  private readonly listeners = new Map<string, (p: FarmProgress) => void>()
  readonly where: string

  constructor(redis: RedisAddress) {
    const connection = connectionOptions(redis)
    this.where = describeRedis(redis)
    this.queue = new Queue(FARM_QUEUE, { connection })
    this.events = new QueueEvents(FARM_QUEUE, { connection })
    this.publisher = new IORedis(connection)
    // Errors surface through the calls that need the connection; these keep ioredis from crashing the app.
    this.queue.on('error', () => undefined)
    this.events.on('error', () => undefined)
    this.publisher.on('error', () => undefined)
    // Payloads cross Redis as tagged JSON (wire-json.ts): decoded here, at the wire's end.
    this.events.on('progress', ({ jobId, data }) => this.listeners.get(jobId)?.(decodeProgress(data)))
  }

  /** Resolves once the queue and its event stream answer (fails with the farm's address otherwise). */
  async ready(timeoutMs = 10_000): Promise<void> {
    const timer = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new FarmError(`the farm at ${this.where} did not answer in ${timeoutMs / 1000} s`)),
        timeoutMs,
      ).unref(),
    )
    await Promise.race([Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]), timer])
  }

  /**
   * Enqueues (or attaches to) the job `id` and resolves with its outcome; rejects with its failure, or
   * with FarmCancelled when `signal` aborted it.
   */
  async run(id: string, job: FarmJob, o: SubmitOptions): Promise<FarmOutcome> {
    if (o.onProgress) this.listeners.set(id, o.onProgress)
    let onAbort = (): void => undefined
    // A job removed while it waited never finishes: the abort itself settles the run then.
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        void this.cancel(id).then(
          (removed) =>
            removed && reject(new FarmCancelled(`run job ${id} was cancelled before a worker took it`)),
          (e: unknown) =>
            reject(new FarmError(`cannot cancel ${id}: ${e instanceof Error ? e.message : String(e)}`)),
        )
      }
    })
    aborted.catch(() => undefined)
    try {
      const added: Job = await this.queue.add('run', job, {
        jobId: id,
        attempts: o.attempts,
        backoff: { type: 'fixed', delay: 1000 },
        // Finished jobs stay a week, so a studio that was closed meanwhile can still ingest the outcome.
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      })
      if (o.signal?.aborted) onAbort()
      else o.signal?.addEventListener('abort', onAbort, { once: true })
      const finished = added.waitUntilFinished(this.events).then(
        (r) => {
          const o = r as FarmOutcome
          return { ...o, result: decodeWire(o.result) }
        },
        (e: unknown) => {
          const why = e instanceof Error ? e.message : String(e)
          throw o.signal?.aborted ? new FarmCancelled(why) : new FarmError(why)
        },
      )
      return await Promise.race([finished, aborted])
    } finally {
      o.signal?.removeEventListener('abort', onAbort)
      this.listeners.delete(id)
    }
  }

  /** The job's state in the queue ('unknown' when it is not there, e.g. removed after a week). */
  async state(id: string): Promise<string> {
    return (await this.queue.getJobState(id)) as string
  }

  /**
   * Cancels a job: removed if it still waits (true), else every worker is told and the one running it
   * stops it (false; the job then fails for good with "cancelled").
   */
  async cancel(id: string): Promise<boolean> {
    const job = await this.queue.getJob(id)
    const state = job ? await job.getState() : 'unknown'
    if (job && (state === 'waiting' || state === 'delayed' || state === 'prioritized')) {
      const removed = await job.remove().then(
        () => true,
        () => false,
      )
      if (removed) return true
    }
    await this.publisher.publish(FARM_CANCEL_CHANNEL, id)
    return false
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.queue.close(), this.events.close()])
    this.publisher.disconnect()
  }
}
