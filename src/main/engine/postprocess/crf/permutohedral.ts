/**
 * Permutohedral lattice (Adams, Baek & Davis 2010), the fast Gaussian filter of the dense CRF
 * (Krähenbühl & Koltun 2011): points with d-dimensional features (already divided by their standard
 * deviations) are splatted onto the vertices of the enclosing simplex of the lattice A*_d with
 * barycentric weights, blurred with a [1 2 1]/… kernel along each of the d+1 lattice axes, and sliced
 * back with the same weights. The result approximates Σ_j exp(-|f_i - f_j|²/2) v_j up to a (roughly)
 * constant factor, in O(N·d²) to build and O(N·d·V) to filter V values per point, instead of O(N²·V).
 *
 * The construction follows Krähenbühl's densecrf implementation (the lattice scale that makes one blur
 * approximate a unit Gaussian, the "closest remainder-0 point" rounding, the rank sort). Everything is
 * on typed arrays: no tfjs, no allocation per point.
 */
import type { FilterInto, GaussianFilter } from './gaussian-filter'
import { blurAxis, slice2, slice5, splat2, splat5 } from './lattice-loops'

/** Open-addressing hash of integer lattice keys (d Int32 coordinates) → dense vertex index. */
class KeyTable {
  /** Vertex keys, d per vertex, in insertion order. */
  keys: Int32Array
  /** Slots → vertex index + 1 (0 = empty). */
  private slots: Int32Array
  size = 0

  constructor(
    private readonly d: number,
    capacity: number,
  ) {
    this.keys = new Int32Array(capacity * d)
    this.slots = new Int32Array(nextPow2(capacity * 2))
  }

  private hash(key: Int32Array, off: number): number {
    let h = 0
    for (let k = 0; k < this.d; k++) h = (Math.imul(h, 2531011) + key[off + k]!) | 0
    // Final avalanche so neighbouring keys spread over the table.
    h ^= h >>> 15
    h = Math.imul(h, 0x2c1b3c6d)
    h ^= h >>> 12
    return h >>> 0
  }

  private equals(vertex: number, key: Int32Array, off: number): boolean {
    const base = vertex * this.d
    for (let k = 0; k < this.d; k++) if (this.keys[base + k] !== key[off + k]) return false
    return true
  }

  /** Index of `key` (d values from `off`); inserts it when `insert`, else returns -1 when absent. */
  find(key: Int32Array, off: number, insert: boolean): number {
    if (insert && this.size * 2 >= this.slots.length) this.grow()
    const mask = this.slots.length - 1
    let s = this.hash(key, off) & mask
    for (;;) {
      const v = this.slots[s]!
      if (v === 0) {
        if (!insert) return -1
        if ((this.size + 1) * this.d > this.keys.length) {
          const bigger = new Int32Array(this.keys.length * 2)
          bigger.set(this.keys)
          this.keys = bigger
        }
        const idx = this.size++
        for (let k = 0; k < this.d; k++) this.keys[idx * this.d + k] = key[off + k]!
        this.slots[s] = idx + 1
        return idx
      }
      if (this.equals(v - 1, key, off)) return v - 1
      s = (s + 1) & mask
    }
  }

  private grow(): void {
    const old = this.slots
    this.slots = new Int32Array(old.length * 2)
    const mask = this.slots.length - 1
    for (const v of old) {
      if (v === 0) continue
      let s = this.hash(this.keys, (v - 1) * this.d) & mask
      while (this.slots[s] !== 0) s = (s + 1) & mask
      this.slots[s] = v
    }
  }
}

function nextPow2(n: number): number {
  let p = 16
  while (p < n) p *= 2
  return p
}

