/**
 * Summaries of benchmark timings and the album-personalization estimate built from them (pure; no timing
 * happens here). The median is the headline because background load on shared cores only ever adds time;
 * the minimum is the least-disturbed sample.
 */

export interface SampleStats {
  /** Median of the samples (ms). */
  msMedian: number
  /** Fastest sample (ms). */
  msMin: number
}

export function sampleStats(samplesMs: readonly number[]): SampleStats {
  if (samplesMs.length === 0) throw new Error('sampleStats: no timing samples')
  if (samplesMs.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new Error(`sampleStats: timings must be finite and ≥ 0, got ${samplesMs.join(', ')}`)
  }
  const s = [...samplesMs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  const msMedian = s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
  return { msMedian, msMin: s[0] as number }
}

/** tfjs time over PyTorch time (> 1: tfjs is slower); null when either is missing. */
export function ratio(tfMs: number | null, torchMs: number | null): number | null {
  if (tfMs == null || torchMs == null || !(torchMs > 0)) return null
  return tfMs / torchMs
}

export interface AlbumEstimateInput {
  /** Adaptation steps (each one AdvEnt step at the measured batch). */
  steps: number
  msPerStep: number
  /** Album images predicted once after adaptation. */
  images: number
  msPerImage: number
}

/** Estimated wall time (minutes) of personalizing an album: steps × step time + images × predict time. */
export function albumEstimateMinutes(e: AlbumEstimateInput): number {
  for (const [k, v] of Object.entries(e)) {
    if (!Number.isFinite(v) || v < 0)
      throw new Error(`albumEstimateMinutes: ${k} must be finite and ≥ 0, got ${v}`)
  }
  return (e.steps * e.msPerStep + e.images * e.msPerImage) / 60000
}
