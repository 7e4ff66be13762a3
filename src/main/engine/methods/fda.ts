/**
 * FDA's Fourier domain adaptation of a source image (Yang & Soatto 2020, FDA_source_to_target): replace
 * the low-frequency amplitude of the source image's 2-D DFT with the target image's, keep the source phase,
 * invert. Per channel, on raw pixel values (0..255, before normalisation). The low band is the four corner
 * blocks b×b of the unshifted spectrum, b = ⌊min(H, W)·β⌋ (`fdaSourceToTarget`, the released rule).
 *
 * The released β = 0.01 was set for 1024×512 crops (b = 5). At the sizes a CPU trains at (64–160 px) the
 * released floor gives b = 0 and FDA silently does nothing, so a training batch uses at least one bin
 * (`fdaTrainingBand`): b = max(1, ⌊min(H, W)·β⌋). β·min(H, W) = 0.64 bins at 64 px rounds to that one
 * bin anyway; it is not a tuned value, only the smallest band that changes the image. β = 0 stays off.
 *
 * Only the 4b² corner coefficients change, so instead of two full FFTs this computes those coefficients
 * directly (separable DFT sums, O(H·W·b)) and adds the inverse DFT of their change to the image — exact, for
 * any H and W (no power-of-two FFT needed). The corner set is closed under (u,v) → (−u,−v), and |F_t| is
 * symmetric while the source phase is antisymmetric, so the new spectrum is Hermitian and the result real,
 * as in the released code (torch.irfft of the mutated full spectrum).
 */

export function fdaBand(h: number, w: number, beta: number): number {
  return Math.floor(Math.min(h, w) * beta)
}

/** The band a training batch of h×w images uses: the released band, at least one bin where β > 0. */
export function fdaTrainingBand(h: number, w: number, beta: number): number {
  return beta > 0 ? Math.max(1, fdaBand(h, w, beta)) : 0
}

/** Frequencies of the band along an axis of length n: [0, b) ∪ [n − b, n), without repeats. */
function bandIndices(n: number, b: number): number[] {
  const s = new Set<number>()
  for (let k = 0; k < b; k++) {
    s.add(k)
    s.add(n - b + k)
  }
  return [...s].sort((a, c) => a - c)
}

interface Coeffs {
  re: Float64Array
  im: Float64Array
}

/** DFT coefficients F(u, v) for u ∈ rows, v ∈ cols of channel `ch` of an interleaved H×W×C image. */
function cornerDft(
  img: ArrayLike<number>,
  h: number,
  w: number,
  c: number,
  ch: number,
  rows: number[],
  cols: number[],
): Coeffs {
  const nv = cols.length
  // Row transforms at the band columns: R(y, v) = Σ_x s(y, x) e^{−2πi v x / w}.
  const rRe = new Float64Array(h * nv)
  const rIm = new Float64Array(h * nv)
  for (let j = 0; j < nv; j++) {
    const v = cols[j]!
    const cosX = new Float64Array(w)
    const sinX = new Float64Array(w)
    for (let x = 0; x < w; x++) {
      const a = (2 * Math.PI * ((v * x) % w)) / w
      cosX[x] = Math.cos(a)
      sinX[x] = Math.sin(a)
    }
    for (let y = 0; y < h; y++) {
      let re = 0
      let im = 0
      const base = y * w * c + ch
      for (let x = 0; x < w; x++) {
        const s = img[base + x * c]!
        re += s * cosX[x]!
        im -= s * sinX[x]!
      }
      rRe[y * nv + j] = re
      rIm[y * nv + j] = im
    }
  }
  const re = new Float64Array(rows.length * nv)
  const im = new Float64Array(rows.length * nv)
  rows.forEach((u, i) => {
    for (let y = 0; y < h; y++) {
      const a = (2 * Math.PI * ((u * y) % h)) / h
      const co = Math.cos(a)
      const si = -Math.sin(a)
      for (let j = 0; j < nv; j++) {
        const ar = rRe[y * nv + j]!
        const ai = rIm[y * nv + j]!
        re[i * nv + j]! += ar * co - ai * si
        im[i * nv + j]! += ar * si + ai * co
      }
    }
  })
  return { re, im }
}

