/**
 * The persistent job queue. Every job is a row in the jobs table; its function lives in memory while
 * the app runs. States: queued → running → done | failed | cancelled. Jobs of one queue run one at a
 * time (imports contend for the same disk, training for the same cores); different queues run side by
 * side. Progress is written at most every `writeIntervalMs` (a trailing write keeps the last value);
 * every state change is written and announced at once.
 */
import { isFinalJobStatus, type FileProblem, type JobProgress, type JobRecord } from '../../shared/domain'
import { nowIso, type Db } from '../project/db'
import { diskFullError, isDiskFull } from '../files/disk-full'
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
  /**
   * How long a cancelled running job may take to stop before it is recorded as cancelled anyway and its
   * queue moves on (a job stuck on I/O must not hold every later job of its queue).
   */
  cancelGraceMs?: number
  /** Pause between retries of a final state the database refused (disk full, foreign lock). */
  recordRetryMs?: number
}

/** A job's final state that could not be stored yet; served from memory until it is. */
interface Unrecorded {
  status: 'done' | 'failed' | 'cancelled'
  result: unknown
  error: string | null
  progress: JobProgress
  problems: FileProblem[]
  problemCount: number
  finishedAt: string
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
  /** Set when a cancel was asked of the running job: fires after cancelGraceMs. */
  graceTimer: NodeJS.Timeout | null
  /** The record as enqueued, for a final record when the database is already closed. */
  snapshot: JobRecord
}

/** After a refused progress write, the next one waits this long (each refused write may wait busy_timeout). */
const PROGRESS_BACKOFF_MS = 2000
/** Retries of a refused final state before it stays in memory only (recorded again at close). */
const MAX_RECORD_RETRIES = 30

export const MAX_STORED_PROBLEMS = 500

export class JobQueue {
  private readonly repo: JobsRepo
  private readonly entries = new Map<number, Entry>()
  /** queue name → id of the job that runs in it (only that job may free it). */
  private readonly busyQueues = new Map<string, number>()
  private readonly unrecorded = new Map<number, Unrecorded>()
  private recordTimer: NodeJS.Timeout | null = null
  private recordRetries = 0
  private readonly onChange: (job: JobRecord) => void
  private readonly now: () => number
  private readonly writeIntervalMs: number
  private readonly maxProblems: number
  private readonly closeTimeoutMs: number
  /** The database file, named in "disk full while writing" when SQLite's error does not say. */
  private readonly dbFile: string
  private readonly cancelGraceMs: number
  private readonly recordRetryMs: number
  private closed = false
  private pumpScheduled = false

  constructor(db: Db, opts: JobQueueOptions = {}) {
    this.repo = new JobsRepo(db)
    this.onChange = opts.onChange ?? (() => {})
    this.now = opts.now ?? (() => Date.now())
    this.writeIntervalMs = opts.writeIntervalMs ?? 250
    this.maxProblems = opts.maxProblems ?? MAX_STORED_PROBLEMS
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 10_000
    this.dbFile = db.name
    this.cancelGraceMs = opts.cancelGraceMs ?? 5000
    this.recordRetryMs = opts.recordRetryMs ?? 1000
  }

