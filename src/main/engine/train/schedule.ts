/**
 * Learning-rate schedules. The paper's segmenter uses the "poly" schedule of DeepLab/PSPNet:
 * lr(it) = base · (1 − it / max)^power with power 0.9; it = max gives 0.
 */
export function polyLr(base: number, it: number, maxIt: number, power = 0.9): number {
  if (!(maxIt > 0)) throw new Error(`polyLr: maxIt must be > 0, got ${maxIt}`)
  if (it < 0) throw new Error(`polyLr: iteration must be ≥ 0, got ${it}`)
  const frac = Math.min(1, it / maxIt)
  return base * Math.pow(1 - frac, power)
}
