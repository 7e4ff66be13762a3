/**
 * Rate and ETA of a job from its recent progress: items per second over a sliding time window, so
 * the estimate follows the current speed (a slow start or a fast phase of cached files) rather than the
 * average since the start. Pure: the caller passes timestamps.
 */
export interface RateSample {
  t: number // ms
  done: number
}

export class RateWindow {
  private samples: RateSample[] = []

  constructor(
    private readonly windowMs = 10_000,
    /** Below this span the rate is too noisy to show. */
    private readonly minSpanMs = 500,
  ) {}

  add(t: number, done: number): void {
    const last = this.samples[this.samples.length - 1]
    // Progress went backwards: a new phase started counting from zero; its rate starts afresh.
    if (last && done < last.done) this.samples = []
    this.samples.push({ t, done })
    // Keep one sample older than the window so the window is always fully spanned.
    while (this.samples.length > 2 && this.samples[1]!.t <= t - this.windowMs) this.samples.shift()
  }

  /** Items per second, or null while there is not enough history. */
  rate(): number | null {
    const first = this.samples[0]
    const last = this.samples[this.samples.length - 1]
    if (!first || !last || last.t - first.t < this.minSpanMs) return null
    return ((last.done - first.done) * 1000) / (last.t - first.t)
  }
}

/** Seconds left at `rate`, or null when unknown (no total, no rate, or no progress being made). */
export function etaSeconds(done: number, total: number, rate: number | null): number | null {
  if (rate === null || rate <= 0 || total <= 0) return null
  return Math.max(0, (total - done) / rate)
}
