/**
 * The collapse detector of an adaptation stage (issue 13 item 7), pure: from the class probabilities the
 * model gives a fixed probe batch of album images, summarise what it predicts (share of background, the
 * dominant class and its share, mean normalised entropy), and compare a later summary with the stage's
 * start. A target loss that rewards confidence (entropy, adversarial entropy maps, pseudo labels) has a
 * trivial optimum — one class everywhere, usually background — and a stage that reaches it only gets worse.
 *
 * The thresholds are fixed a priori, not fitted to any reported result:
 *   COLLAPSE_SHARE 0.98  — a model that puts ≥ 98 % of the probe pixels in one class has stopped segmenting
 *                          (an album image with a person or object in it is rarely 98 % background at the
 *                          model's stride-8 grid);
 *   COLLAPSE_RISE 0.2    — the share must have risen by ≥ 0.2 since the stage's start, so an album that the
 *                          starting model already sees as mostly background is not called a collapse…
 *   COLLAPSE_REMAINING 0.1 — …unless the other classes lost ≥ 90 % of the pixels they had at the start (a
 *                          start at 90 % background that falls to 99.5 % has lost 95 % of its objects);
 *   ENTROPY_FLOOR 0.05   — a single non-background class counts only with near-certain pixels (mean
 *                          entropy ≤ 5 % of ln C): a confident one-class model, not a merely uncertain one.
 */
import type { CollapseKind } from '../../../shared/adaptation-guard'

export const COLLAPSE_SHARE = 0.98
export const COLLAPSE_RISE = 0.2
export const COLLAPSE_REMAINING = 0.1
export const ENTROPY_FLOOR = 0.05

/** What the model predicts on the probe batch. Shares are of the probe's pixels (0–1). */
export interface PredictionStats {
  pixels: number
  backgroundShare: number
  dominantClass: number
  dominantShare: number
  /** Mean per-pixel entropy of the class distribution, divided by ln C (0 = certain, 1 = uniform). */
  meanEntropy: number
  /** Share of the pixels predicted as each class. */
  shares: number[]
}

export interface Collapse {
  kind: CollapseKind
  /** The collapsed class (0 = background), its share of the probe pixels, and its share at the start. */
  classId: number
  share: number
  startShare: number
}

/** Summarises per-pixel class probabilities (pixel-major: probs[p·C + c]). */
export function predictionStats(probs: Float32Array, numClasses: number): PredictionStats {
  if (numClasses < 2) throw new Error(`predictionStats: need at least 2 classes, got ${numClasses}`)
  if (probs.length === 0 || probs.length % numClasses !== 0)
    throw new Error(
      `predictionStats: ${probs.length} probabilities are not whole pixels of ${numClasses} classes`,
    )
  const pixels = probs.length / numClasses
  const counts = new Float64Array(numClasses)
  let entropy = 0
  for (let p = 0; p < pixels; p++) {
    let arg = 0
    let best = -Infinity
    let h = 0
    for (let c = 0; c < numClasses; c++) {
      const v = probs[p * numClasses + c]!
      if (v > best) {
        best = v
        arg = c
      }
      if (v > 0) h -= v * Math.log(v)
    }
    counts[arg]! += 1
    entropy += h
  }
  let dominantClass = 0
  for (let c = 1; c < numClasses; c++) if (counts[c]! > counts[dominantClass]!) dominantClass = c
  return {
    pixels,
    backgroundShare: counts[0]! / pixels,
    dominantClass,
    dominantShare: counts[dominantClass]! / pixels,
    meanEntropy: entropy / pixels / Math.log(numClasses),
    shares: [...counts].map((n) => n / pixels),
  }
}

/** Whether class `share` now, against `before` at the stage's start, is a collapse onto one class. */
function collapsedOnto(now: number, before: number): boolean {
  // A start already at the threshold had nothing to lose: this stage did not collapse it.
  if (now < COLLAPSE_SHARE || before >= COLLAPSE_SHARE) return false
  return now - before >= COLLAPSE_RISE || 1 - now <= COLLAPSE_REMAINING * (1 - before)
}

/** The collapse `now` shows against the stage's `start`, or null. */
export function detectCollapse(start: PredictionStats, now: PredictionStats): Collapse | null {
  if (collapsedOnto(now.backgroundShare, start.backgroundShare))
    return { kind: 'background', classId: 0, share: now.backgroundShare, startShare: start.backgroundShare }
  if (now.dominantClass !== 0 && now.meanEntropy <= ENTROPY_FLOOR) {
    const before = start.shares[now.dominantClass] ?? 0
    if (collapsedOnto(now.dominantShare, before))
      return {
        kind: 'single-class',
        classId: now.dominantClass,
        share: now.dominantShare,
        startShare: before,
      }
  }
  return null
}

/**
 * The run's sentence for a stopped stage, e.g. "stage advent stopped at step 12 of 100: predictions
 * collapsed to background (99.6 % of pixels; 71.0 % at the stage's start)".
 */
export function collapseMessage(
  stage: string,
  iteration: number,
  steps: number,
  c: Collapse,
  className: string,
): string {
  const pct = `${(c.share * 100).toFixed(1)} % of pixels; ${(c.startShare * 100).toFixed(1)} % at the stage's start`
  const what =
    c.kind === 'background'
      ? `predictions collapsed to background (${pct})`
      : `predictions collapsed to one class, ${className} (${pct}, near-zero entropy)`
  return `stage ${stage} stopped at step ${iteration} of ${steps}: ${what}`
}
