/** Waiting for a studio job from the command line, with progress and Ctrl-C → cancel. */
import { isFinalJobStatus, JobStatus, type JobRecord, type StartedJob } from '../../shared/api'
import type { Studio } from '../app/studio'
import type { CliIo } from './args'

export function isFinished(job: JobRecord): boolean {
  return isFinalJobStatus(job.status)
}

export function formatProgress(job: JobRecord): string {
  const p = job.progress
  const pct = p.total > 0 ? ` ${Math.floor((100 * p.done) / p.total)}%` : ''
  const count = p.total > 0 ? ` ${p.done}/${p.total}` : p.done > 0 ? ` ${p.done}` : ''
  const rate = p.rate !== null ? `, ${p.rate.toFixed(1)}/s` : ''
  const eta =
    p.etaSeconds !== null && job.status === JobStatus.Running
      ? `, about ${Math.ceil(p.etaSeconds)} s left`
      : ''
  return `[job ${job.id}] ${job.status}${pct}${count}${rate}${eta}${p.message ? ` — ${p.message}` : ''}`
}

/**
 * Starts a job and resolves with its final record. Events are watched from before the start, so a
 * job that ends at once is not missed; progress lines are throttled to one every `throttleMs`.
 * An abort (Ctrl-C) cancels the job; the import keeps what it already imported.
 */
export async function waitForJob(
  studio: Studio,
  start: (studio: Studio) => Promise<StartedJob>,
  io: CliIo,
  onProgress: (job: JobRecord) => void,
  throttleMs = 500,
): Promise<JobRecord> {
  let jobId: number | null = null
  let lastPrinted = 0
  let finish: (job: JobRecord) => void = () => {}
  const finished = new Promise<JobRecord>((resolve) => {
    finish = resolve
  })
  const early: JobRecord[] = []
  const seen = (job: JobRecord): void => {
    if (jobId === null) {
      early.push(job)
      return
    }
    if (job.id !== jobId) return
    if (isFinished(job)) {
      finish(job)
      return
    }
    const now = Date.now()
    if (now - lastPrinted >= throttleMs) {
      lastPrinted = now
      onProgress(job)
    }
  }
  const off = studio.on('job', seen)
  const cancel = (): void => {
    if (jobId === null) return
    io.err(`Cancelling job ${jobId}…`)
    studio.api
      .cancelJob({ jobId })
      .catch((err: unknown) => io.err(`could not cancel: ${(err as Error).message}`))
  }
  try {
    jobId = (await start(studio)).jobId
    for (const job of early.splice(0)) seen(job)
    io.signal.addEventListener('abort', cancel, { once: true })
    if (io.signal.aborted) cancel()
    // The job may have ended between start and subscription replay: ask once.
    const now = await studio.api.getJob({ jobId })
    if (isFinished(now)) finish(now)
    const last = await finished
    // The stored record is the complete one (events may be coalesced).
    return await studio.api.getJob({ jobId: last.id })
  } finally {
    off()
    io.signal.removeEventListener('abort', cancel)
  }
}
