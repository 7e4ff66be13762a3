/**
 * The `run` events of one album run: started, live progress, ended. Progress is throttled (a training
 * step can report hundreds of times a second; a view needs a few updates a second), except that a new
 * phase always goes out at once, so the view never shows the previous phase's numbers for long.
 */
import type { RunEvent, RunLive, RunStatus } from '../../shared/runs'

export type RunEventSink = (e: RunEvent) => void

/** At most one progress event per run this often (ms). */
export const RUN_PROGRESS_EVERY_MS = 200

export class RunEvents {
  private lastAt = -Infinity
  private lastPhase: string | null = null

  constructor(
    private readonly sink: RunEventSink,
    private readonly runId: number,
    private readonly albumId: number | null,
    private readonly now: () => number = () => performance.now(),
  ) {}

  started(): void {
    this.send({ runId: this.runId, albumId: this.albumId, change: 'started', status: 'running', live: null })
  }

  progress(live: RunLive): void {
    const t = this.now()
    if (live.phase === this.lastPhase && t - this.lastAt < RUN_PROGRESS_EVERY_MS) return
    this.lastAt = t
    this.lastPhase = live.phase
    this.send({ runId: this.runId, albumId: this.albumId, change: 'progress', status: 'running', live })
  }

  ended(status: RunStatus): void {
    this.send({ runId: this.runId, albumId: this.albumId, change: 'ended', status, live: null })
  }

  private send(e: RunEvent): void {
    // Events are advisory: a failing listener must never fail the run.
    try {
      this.sink(e)
    } catch (err) {
      console.error('PSS Studio: a run event listener failed:', err)
    }
  }
}
