/**
 * The exact dense Gaussian filter, out_i = Σ_j exp(-|f_i - f_j|² / 2) · v_j over ALL pairs (O(N²)),
 * accumulated in float64. For tests and tiny images only: it is the ground truth the permutohedral
 * lattice approximates, and the same sum the numpy reference (tests/fixtures/crf/) computes.
 */
import type { FilterInto, GaussianFilter } from './gaussian-filter'

/** Above this many points the N×N kernel matrix (8·N² bytes) is refused. */
export const EXACT_FILTER_MAX_POINTS = 4096

export class ExactGaussianFilter implements GaussianFilter {
  private readonly kernel: Float64Array

  constructor(
    features: Float32Array,
    readonly n: number,
    readonly d: number,
  ) {
    if (n > EXACT_FILTER_MAX_POINTS)
      throw new RangeError(
        `exact filter: ${n} points is more than ${EXACT_FILTER_MAX_POINTS} (use the lattice)`,
      )
    if (features.length !== n * d)
      throw new RangeError(`features: expected ${n * d} values, got ${features.length}`)
    this.kernel = new Float64Array(n * n)
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0
        for (let k = 0; k < d; k++) {
          const diff = features[i * d + k]! - features[j * d + k]!
          s += diff * diff
        }
        const v = Math.exp(-s / 2)
        this.kernel[i * n + j] = v
        this.kernel[j * n + i] = v
      }
    }
  }

  filter(values: Float32Array, vd: number, out: Float32Array, into?: FilterInto): void {
    const n = this.n
    if (values.length !== n * vd || out.length !== n * vd) throw new RangeError('filter: wrong buffer sizes')
    const acc = new Float64Array(vd)
    for (let i = 0; i < n; i++) {
      acc.fill(0)
      for (let j = 0; j < n; j++) {
        const k = this.kernel[i * n + j]!
        for (let c = 0; c < vd; c++) acc[c]! += k * values[j * vd + c]!
      }
      if (into) {
        const sc = into.scale[i]!
        for (let c = 0; c < vd; c++) out[i * vd + c]! += sc * acc[c]!
      } else for (let c = 0; c < vd; c++) out[i * vd + c] = acc[c]!
    }
  }
}
