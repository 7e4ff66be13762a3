/**
 * The persistent job queue. Every job is a row in the jobs table; its function lives in memory while
 * the app runs. States: queued → running → done | failed | cancelled. Jobs of one queue run one at a
 * time (imports contend for the same disk, training for the same cores); different queues run side by
 * side. Progress is written at most every `writeIntervalMs` (a trailing write keeps the last value);
 * every state change is written and announced at once.
 */
import { isFinalJobStatus, type FileProblem, type JobProgress, type JobRecord } from '../../shared/domain'
import type { Db } from '../project/db'
import { JobsRepo, EMPTY_PROGRESS } from './jobs-repo'
import { etaSeconds, RateWindow } from './progress-rate'

export interface JobContext {
  readonly jobId: number
  /** Merges into the job's progress; rate and ETA are computed from `done` over time. */
  progress(p: Partial<JobProgress>): void
  /** Records a per-file problem (stored up to the cap; all are counted). */
  problem(p: FileProblem): void
  cancelled(): boolean
  readonly signal: AbortSignal
}

export type JobFn = (ctx: JobContext) => Promise<unknown>

export interface JobSpec {
  kind: string
  title: string
  args?: unknown
  /** Jobs of one queue run one at a time; defaults to the kind. */
  queue?: string
}

export interface JobQueueOptions {
  onChange?: (job: JobRecord) => void
  /** Clock for rate/ETA (tests pass a fake one). */
  now?: () => number
  writeIntervalMs?: number
  maxProblems?: number
  /** How long close() waits for running jobs to stop after cancelling them. */
  closeTimeoutMs?: number
}

interface Entry {
  id: number
  queue: string
  fn: JobFn
  controller: AbortController
  progress: JobProgress
  rate: RateWindow
  problems: FileProblem[]
  problemCount: number
  lastWrite: number
  timer: NodeJS.Timeout | null
  running: boolean
  waiters: ((job: JobRecord) => void)[]
}

export const MAX_STORED_PROBLEMS = 500

export class JobQueue {
  private readonly repo: JobsRepo
  private readonly entries = new Map<number, Entry>()
  private readonly busyQueues = new Set<string>()
  private readonly onChange: (job: JobRecord) => void
  private readonly now: () => number
  private readonly writeIntervalMs: number
  private readonly maxProblems: number
  private readonly closeTimeoutMs: number
  private closed = false
  private pumpScheduled = false

  constructor(db: Db, opts: JobQueueOptions = {}) {
    this.repo = new JobsRepo(db)
    this.onChange = opts.onChange ?? (() => {})
    this.now = opts.now ?? (() => Date.now())
    this.writeIntervalMs = opts.writeIntervalMs ?? 250
    this.maxProblems = opts.maxProblems ?? MAX_STORED_PROBLEMS
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 10_000
  }

  /** On open: jobs a crashed or killed app left queued/running are failed as interrupted. */
  recoverInterrupted(): JobRecord[] {
    const ids = this.repo.failUnfinished()
    const records = ids.map((id) => this.repo.get(id))
    for (const r of records) this.emit(r)
    return records
  }

  enqueue(spec: JobSpec, fn: JobFn): JobRecord {
    if (this.closed) throw new Error('the job queue is closed')
    const record = this.repo.insert(spec.kind, spec.title, spec.args ?? {})
    this.entries.set(record.id, {
      id: record.id,
      queue: spec.queue ?? spec.kind,
      fn,
      controller: new AbortController(),
      progress: { ...EMPTY_PROGRESS },
      rate: new RateWindow(),
      problems: [],
      problemCount: 0,
      lastWrite: 0,
      timer: null,
      running: false,
      waiters: [],
    })
    this.emit(record)
    this.schedulePump()
    return record
  }

  get(id: number): JobRecord {
    return this.repo.get(id)
  }

  list(limit: number): JobRecord[] {
    return this.repo.list(limit)
  }

  /** Cancels a queued job at once; asks a running one to stop (it ends as cancelled when it returns). */
  cancel(id: number): JobRecord {
    const record = this.repo.get(id)
    const entry = this.entries.get(id)
    if (!entry || isFinalJobStatus(record.status)) return record
    if (!entry.running) {
      this.entries.delete(id)
      this.repo.finish(id, 'cancelled', null, null)
      return this.settle(entry)
    }
    if (!entry.controller.signal.aborted) {
      entry.controller.abort()
      entry.progress = { ...entry.progress, message: 'cancelling…' }
      this.writeProgress(entry)
    }
    return this.repo.get(id)
  }

  /** Resolves with the final record once the job is done, failed or cancelled. */
  settled(id: number): Promise<JobRecord> {
    const record = this.repo.get(id)
    const entry = this.entries.get(id)
    if (!entry || isFinalJobStatus(record.status)) return Promise.resolve(record)
    return new Promise((resolve) => entry.waiters.push(resolve))
  }

  /** Resolves once no job is queued or running. */
  async idle(): Promise<void> {
    while (this.entries.size > 0) {
      const first = this.entries.keys().next().value as number
      await this.settled(first)
    }
  }

