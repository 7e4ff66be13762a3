/**
 * Mean-field inference of the fully connected CRF (Krähenbühl & Koltun 2011, Algorithm 1) with Potts
 * compatibility. With μ(a,b) = [a ≠ b] the pairwise message for label l is, up to a per-pixel constant
 * that the normalisation removes, -Σ_m w_m Σ_j k_m(i,j) Q_j(l), so each iteration is
 *   Q_i(l) ∝ exp( log P_i(l) + Σ_m w_m · (Σ_j k_m(i,j) Q_j(l)) / (Σ_j k_m(i,j)) )
 * where P are the input probabilities (unary U = -log P, P floored at PROB_FLOOR) and the sums run over
 * all pixels j including i. Each kernel is normalised per pixel (divided by its sum over j), as in the
 * densecrf code DeepLab ships (PottsPotential with per-pixel normalisation): this makes w_m mean the same
 * at every image size and cancels the lattice's global scale. The exact O(N²) filter and the
 * permutohedral lattice compute the same sums (the lattice approximately).
 */
import { CrfParamsSchema, type CrfParams, type CrfParamsInput } from './crf-params'
import { ExactGaussianFilter } from './exact-filter'
import type { FilterKind, GaussianFilter } from './gaussian-filter'
import { PermutohedralLattice } from './permutohedral'

/** Probabilities below this are raised to it before the log (a softmax can underflow to 0). */
export const PROB_FLOOR = 1e-8

export interface CrfImage {
  width: number
  height: number
  /** Row-major RGB, 3 bytes per pixel (the image the probabilities belong to, same size). */
  data: Uint8Array
}

export interface DenseCrfOptions {
  /** 'lattice' (default, O(N)) or 'exact' (O(N²), tiny images: tests). */
  filter?: FilterKind
  /** Called with the marginals after each iteration (a view that the next iteration overwrites). */
  onIteration?: (iteration: number, q: Float32Array) => void
}

/** (x/θα, y/θα, r/θβ, g/θβ, b/θβ) per pixel. */
export function bilateralFeatures(img: CrfImage, xyStd: number, rgbStd: number): Float32Array {
  const n = img.width * img.height
  const f = new Float32Array(n * 5)
  for (let y = 0, i = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++, i++) {
      f[i * 5] = x / xyStd
      f[i * 5 + 1] = y / xyStd
      f[i * 5 + 2] = img.data[i * 3]! / rgbStd
      f[i * 5 + 3] = img.data[i * 3 + 1]! / rgbStd
      f[i * 5 + 4] = img.data[i * 3 + 2]! / rgbStd
    }
  return f
}

/** (x/θγ, y/θγ) per pixel. */
export function spatialFeatures(width: number, height: number, xyStd: number): Float32Array {
  const f = new Float32Array(width * height * 2)
  for (let y = 0, i = 0; y < height; y++)
    for (let x = 0; x < width; x++, i++) {
      f[i * 2] = x / xyStd
      f[i * 2 + 1] = y / xyStd
    }
  return f
}

function makeFilter(kind: FilterKind, features: Float32Array, n: number, d: number): GaussianFilter {
  switch (kind) {
    case 'lattice':
      return new PermutohedralLattice(features, n, d)
    case 'exact':
      return new ExactGaussianFilter(features, n, d)
    default: {
      const never: never = kind
      throw new Error(`unknown filter ${String(never)}`)
    }
  }
}

/**
 * Below this, e^t is returned as 0. e^-30 ≈ 9e-14 is below the float32 resolution of everything it feeds
 * (a softmax row sums to ≥ 1; the next iteration adds w·Q ≤ 7·9e-14 to logits whose float32 step is
 * ≥ 1e-7 in the usual range), and a trained net's 21-class output puts most classes far below it, so
 * most exponentials are skipped. It also keeps float32 subnormals (slow arithmetic) out of Q.
 */
const EXP_CUTOFF = -30
/** e^t = e^(k·ln2/32) · e^r with |r| ≤ ln2/64: the first factor from this table, k = EXP_KMIN…0. */
const EXP_STEPS = 32
const EXP_KMIN = Math.floor((EXP_CUTOFF * EXP_STEPS) / Math.LN2) - 1
const EXP_TABLE = Float64Array.from({ length: -EXP_KMIN + 1 }, (_, i) =>
  Math.exp(((i + EXP_KMIN) * Math.LN2) / EXP_STEPS),
)

/**
 * e^t for EXP_CUTOFF ≤ t ≤ 0 to ≈1e-12 relative (float32 resolves 6e-8): a table factor times the
 * degree-4 Taylor polynomial of e^r, |r| ≤ 0.011. The softmax of every mean-field iteration takes N·C
 * exponentials (3.9 M for 500×375×21) and Math.exp costs ≈20 ns here; this is about 2× cheaper (measured).
 */