export class PermutohedralLattice implements GaussianFilter {
  /** Number of lattice vertices (M). */
  readonly vertices: number
  /** Per point, its d+1 enclosing vertices (indices into the vertex arrays) and barycentric weights. */
  private readonly offsets: Int32Array
  private readonly weights: Float32Array
  /** Per blur axis j and vertex i: the two neighbours along axis j (-1 = none), at [(j*M + i)*2 + 0/1]. */
  private readonly neighbours: Int32Array
  /** Lattice values (float64: the splat sums many terms), reused across filter calls of one width. */
  private work: Float64Array = new Float64Array(0)
  private work2: Float64Array = new Float64Array(0)

  /**
   * @param features N×d row-major features, each coordinate already divided by its standard deviation.
   */
  constructor(
    features: Float32Array,
    readonly n: number,
    readonly d: number,
  ) {
    if (features.length !== n * d)
      throw new RangeError(`features: expected ${n * d} values, got ${features.length}`)
    const d1 = d + 1
    // Scale so that the lattice blur below approximates a Gaussian of standard deviation 1.
    const invStd = Math.sqrt(2 / 3) * d1
    const scale = new Float64Array(d)
    for (let i = 0; i < d; i++) scale[i] = invStd / Math.sqrt((i + 1) * (i + 2))
    // canonical[r*(d+1) + i]: coordinate i of the remainder-r simplex vertex, relative to the rem-0 one.
    const canonical = new Int32Array(d1 * d1)
    for (let r = 0; r <= d; r++) {
      for (let i = 0; i <= d - r; i++) canonical[r * d1 + i] = r
      for (let i = d - r + 1; i <= d; i++) canonical[r * d1 + i] = r - d1
    }

    const table = new KeyTable(d, Math.max(64, Math.min(n * d1, 1 << 16)))
    this.offsets = new Int32Array(n * d1)
    this.weights = new Float32Array(n * d1)
    const elevated = new Float64Array(d1)
    const rem0 = new Int32Array(d1)
    const rank = new Int32Array(d1)
    const bary = new Float64Array(d + 2)
    const key = new Int32Array(d1)

    for (let p = 0; p < n; p++) {
      const f = p * d
      // Elevate onto the hyperplane Σx = 0 of R^{d+1} (the lattice's embedding space).
      let sm = 0
      for (let i = d; i > 0; i--) {
        const cf = features[f + i - 1]! * scale[i - 1]!
        elevated[i] = sm - i * cf
        sm += cf
      }
      elevated[0] = sm
      // Nearest remainder-0 lattice point: round each coordinate to a multiple of d+1.
      let sum = 0
      for (let i = 0; i <= d; i++) {
        const v = elevated[i]! / d1
        const up = Math.ceil(v) * d1
        const down = Math.floor(v) * d1
        rem0[i] = up - elevated[i]! < elevated[i]! - down ? up : down
        sum += rem0[i]!
      }
      sum /= d1
      // Rank the differences (a sort of the d+1 coordinates), then fix points that rounded off-plane.
      rank.fill(0)
      for (let i = 0; i < d; i++) {
        const di = elevated[i]! - rem0[i]!
        for (let j = i + 1; j <= d; j++) {
          if (di < elevated[j]! - rem0[j]!) rank[i]!++
          else rank[j]!++
        }
      }
      for (let i = 0; i <= d; i++) {
        rank[i]! += sum
        if (rank[i]! < 0) {
          rank[i]! += d1
          rem0[i]! += d1
        } else if (rank[i]! > d) {
          rank[i]! -= d1
          rem0[i]! -= d1
        }
      }
      // Barycentric coordinates of the point in its simplex.
      bary.fill(0)
      for (let i = 0; i <= d; i++) {
        const v = (elevated[i]! - rem0[i]!) / d1
        bary[d - rank[i]!]! += v
        bary[d - rank[i]! + 1]! -= v
      }
      bary[0]! += 1 + bary[d + 1]!
      // The simplex's d+1 vertices: keys are the first d coordinates (the last is implied by Σ = 0).
      for (let r = 0; r <= d; r++) {
        for (let i = 0; i < d; i++) key[i] = rem0[i]! + canonical[r * d1 + rank[i]!]!
        this.offsets[p * d1 + r] = table.find(key, 0, true)
        this.weights[p * d1 + r] = bary[r]!
      }
    }

    const m = table.size
    this.vertices = m
    // Neighbours along each lattice axis j: ±(1,…,1,-d,1,…,1) in the d stored coordinates
    // (for j = d only the implied last coordinate moves: all stored ones shift by ±1).
    this.neighbours = new Int32Array(d1 * m * 2)
    const n1 = new Int32Array(d)
    const n2 = new Int32Array(d)
    for (let j = 0; j <= d; j++) {
      for (let i = 0; i < m; i++) {
        const base = i * d
        for (let k = 0; k < d; k++) {
          n1[k] = table.keys[base + k]! + 1
          n2[k] = table.keys[base + k]! - 1
        }
        if (j < d) {
          n1[j] = table.keys[base + j]! - d
          n2[j] = table.keys[base + j]! + d
        }
        this.neighbours[(j * m + i) * 2] = table.find(n1, 0, false)
        this.neighbours[(j * m + i) * 2 + 1] = table.find(n2, 0, false)
      }
    }
  }

