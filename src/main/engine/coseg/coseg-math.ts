/**
 * The arithmetic of tag-driven co-segmentation, as pure functions on plain arrays (row-major, one row
 * per pixel). For one album cluster ("group") and the images of it that carry tags:
 *
 * 1. Activation restricted to the tags. An image tagged T may only contain background and T, so its
 *    class activation is the model's softmax renormalised over A = {0} ∪ T:
 *        p_k = exp(z_k) / Σ_{j∈A} exp(z_j),  k ∈ A         (z = the model's logits)
 *    Untagged classes get no column at all, so no later step can bring them back.
 *
 * 2. Affinity across the group (co-segmentation). Features f (the network's last feature map) are
 *    L2-normalised, f̂ = f/|f|. For each class c, a prototype is built from the CONFIDENT pixels of every
 *    group image whose A contains c (c = 0: every image):
 *        π_c = normalise( Σ_i w_i f̂_i ),  w_i = p_c(i) · [p_c(i) ≥ seedConfidence]
 *    (a class with no confident pixel anywhere in the group falls back to w_i = p_c(i) over all its
 *    pixels, a soft prototype; it is marked `seeded: false`). The common object of the images sharing a
 *    tag thus speaks for all of them: an image whose own activation of c is weak still gets c where its
 *    features match what the group's confident images call c.
 *
 * 3. The rule that combines them (a log-linear pool of the activation and a softmax over prototype
 *    similarities, weight α = affinityWeight, temperature T):
 *        s_k = (1 − α) · log max(p_k, 1e-8) + α · cos(f̂, π_k) / T,    q = softmax_{k∈A}(s)
 *    A class without a prototype (possible only when every feature of its images is zero) has cos = 0.
 *
 * 4. After the dense CRF (on the image, over the same |A| columns), a pixel gets its top class when that
 *    marginal is ≥ minConfidence, else 255 (no proposal).
 */

/** Activation floor before the log (a softmax can underflow to 0). */
export const ACTIVATION_FLOOR = 1e-8

/** The classes an image may contain: background, then its tags (ascending, deduplicated). */
export function allowedClasses(tags: readonly number[], numClasses: number): number[] {
  const t = [...new Set(tags)]
    .filter((c) => Number.isInteger(c) && c >= 1 && c < numClasses)
    .sort((a, b) => a - b)
  return [0, ...t]
}

/** Softmax of each pixel's logits over the `allowed` classes only: m × |allowed|, columns in that order. */
export function restrictedSoftmax(
  logits: Float32Array,
  m: number,
  numClasses: number,
  allowed: readonly number[],
): Float32Array {
  if (logits.length !== m * numClasses)
    throw new RangeError(`logits: expected ${m}×${numClasses} values, got ${logits.length}`)
  for (const c of allowed)
    if (!Number.isInteger(c) || c < 0 || c >= numClasses)
      throw new RangeError(`class ${c} is not 0–${numClasses - 1}`)
  const k = allowed.length
  const out = new Float32Array(m * k)
  for (let i = 0; i < m; i++) {
    const o = i * numClasses
    let max = -Infinity
    for (const c of allowed) max = Math.max(max, logits[o + c]!)
    let sum = 0
    for (let j = 0; j < k; j++) {
      const e = Math.exp(logits[o + allowed[j]!]! - max)
      out[i * k + j] = e
      sum += e
    }
    for (let j = 0; j < k; j++) out[i * k + j]! /= sum
  }
  return out
}

/** Each row of `d` values scaled to unit length (a zero row stays zero). */
export function l2NormalizeRows(f: Float32Array, m: number, d: number): Float32Array {
  if (f.length !== m * d) throw new RangeError(`features: expected ${m}×${d} values, got ${f.length}`)
  const out = new Float32Array(m * d)
  for (let i = 0; i < m; i++) {
    let ss = 0
    for (let j = 0; j < d; j++) ss += f[i * d + j]! ** 2
    if (ss === 0) continue
    const inv = 1 / Math.sqrt(ss)
    for (let j = 0; j < d; j++) out[i * d + j] = f[i * d + j]! * inv
  }
  return out
}

/** One image of a group, at the network's output grid. */
export interface CosegMember {
  /** Pixels of the grid. */
  m: number
  /** Classes it may contain (allowedClasses). */
  allowed: readonly number[]
  /** Restricted activation, m × |allowed| (restrictedSoftmax). */
  act: Float32Array
  /** L2-normalised features, m × dim (l2NormalizeRows). */
  unit: Float32Array
}

export interface Prototype {
  cls: number
  /** Unit vector of length dim. */
  vector: Float32Array
  /** True when built from confident pixels; false for the soft fallback. */
  seeded: boolean
  /** Pixels that carried weight, and the images they came from. */
  pixels: number
  images: number
}

