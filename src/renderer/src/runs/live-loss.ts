/**
 * The loss curve of a run while it trains, built from its live progress reports (the stored curve is
 * written only when training ends). One curve per run and phase: a new run, a new phase or an iteration
 * count going backwards (the next adaptation stage) starts it afresh. Pure: no Vue, no I/O.
 */
import type { LossPoint, RunLive } from '../../../shared/runs'

/** Points kept at most; older ones are thinned to every other point, so a long run stays cheap to draw. */
export const LIVE_LOSS_MAX_POINTS = 400

export class LiveLoss {
  private key = ''
  private points: LossPoint[] = []

  /** Adds the report of run `runId` (null: nothing live) and returns the curve so far. */
  add(runId: number | null, live: RunLive | null | undefined): LossPoint[] {
    if (runId === null || !live) return this.points
    const key = `${runId}:${live.phase}`
    const last = this.points[this.points.length - 1]
    if (key !== this.key || (last !== undefined && live.done < last.iteration)) {
      this.key = key
      this.points = []
    }
    if (live.loss === null || !Number.isFinite(live.loss)) return this.points
    const tail = this.points[this.points.length - 1]
    if (tail !== undefined && live.done <= tail.iteration) return this.points
    let next = [...this.points, { iteration: live.done, loss: live.loss }]
    if (next.length > LIVE_LOSS_MAX_POINTS) next = next.filter((_, i) => i % 2 === 0 || i === next.length - 1)
    this.points = next
    return next
  }
}