  /**
   * out[i] ≈ c · Σ_j exp(-|f_i - f_j|²/2) · values[j] for `vd` values per point (row-major N×vd), with an
   * unknown but nearly constant c (callers normalise by filtering ones). `out` may not alias `values`.
   * With `into`: out[i] += into.scale[i] · (that sum) instead.
   */
  filter(values: Float32Array, vd: number, out: Float32Array, into?: FilterInto): void {
    const { n, d } = this
    const d1 = d + 1
    const m = this.vertices
    if (values.length !== n * vd || out.length !== n * vd) throw new RangeError('filter: wrong buffer sizes')
    if (this.work.length !== m * vd) {
      this.work = new Float64Array(m * vd)
      this.work2 = new Float64Array(m * vd)
    }
    let cur = this.work
    let nxt = this.work2
    cur.fill(0)
    // Locals, not `this.` fields, in the hot loops: V8 keeps them in registers.
    const offsets = this.offsets
    const weights = this.weights
    const neighbours = this.neighbours
    // Splat (the common 5-D and 2-D cases unrolled over the simplex: each value is loaded once).
    if (d === 5) splat5(values, vd, n, offsets, weights, cur)
    else if (d === 2) splat2(values, vd, n, offsets, weights, cur)
    else
      for (let p = 0, pr = 0; p < n; p++) {
        const src = p * vd
        for (let r = 0; r < d1; r++, pr++) {
          const w = weights[pr]!
          const dst = offsets[pr]! * vd
          for (let k = 0; k < vd; k++) cur[dst + k]! += w * values[src + k]!
        }
      }
    // Blur along each axis: v_i ← v_i + (v_{i-} + v_{i+}) / 2 (missing neighbours count 0).
    for (let j = 0; j <= d; j++) {
      blurAxis(cur, nxt, neighbours, j * m * 2, m, vd)
      const t = cur
      cur = nxt
      nxt = t
    }
    // Slice (the 1/(1 + 2^-d) factor of densecrf is left out: it cancels in the normalisation).
    const rowScale = into?.scale ?? null
    if (d === 5) slice5(cur, vd, n, offsets, weights, out, rowScale)
    else if (d === 2) slice2(cur, vd, n, offsets, weights, out, rowScale)
    else {
      if (!rowScale) out.fill(0)
      for (let p = 0, pr = 0; p < n; p++) {
        const dst = p * vd
        const sc = rowScale ? rowScale[p]! : 1
        for (let r = 0; r < d1; r++, pr++) {
          const w = sc * weights[pr]!
          const src = offsets[pr]! * vd
          for (let k = 0; k < vd; k++) out[dst + k]! += w * cur[src + k]!
        }
      }
    }
  }
}