function accumulate(
  members: readonly CosegMember[],
  cls: number,
  dim: number,
  threshold: number | null,
): { sum: Float64Array; pixels: number; images: number } {
  const sum = new Float64Array(dim)
  let pixels = 0
  let images = 0
  for (const mem of members) {
    const col = mem.allowed.indexOf(cls)
    if (col < 0) continue
    const k = mem.allowed.length
    let used = 0
    for (let i = 0; i < mem.m; i++) {
      const p = mem.act[i * k + col]!
      if (threshold !== null && p < threshold) continue
      if (p <= 0) continue
      used++
      for (let j = 0; j < dim; j++) sum[j]! += p * mem.unit[i * dim + j]!
    }
    pixels += used
    if (used > 0) images++
  }
  return { sum, pixels, images }
}

/**
 * The group's prototype of every class some member may contain (rule 2 above). A class whose weighted
 * sum is the zero vector gets no prototype.
 */
export function groupPrototypes(
  members: readonly CosegMember[],
  dim: number,
  seedConfidence: number,
): Map<number, Prototype> {
  const classes = [...new Set(members.flatMap((m) => m.allowed))].sort((a, b) => a - b)
  const out = new Map<number, Prototype>()
  for (const cls of classes) {
    let seeded = true
    let acc = accumulate(members, cls, dim, seedConfidence)
    if (acc.pixels === 0) {
      seeded = false
      acc = accumulate(members, cls, dim, null)
    }
    let ss = 0
    for (let j = 0; j < dim; j++) ss += acc.sum[j]! ** 2
    if (ss === 0) continue
    const inv = 1 / Math.sqrt(ss)
    const vector = Float32Array.from(acc.sum, (v) => v * inv)
    out.set(cls, { cls, vector, seeded, pixels: acc.pixels, images: acc.images })
  }
  return out
}

/**
 * Refined log-scores s (m × |allowed|) of one member (rule 3 above); softmax over a row gives q. Kept as
 * scores, not probabilities, so they can be upsampled like logits before the softmax.
 */
export function refineScores(
  mem: CosegMember,
  prototypes: ReadonlyMap<number, Prototype>,
  dim: number,
  opts: { affinityWeight: number; temperature: number },
): Float32Array {
  const k = mem.allowed.length
  const a = opts.affinityWeight
  const invT = 1 / opts.temperature
  const protos = mem.allowed.map((c) => prototypes.get(c)?.vector ?? null)
  const out = new Float32Array(mem.m * k)
  for (let i = 0; i < mem.m; i++) {
    for (let j = 0; j < k; j++) {
      const v = protos[j]
      let cos = 0
      if (v) for (let t = 0; t < dim; t++) cos += mem.unit[i * dim + t]! * v[t]!
      const p = Math.max(mem.act[i * k + j]!, ACTIVATION_FLOOR)
      out[i * k + j] = (1 - a) * Math.log(p) + a * cos * invT
    }
  }
  return out
}

/** Row-wise softmax of m × k scores. */
export function softmaxRows(s: Float32Array, m: number, k: number): Float32Array {
  const out = new Float32Array(m * k)
  for (let i = 0; i < m; i++) {
    let max = -Infinity
    for (let j = 0; j < k; j++) max = Math.max(max, s[i * k + j]!)
    let sum = 0
    for (let j = 0; j < k; j++) {
      const e = Math.exp(s[i * k + j]! - max)
      out[i * k + j] = e
      sum += e
    }
    for (let j = 0; j < k; j++) out[i * k + j]! /= sum
  }
  return out
}

/** Proposal labels from marginals q (n × |allowed|): the top class where q ≥ minConfidence, else 255. */
export function proposalLabels(
  q: Float32Array,
  n: number,
  allowed: readonly number[],
  minConfidence: number,
): Uint8Array {
  const k = allowed.length
  if (q.length !== n * k) throw new RangeError(`marginals: expected ${n}×${k} values, got ${q.length}`)
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    let best = 0
    let bv = q[i * k]!
    for (let j = 1; j < k; j++)
      if (q[i * k + j]! > bv) {
        bv = q[i * k + j]!
        best = j
      }
    out[i] = bv >= minConfidence ? allowed[best]! : 255
  }
  return out
}

/** Classes present in a label map (255 left out), ascending. */
export function presentClasses(labels: Uint8Array): number[] {
  const seen = new Uint8Array(256)
  for (let i = 0; i < labels.length; i++) seen[labels[i]!] = 1
  const out: number[] = []
  for (let c = 0; c < 255; c++) if (seen[c]) out.push(c)
  return out
}