  /**
   * On open: jobs a crashed or killed app left queued/running are failed as interrupted, except those of
   * `keepKinds`, which stay as they are for a later session that can resume them.
   */
  recoverInterrupted(keepKinds: readonly string[] = []): JobRecord[] {
    let ids: number[]
    try {
      ids = this.repo.failUnfinished(keepKinds)
    } catch {
      // The database refuses writes (read-only while the disk is full, a foreign lock): the project still
      // opens, and those jobs are shown as interrupted from memory until a later open records it.
      for (const j of this.repo.unfinished()) {
        if (keepKinds.includes(j.kind)) continue
        const why = j.status === 'running' ? 'while it ran' : 'before it started'
        this.unrecorded.set(j.id, {
          status: 'failed',
          result: null,
          error: `interrupted (the app closed ${why})`,
          progress: j.progress,
          problems: j.problems,
          problemCount: j.problemCount,
          finishedAt: nowIso(),
        })
      }
      return []
    }
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
      graceTimer: null,
      snapshot: record,
    })
    this.emit(record)
    this.schedulePump()
    return record
  }

  get(id: number): JobRecord {
    return this.overlay(this.repo.get(id))
  }

  /** Jobs recorded as queued/running that this queue is not running: left by a session that ended. */
  orphaned(): JobRecord[] {
    return this.repo.unfinished().filter((j) => !this.entries.has(j.id) && !this.unrecorded.has(j.id))
  }

  list(limit: number): JobRecord[] {
    return this.repo.list(limit).map((r) => this.overlay(r))
  }

  /** Cancels a queued job at once; asks a running one to stop (it ends as cancelled when it returns). */
  cancel(id: number): JobRecord {
    const record = this.get(id)
    const entry = this.entries.get(id)
    if (isFinalJobStatus(record.status)) return record
    if (!entry) {
      // Left queued/running by a session that crashed and kept for resuming (recoverInterrupted's
      // keepKinds): nothing runs it, so cancelling it is recording that it will not resume.
      this.repo.finish(id, 'cancelled', null, 'cancelled while interrupted (it had not been resumed)')
      const cancelled = this.repo.get(id)
      this.emit(cancelled)
      return cancelled
    }
    if (!entry.running) return this.conclude(entry, 'cancelled', null, null)
    if (!entry.controller.signal.aborted) {
      entry.controller.abort()
      entry.progress = { ...entry.progress, message: 'cancelling…' }
      this.writeProgress(entry)
      // A job stuck in a call that never returns (a hung disk, a lost worker) still ends within seconds.
      entry.graceTimer = setTimeout(() => {
        entry.graceTimer = null
        if (this.entries.get(entry.id) !== entry) return
        const s = Math.round(this.cancelGraceMs / 100) / 10
        this.conclude(
          entry,
          'cancelled',
          null,
          `it did not stop within ${s} s of the cancel and was abandoned`,
        )
      }, this.cancelGraceMs)
    }
    return this.get(id)
  }

  /** Resolves with the final record once the job is done, failed or cancelled. */
  settled(id: number): Promise<JobRecord> {
    const record = this.get(id)
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
        this.conclude(
          entry,
          'cancelled',
          null,
          'the project was closed while it ran; it did not stop in time',
        )
      }
    }
    // Last chance to store final states the database refused earlier (the disk may have space again).
    if (this.recordTimer) clearTimeout(this.recordTimer)
    this.recordTimer = null
    this.flushUnrecorded()
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
      this.busyQueues.set(entry.queue, entry.id)
      entry.running = true
      void this.run(entry)
    }
  }

  private async run(entry: Entry): Promise<void> {
    try {
      this.repo.markRunning(entry.id)
    } catch (e) {
      // The database refuses writes (disk full, read-only, a foreign lock): the job cannot even start.
      this.conclude(entry, 'failed', null, this.describe(e))
      return
    }
    this.emit(this.get(entry.id))
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
      error = signal.aborted ? null : this.describe(e)
    }
    // Given up on (by close() or after the cancel grace): already recorded, and its queue moved on.
    if (this.entries.get(entry.id) !== entry) return
    this.conclude(entry, status, result, error)
  }

  /** A job's error as stored: a full disk always reads "disk full while writing <file>". */
  private describe(e: unknown): string {
    if (isDiskFull(e)) return diskFullError(e, this.dbFile).message
    return e instanceof Error ? e.message : String(e)
  }

  /**
   * Ends a job: frees its queue, stores its final state and wakes its waiters. A database that refuses
   * the write (disk full, read-only, a foreign lock) does not leave the job "running" for ever: the
   * final state is served from memory and announced at once, and stored by a retry (or at close).
   */
  private conclude(
    entry: Entry,
    status: 'done' | 'failed' | 'cancelled',
    result: unknown,
    error: string | null,
  ): JobRecord {
    this.clearTimer(entry)
    if (entry.graceTimer) clearTimeout(entry.graceTimer)
    entry.graceTimer = null
    this.entries.delete(entry.id)
    if (this.busyQueues.get(entry.queue) === entry.id) this.busyQueues.delete(entry.queue)
    if (status === 'done' && entry.progress.total > 0) entry.progress = { ...entry.progress, etaSeconds: 0 }
    if (status === 'cancelled') entry.progress = { ...entry.progress, message: 'cancelled', etaSeconds: null }
    const final: Unrecorded = {
      status,
      result,
      error,
      progress: entry.progress,
      problems: entry.problems,
      problemCount: entry.problemCount,
      finishedAt: nowIso(),
    }
    if (!this.store(entry.id, final)) {
      this.unrecorded.set(entry.id, final)
      this.scheduleRecordRetry()
    }
    let record: JobRecord
    try {
      record = this.get(entry.id)
    } catch {
      // The database is closed (close() gave up on the job); the waiters still get its final state.
      record = { ...entry.snapshot, ...final, startedAt: entry.snapshot.startedAt }
    }
    this.emit(record)
    for (const w of entry.waiters.splice(0)) w(record)
    this.schedulePump()
    return record
  }

  /** Writes a final state; false when the database refuses it. */
  private store(id: number, f: Unrecorded): boolean {
    try {
      this.repo.writeProgress(id, f.progress, f.problems, f.problemCount)
      this.repo.finish(id, f.status, f.result, f.error)
      return true
    } catch {
      return false
    }
  }

  /** The stored record with a final state that is still waiting to be stored laid over it. */
  private overlay(r: JobRecord): JobRecord {
    const u = this.unrecorded.get(r.id)
    return u ? { ...r, ...u } : r
  }

  private flushUnrecorded(): void {
    for (const [id, f] of [...this.unrecorded]) if (this.store(id, f)) this.unrecorded.delete(id)
  }

  private scheduleRecordRetry(): void {
    if (this.recordTimer || this.closed || this.recordRetries >= MAX_RECORD_RETRIES) return
    this.recordTimer = setTimeout(() => {
      this.recordTimer = null
      this.recordRetries++
      this.flushUnrecorded()
      // A disk that filled again later gets a fresh round of retries.
      if (this.unrecorded.size === 0) this.recordRetries = 0
      else this.scheduleRecordRetry()
    }, this.recordRetryMs)
    // Retries must not keep a finished CLI command alive; close() makes the last attempt.
    this.recordTimer.unref()
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
    const unit = p.unit ?? entry.progress.unit
    if (unit !== undefined) entry.progress.unit = unit
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
      // Progress is advisory: a failed write (database busy, full or closing) must not fail the job.
      // Each refused write may have waited the busy timeout, so the next one waits a while.
      entry.lastWrite = Date.now() + PROGRESS_BACKOFF_MS
    }
  }

  private clearTimer(entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer)
    entry.timer = null
  }

  private emit(record: JobRecord): void {
    try {
      this.onChange(record)
    } catch {
      // A failing listener must not break the queue.
    }
  }
}
