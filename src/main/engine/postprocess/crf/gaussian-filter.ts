/** What mean-field needs from a Gaussian filter: out_i ≈ c · Σ_j exp(-|f_i - f_j|²/2) · v_j (c cancels). */
export interface GaussianFilter {
  readonly n: number
  /**
   * `values` and `out` are N×vd row-major and must not alias. With `into`, the filtered row i is
   * multiplied by `into.scale[i]` and ADDED to `out` (what mean-field needs, without a temp buffer).
   */
  filter(values: Float32Array, vd: number, out: Float32Array, into?: FilterInto): void
}

export interface FilterInto {
  /** Per-point factor (N values). */
  scale: Float32Array
}

export const FILTER_KINDS = ['lattice', 'exact'] as const
export type FilterKind = (typeof FILTER_KINDS)[number]