function fastExpNeg(t: number): number {
  if (t < EXP_CUTOFF) return 0
  const k = Math.floor(t * (EXP_STEPS / Math.LN2) + 0.5)
  const r = t - k * (Math.LN2 / EXP_STEPS)
  return EXP_TABLE[k - EXP_KMIN]! * (1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r / 24))))
}

/** Each row of C values of `src` → its softmax, written to `dst` (which may be `src`). */
function softmaxRows(src: Float32Array, dst: Float32Array, n: number, c: number): void {
  for (let i = 0; i < n; i++) {
    const o = i * c
    let max = -Infinity
    for (let l = 0; l < c; l++) if (src[o + l]! > max) max = src[o + l]!
    let sum = 0
    for (let l = 0; l < c; l++) {
      const e = fastExpNeg(src[o + l]! - max)
      dst[o + l] = e
      sum += e
    }
    const inv = 1 / sum
    for (let l = 0; l < c; l++) dst[o + l]! *= inv
  }
}

interface Kernel {
  filter: GaussianFilter
  /** w / Σ_j k(i,j) per pixel: the kernel's weight and per-pixel normalisation in one factor. */
  scale: Float32Array
}

/**
 * The spatial kernel depends only on the image size and θγ, and an album's photos often share a size:
 * the last one built is kept (its lattice and 1/Σk, ≈5 MB at 500×375) and reused with any weight.
 */
let lastSpatial: { key: string; filter: GaussianFilter; invNorm: Float32Array } | null = null

function spatialKernel(
  kind: FilterKind,
  width: number,
  height: number,
  xyStd: number,
  weight: number,
): Kernel {
  const key = `${kind}:${width}x${height}:${xyStd}`
  if (lastSpatial?.key !== key) {
    const unit = kernel(1, makeFilter(kind, spatialFeatures(width, height, xyStd), width * height, 2))
    lastSpatial = { key, filter: unit.filter, invNorm: unit.scale }
  }
  const scale = new Float32Array(lastSpatial.invNorm.length)
  for (let i = 0; i < scale.length; i++) scale[i] = weight * lastSpatial.invNorm[i]!
  return { filter: lastSpatial.filter, scale }
}

function kernel(weight: number, filter: GaussianFilter): Kernel {
  const ones = new Float32Array(filter.n).fill(1)
  const norm = new Float32Array(filter.n)
  filter.filter(ones, 1, norm)
  for (let i = 0; i < norm.length; i++) norm[i] = weight / Math.max(norm[i]!, 1e-20)
  return { filter, scale: norm }
}

/**
 * Refined marginals Q (N×C, row-major HWC like `probs`) after `params.iterations` mean-field steps.
 * `probs` are per-pixel class probabilities (rows need not sum to exactly 1); it is not modified.
 */
export function denseCrf(
  probs: Float32Array,
  img: CrfImage,
  numClasses: number,
  paramsIn: CrfParamsInput | CrfParams = {},
  opts: DenseCrfOptions = {},
): Float32Array {
  const params = CrfParamsSchema.parse(paramsIn)
  const n = img.width * img.height
  const c = numClasses
  if (!Number.isInteger(c) || c < 1) throw new RangeError(`numClasses must be ≥ 1, got ${c}`)
  if (probs.length !== n * c)
    throw new RangeError(`probabilities: expected ${n}×${c} = ${n * c} values, got ${probs.length}`)
  if (img.data.length !== n * 3)
    throw new RangeError(`image: expected ${n * 3} RGB bytes, got ${img.data.length}`)
  const kind = opts.filter ?? 'lattice'

  const logP = new Float32Array(n * c)
  for (let i = 0; i < logP.length; i++) logP[i] = Math.log(Math.max(probs[i]!, PROB_FLOOR))
  const q = new Float32Array(n * c)
  softmaxRows(logP, q, n, c)
  if (params.iterations === 0 || n === 0) return q

  const kernels: Kernel[] = []
  const { bilateral: bi, spatial: sp } = params
  if (bi.weight > 0)
    kernels.push(kernel(bi.weight, makeFilter(kind, bilateralFeatures(img, bi.xyStd, bi.rgbStd), n, 5)))
  if (sp.weight > 0) kernels.push(spatialKernel(kind, img.width, img.height, sp.xyStd, sp.weight))

  const acc = new Float32Array(n * c)
  for (let it = 1; it <= params.iterations; it++) {
    acc.set(logP)
    for (const k of kernels) k.filter.filter(q, c, acc, { scale: k.scale })
    softmaxRows(acc, q, n, c)
    opts.onIteration?.(it, q)
  }
  return q
}

/** Per-pixel argmax of N×C rows (ties: the lowest class). */
export function argmaxRows(q: Float32Array, n: number, c: number): Uint8Array {
  if (c > 256) throw new RangeError('argmaxRows: at most 256 classes fit a label byte')
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const o = i * c
    let best = 0
    let bv = q[o]!
    for (let l = 1; l < c; l++)
      if (q[o + l]! > bv) {
        bv = q[o + l]!
        best = l
      }
    out[i] = best
  }
  return out
}

export type { CrfParams, CrfParamsInput }