  /**
   * Stops everything: queued jobs are cancelled, running ones asked to stop and awaited (up to the
   * timeout; one that does not stop is recorded as cancelled and left to finish on its own).
   */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const waits: Promise<JobRecord>[] = []
    for (const entry of [...this.entries.values()]) {
      waits.push(this.settled(entry.id))
      this.cancel(entry.id)
    }
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.closeTimeoutMs)
    })
    const outcome = await Promise.race([Promise.all(waits), timeout])
    clearTimeout(timer)
    if (outcome === 'timeout') {
      for (const entry of [...this.entries.values()]) {
        this.clearTimer(entry)
        this.entries.delete(entry.id)
        this.repo.finish(
          entry.id,
          'cancelled',
          null,
          'the project was closed while it ran; it did not stop in time',
        )
        this.settle(entry)
      }
    }
  }

  // ---------- running ----------

  private schedulePump(): void {
    if (this.pumpScheduled) return
    this.pumpScheduled = true
    // Deferred so enqueue() returns (and the caller answers) before the job starts.
    setImmediate(() => {
      this.pumpScheduled = false
      this.pump()
    })
  }

  private pump(): void {
    if (this.closed) return
    for (const entry of this.entries.values()) {
      if (entry.running || this.busyQueues.has(entry.queue)) continue
      this.busyQueues.add(entry.queue)
      entry.running = true
      void this.run(entry)
    }
  }

  private async run(entry: Entry): Promise<void> {
    this.repo.markRunning(entry.id)
    this.emit(this.repo.get(entry.id))
    const signal = entry.controller.signal
    const ctx: JobContext = {
      jobId: entry.id,
      signal,
      cancelled: () => signal.aborted,
      progress: (p) => this.onProgress(entry, p),
      problem: (p) => this.onProblem(entry, p),
    }
    let status: 'done' | 'failed' | 'cancelled'
    let result: unknown = null
    let error: string | null = null
    try {
      result = await entry.fn(ctx)
      status = signal.aborted ? 'cancelled' : 'done'
    } catch (e) {
      status = signal.aborted ? 'cancelled' : 'failed'
      error = signal.aborted ? null : e instanceof Error ? e.message : String(e)
    }
    this.busyQueues.delete(entry.queue)
    if (!this.entries.has(entry.id)) return // given up on by close(): already recorded
    this.entries.delete(entry.id)
    this.clearTimer(entry)
    try {
      if (status === 'done' && entry.progress.total > 0) {
        entry.progress = { ...entry.progress, etaSeconds: 0 }
      }
      if (status === 'cancelled')
        entry.progress = { ...entry.progress, message: 'cancelled', etaSeconds: null }
      this.repo.writeProgress(entry.id, entry.progress, entry.problems, entry.problemCount)
      this.repo.finish(entry.id, status, result, error)
      this.settle(entry)
    } catch {
      // The database went away under us (project closed after the close timeout); nothing to record.
    }
    this.schedulePump()
  }

  private onProgress(entry: Entry, p: Partial<JobProgress>): void {
    if (!this.entries.has(entry.id)) return
    const done = p.done ?? entry.progress.done
    const total = p.total ?? entry.progress.total
    if (p.done !== undefined) entry.rate.add(this.now(), done)
    const rate = p.rate !== undefined ? p.rate : entry.rate.rate()
    entry.progress = {
      done,
      total,
      rate,
      etaSeconds: p.etaSeconds !== undefined ? p.etaSeconds : etaSeconds(done, total, rate),
      message: p.message ?? entry.progress.message,
    }
    this.scheduleWrite(entry)
  }

  private onProblem(entry: Entry, p: FileProblem): void {
    if (!this.entries.has(entry.id)) return
    entry.problemCount++
    if (entry.problems.length < this.maxProblems)
      entry.problems.push({ file: String(p.file), reason: String(p.reason) })
    this.scheduleWrite(entry)
  }

  /** At most one write per interval; a trailing write makes sure the last update is stored. */
  private scheduleWrite(entry: Entry): void {
    const wait = entry.lastWrite + this.writeIntervalMs - Date.now()
    if (wait <= 0) {
      this.clearTimer(entry)
      this.writeProgress(entry)
    } else if (!entry.timer) {
      entry.timer = setTimeout(() => {
        entry.timer = null
        if (this.entries.has(entry.id)) this.writeProgress(entry)
      }, wait)
    }
  }

  private writeProgress(entry: Entry): void {
    entry.lastWrite = Date.now()
    try {
      this.repo.writeProgress(entry.id, entry.progress, entry.problems, entry.problemCount)
      this.emit(this.repo.get(entry.id))
    } catch {
      // Progress is advisory: a failed write (database busy or closing) must not fail the job.
    }
  }

  private clearTimer(entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer)
    entry.timer = null
  }

  private settle(entry: Entry): JobRecord {
    const record = this.repo.get(entry.id)
    this.emit(record)
    for (const w of entry.waiters.splice(0)) w(record)
    return record
  }

  private emit(record: JobRecord): void {
    try {
      this.onChange(record)
    } catch {
      // A failing listener must not break the queue.
    }
  }
}
