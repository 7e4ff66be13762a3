/**
 * The low-level "camera" of a photo: colour processing, blur and sensor noise applied to a clean render.
 * Each user has one fixed setting (their phone, their habits); source images get small random ones,
 * like the many cameras behind a public dataset. The colour step is a documented per-pixel formula so
 * a test can recompute it independently.
 */
import type { Rng } from './rng'

export interface Shift {
  /** Saturation factor around the pixel's luma (0.299 R + 0.587 G + 0.114 B). */
  saturation: number
  /** Per-channel colour cast (multiplicative gains). */
  gains: readonly [number, number, number]
  /** Contrast around mid-grey 128. */
  contrast: number
  /** Added brightness, in 0–255 levels. */
  brightness: number
  /** Gaussian blur sigma in pixels (0 = none). */
  blurSigma: number
  /** Gaussian sensor noise sigma in 0–255 levels (0 = none). */
  noiseSigma: number
}

export const NO_SHIFT: Shift = {
  saturation: 1,
  gains: [1, 1, 1],
  contrast: 1,
  brightness: 0,
  blurSigma: 0,
  noiseSigma: 0,
}

/**
 * The colour step for one pixel, in order: saturation around luma, cast gains, contrast around 128 plus
 * brightness, clamp to 0–255.
 */
export function shiftColour(r: number, g: number, b: number, s: Shift, out: Float32Array, o: number): void {
  const luma = 0.299 * r + 0.587 * g + 0.114 * b
  out[o] = level(luma + s.saturation * (r - luma), s.gains[0], s)
  out[o + 1] = level(luma + s.saturation * (g - luma), s.gains[1], s)
  out[o + 2] = level(luma + s.saturation * (b - luma), s.gains[2], s)
}

function level(c: number, gain: number, s: Shift): number {
  const v = (c * gain - 128) * s.contrast + 128 + s.brightness
  return v < 0 ? 0 : v > 255 ? 255 : v
}

/** Applies colour, blur, then noise; returns 8-bit RGB ready for JPEG encoding. `rgb` is consumed. */
export function applyShift(
  rgb: Float32Array,
  width: number,
  height: number,
  s: Shift,
  noiseRng: Rng,
): Uint8Array {
  for (let i = 0; i < rgb.length; i += 3) shiftColour(rgb[i]!, rgb[i + 1]!, rgb[i + 2]!, s, rgb, i)
  const blurred = s.blurSigma > 0.05 ? gaussianBlur(rgb, width, height, s.blurSigma) : rgb
  const out = new Uint8Array(blurred.length)
  if (s.noiseSigma > 0) {
    const table = gaussTable()
    const sigma = s.noiseSigma
    // Two 12-bit table indices per 32-bit draw (bits 20–31 and 4–15): half the generator calls.
    for (let i = 0; i < blurred.length; i += 2) {
      const u = noiseRng.nextU32()
      blurred[i] = blurred[i]! + sigma * table[u >>> 20]!
      if (i + 1 < blurred.length) blurred[i + 1] = blurred[i + 1]! + sigma * table[(u >>> 4) & GAUSS_MASK]!
    }
  }
  // Uint8Array stores truncate; +0.5 after clamping rounds half up, like Math.round on non-negatives.
  for (let i = 0; i < blurred.length; i++) {
    const v = blurred[i]!
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : v + 0.5
  }
  return out
}

// Sensor noise needs hundreds of thousands of normal deviates per image; a Box–Muller per value is the
// slowest step of a render. Instead: a table of standard-normal quantiles at 4096 evenly spaced
// probabilities, indexed by a uniform draw — the same distribution to 1/4096 resolution.
const GAUSS_BITS = 12
const GAUSS_MASK = (1 << GAUSS_BITS) - 1
let gaussCache: Float32Array | null = null

function gaussTable(): Float32Array {
  if (gaussCache) return gaussCache
  const n = 1 << GAUSS_BITS
  const t = new Float32Array(n)
  for (let i = 0; i < n; i++) t[i] = normalQuantile((i + 0.5) / n)
  gaussCache = t
  return t
}

/** Inverse standard-normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ]
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ]
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
  const lo = 0.02425
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p))
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    )
  }
  if (p > 1 - lo) return -normalQuantile(1 - p)
  const q = p - 0.5
  const r = q * q
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  )
}

/** Separable Gaussian blur of interleaved RGB, edges clamped. */
export function gaussianBlur(rgb: Float32Array, w: number, h: number, sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma))
  const kernel = new Float32Array(2 * radius + 1)
  let sum = 0
  for (let i = -radius; i <= radius; i++) {
    const k = Math.exp(-(i * i) / (2 * sigma * sigma))
    kernel[i + radius] = k
    sum += k
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] = kernel[i]! / sum
  const tmp = new Float32Array(rgb.length)
  const out = new Float32Array(rgb.length)
  blurPass(rgb, tmp, w, h, kernel, radius, 3, w * 3, w)
  blurPass(tmp, out, w, h, kernel, radius, w * 3, 3, h)
  return out
}

/**
 * One 1-D pass: for each of the lines (rows or columns), convolve along it. `step` is the distance in
 * array elements between neighbours along the line, `lineStep` between lines; `len` the line length.
 */
function blurPass(
  src: Float32Array,
  dst: Float32Array,
  w: number,
  h: number,
  kernel: Float32Array,
  radius: number,
  step: number,
  lineStep: number,
  len: number,
): void {
  const lines = step === 3 ? h : w
  for (let line = 0; line < lines; line++) {
    const base = line * lineStep
    for (let i = 0; i < len; i++) {
      let r = 0
      let g = 0
      let b = 0
      for (let k = -radius; k <= radius; k++) {
        const j = i + k < 0 ? 0 : i + k >= len ? len - 1 : i + k
        const o = base + j * step
        const kv = kernel[k + radius]!
        r += kv * src[o]!
        g += kv * src[o + 1]!
        b += kv * src[o + 2]!
      }
      const o = base + i * step
      dst[o] = r
      dst[o + 1] = g
      dst[o + 2] = b
    }
  }
}
