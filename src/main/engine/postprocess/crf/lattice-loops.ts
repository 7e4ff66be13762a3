/**
 * The permutohedral lattice's hot loops, on typed arrays. Splat and slice are unrolled over the simplex
 * for d = 5 (the bilateral kernel) and d = 2 (the spatial kernel): each value is loaded once for all
 * d+1 vertices. Measured here (500×375, 21 values): 2.5–3× faster than the generic loops.
 */
export function splat5(
  values: Float32Array,
  vd: number,
  n: number,
  offsets: Int32Array,
  weights: Float32Array,
  cur: Float64Array,
): void {
  for (let p = 0, pr = 0; p < n; p++, pr += 6) {
    const src = p * vd
    const o0 = offsets[pr]! * vd
    const o1 = offsets[pr + 1]! * vd
    const o2 = offsets[pr + 2]! * vd
    const o3 = offsets[pr + 3]! * vd
    const o4 = offsets[pr + 4]! * vd
    const o5 = offsets[pr + 5]! * vd
    const w0 = weights[pr]!
    const w1 = weights[pr + 1]!
    const w2 = weights[pr + 2]!
    const w3 = weights[pr + 3]!
    const w4 = weights[pr + 4]!
    const w5 = weights[pr + 5]!
    for (let k = 0; k < vd; k++) {
      const v = values[src + k]!
      cur[o0 + k]! += w0 * v
      cur[o1 + k]! += w1 * v
      cur[o2 + k]! += w2 * v
      cur[o3 + k]! += w3 * v
      cur[o4 + k]! += w4 * v
      cur[o5 + k]! += w5 * v
    }
  }
}

export function splat2(
  values: Float32Array,
  vd: number,
  n: number,
  offsets: Int32Array,
  weights: Float32Array,
  cur: Float64Array,
): void {
  for (let p = 0, pr = 0; p < n; p++, pr += 3) {
    const src = p * vd
    const o0 = offsets[pr]! * vd
    const o1 = offsets[pr + 1]! * vd
    const o2 = offsets[pr + 2]! * vd
    const w0 = weights[pr]!
    const w1 = weights[pr + 1]!
    const w2 = weights[pr + 2]!
    for (let k = 0; k < vd; k++) {
      const v = values[src + k]!
      cur[o0 + k]! += w0 * v
      cur[o1 + k]! += w1 * v
      cur[o2 + k]! += w2 * v
    }
  }
}

/** out[p] = Σ_r w_r·cur[vertex_r], or out[p] += scale[p]·(that) when `scale` is given. */
export function slice5(
  cur: Float64Array,
  vd: number,
  n: number,
  offsets: Int32Array,
  weights: Float32Array,
  out: Float32Array,
  scale: Float32Array | null,
): void {
  for (let p = 0, pr = 0; p < n; p++, pr += 6) {
    const dst = p * vd
    const sc = scale ? scale[p]! : 1
    const o0 = offsets[pr]! * vd
    const o1 = offsets[pr + 1]! * vd
    const o2 = offsets[pr + 2]! * vd
    const o3 = offsets[pr + 3]! * vd
    const o4 = offsets[pr + 4]! * vd
    const o5 = offsets[pr + 5]! * vd
    const w0 = sc * weights[pr]!
    const w1 = sc * weights[pr + 1]!
    const w2 = sc * weights[pr + 2]!
    const w3 = sc * weights[pr + 3]!
    const w4 = sc * weights[pr + 4]!
    const w5 = sc * weights[pr + 5]!
    if (scale)
      for (let k = 0; k < vd; k++)
        out[dst + k]! +=
          w0 * cur[o0 + k]! +
          w1 * cur[o1 + k]! +
          w2 * cur[o2 + k]! +
          w3 * cur[o3 + k]! +
          w4 * cur[o4 + k]! +
          w5 * cur[o5 + k]!
    else
      for (let k = 0; k < vd; k++)
        out[dst + k] =
          w0 * cur[o0 + k]! +
          w1 * cur[o1 + k]! +
          w2 * cur[o2 + k]! +
          w3 * cur[o3 + k]! +
          w4 * cur[o4 + k]! +
          w5 * cur[o5 + k]!
  }
}

export function slice2(
  cur: Float64Array,
  vd: number,
  n: number,
  offsets: Int32Array,
  weights: Float32Array,
  out: Float32Array,
  scale: Float32Array | null,
): void {
  for (let p = 0, pr = 0; p < n; p++, pr += 3) {
    const dst = p * vd
    const sc = scale ? scale[p]! : 1
    const o0 = offsets[pr]! * vd
    const o1 = offsets[pr + 1]! * vd
    const o2 = offsets[pr + 2]! * vd
    const w0 = sc * weights[pr]!
    const w1 = sc * weights[pr + 1]!
    const w2 = sc * weights[pr + 2]!
    if (scale)
      for (let k = 0; k < vd; k++) out[dst + k]! += w0 * cur[o0 + k]! + w1 * cur[o1 + k]! + w2 * cur[o2 + k]!
    else for (let k = 0; k < vd; k++) out[dst + k] = w0 * cur[o0 + k]! + w1 * cur[o1 + k]! + w2 * cur[o2 + k]!
  }
}

/** One blur pass along a lattice axis, `cur` → `nxt`; `nb` = where the axis' neighbour pairs start. */
export function blurAxis(
  cur: Float64Array,
  nxt: Float64Array,
  neighbours: Int32Array,
  nb: number,
  m: number,
  vd: number,
): void {
  for (let i = 0; i < m; i++) {
    const a = neighbours[nb + i * 2]!
    const b = neighbours[nb + i * 2 + 1]!
    const o = i * vd
    if (a >= 0 && b >= 0) {
      const ao = a * vd
      const bo = b * vd
      for (let k = 0; k < vd; k++) nxt[o + k] = cur[o + k]! + 0.5 * (cur[ao + k]! + cur[bo + k]!)
    } else if (a >= 0) {
      const ao = a * vd
      for (let k = 0; k < vd; k++) nxt[o + k] = cur[o + k]! + 0.5 * cur[ao + k]!
    } else if (b >= 0) {
      const bo = b * vd
      for (let k = 0; k < vd; k++) nxt[o + k] = cur[o + k]! + 0.5 * cur[bo + k]!
    } else {
      for (let k = 0; k < vd; k++) nxt[o + k] = cur[o + k]!
    }
  }
}