/**
 * The source image with the target's low-frequency amplitude: H×W×C interleaved values (both images the
 * same size), result as float32 (not clamped, as in the released code).
 */
export function fdaSourceToTarget(
  src: ArrayLike<number>,
  trg: ArrayLike<number>,
  h: number,
  w: number,
  c: number,
  beta: number,
): Float32Array {
  return fdaSwapBand(src, trg, h, w, c, fdaBand(h, w, beta))
}

/** The amplitude swap over the corner blocks of width b (b = 0: the source unchanged). */
export function fdaSwapBand(
  src: ArrayLike<number>,
  trg: ArrayLike<number>,
  h: number,
  w: number,
  c: number,
  b: number,
): Float32Array {
  if (src.length !== h * w * c || trg.length !== h * w * c) {
    throw new Error(`fdaSourceToTarget: images must both be ${h}×${w}×${c}`)
  }
  const out = Float32Array.from(src)
  if (b === 0) return out
  const rows = bandIndices(h, b)
  const cols = bandIndices(w, b)
  const nv = cols.length
  for (let ch = 0; ch < c; ch++) {
    const fs = cornerDft(src, h, w, c, ch, rows, cols)
    const ft = cornerDft(trg, h, w, c, ch, rows, cols)
    // Δ = |F_t|·e^{i·arg F_s} − F_s (arg 0 = 0, as atan2(0, 0) in torch and numpy).
    const dRe = new Float64Array(rows.length * nv)
    const dIm = new Float64Array(rows.length * nv)
    for (let k = 0; k < dRe.length; k++) {
      const amp = Math.hypot(ft.re[k]!, ft.im[k]!)
      const phase = Math.atan2(fs.im[k]!, fs.re[k]!)
      dRe[k] = amp * Math.cos(phase) - fs.re[k]!
      dIm[k] = amp * Math.sin(phase) - fs.im[k]!
    }
    // Inverse: out(y, x) += Re Σ_{u,v} Δ(u,v) e^{2πi(uy/h + vx/w)} / (h·w), separably.
    const gRe = new Float64Array(nv)
    const gIm = new Float64Array(nv)
    const cosV = cols.map((v) =>
      Float64Array.from({ length: w }, (_, x) => Math.cos((2 * Math.PI * ((v * x) % w)) / w)),
    )
    const sinV = cols.map((v) =>
      Float64Array.from({ length: w }, (_, x) => Math.sin((2 * Math.PI * ((v * x) % w)) / w)),
    )
    const norm = 1 / (h * w)
    for (let y = 0; y < h; y++) {
      gRe.fill(0)
      gIm.fill(0)
      rows.forEach((u, i) => {
        const a = (2 * Math.PI * ((u * y) % h)) / h
        const co = Math.cos(a)
        const si = Math.sin(a)
        for (let j = 0; j < nv; j++) {
          const r = dRe[i * nv + j]!
          const m = dIm[i * nv + j]!
          gRe[j]! += r * co - m * si
          gIm[j]! += r * si + m * co
        }
      })
      for (let x = 0; x < w; x++) {
        let acc = 0
        for (let j = 0; j < nv; j++) acc += gRe[j]! * cosV[j]![x]! - gIm[j]! * sinV[j]![x]!
        out[(y * w + x) * c + ch]! += acc * norm
      }
    }
  }
  return out
}

/**
 * FDA on a training batch: image k of `source` takes the amplitude of image k of `target` (N×S×S×C each),
 * with the band at least one bin wide (`fdaTrainingBand`).
 */
export function fdaBatch(
  source: Float32Array,
  target: Float32Array,
  n: number,
  size: number,
  c: number,
  beta: number,
): Float32Array {
  const per = size * size * c
  const out = new Float32Array(source.length)
  for (let k = 0; k < n; k++) {
    out.set(
      fdaSwapBand(
        source.subarray(k * per, (k + 1) * per),
        target.subarray(k * per, (k + 1) * per),
        size,
        size,
        c,
        fdaTrainingBand(size, size, beta),
      ),
      k * per,
    )
  }
  return out
}
