/**
 * Procedural textures ("paints"): pure functions from a point in some frame (object-local units or
 * scene units) to an RGB colour. Noise is hash-based lattice noise, so a texture is defined everywhere
 * without tables and is the same whatever the image size or the order pixels are visited in.
 */
import { mix32, type Rng } from './rng'

/** RGB with components in 0–255 (floats; quantised only when the image is encoded). */
export type Rgb = readonly [number, number, number]

// ---------------------------------------------------------------------------------------------
// Noise

function hash2(ix: number, iy: number, seed: number): number {
  return mix32((Math.imul(ix, 0x27d4eb2d) ^ Math.imul(iy, 0x165667b1) ^ seed) >>> 0) / 4294967296
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t)
}

/** Smooth value noise in [0, 1), one lattice cell per unit. */
export function valueNoise(x: number, y: number, seed: number): number {
  const ix = Math.floor(x)
  const iy = Math.floor(y)
  const fx = smooth(x - ix)
  const fy = smooth(y - iy)
  const a = hash2(ix, iy, seed)
  const b = hash2(ix + 1, iy, seed)
  const c = hash2(ix, iy + 1, seed)
  const d = hash2(ix + 1, iy + 1, seed)
  return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy
}

/** Fractal sum of value noise, normalised back to [0, 1). */
export function fbm(x: number, y: number, seed: number, octaves: number): number {
  let sum = 0
  let amp = 1
  let norm = 0
  let f = 1
  for (let o = 0; o < octaves; o++) {
    sum += amp * valueNoise(x * f, y * f, seed + o * 1013)
    norm += amp
    amp *= 0.5
    f *= 2.03
  }
  return sum / norm
}

/** Per-cell random value in [0, 1) (for tiles, planks, spots). */
export function cellRandom(ix: number, iy: number, seed: number): number {
  return hash2(ix, iy, seed ^ 0x5bd1e995)
}

// ---------------------------------------------------------------------------------------------
// Colours

export function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v
}

export function hsv(h: number, s: number, v: number): Rgb {
  const hh = (((h % 1) + 1) % 1) * 6
  const i = Math.floor(hh)
  const f = hh - i
  const p = v * (1 - s)
  const q = v * (1 - s * f)
  const t = v * (1 - s * (1 - f))
  const [r, g, b] =
    i === 0
      ? [v, t, p]
      : i === 1
        ? [q, v, p]
        : i === 2
          ? [p, v, t]
          : i === 3
            ? [p, q, v]
            : i === 4
              ? [t, p, v]
              : [v, p, q]
  return [r * 255, g * 255, b * 255]
}

export function scale(c: Rgb, k: number): Rgb {
  return [clampByte(c[0] * k), clampByte(c[1] * k), clampByte(c[2] * k)]
}

export function lerpRgb(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]
}

/** A colour near `c`: brightness and per-channel jitter, so instances of one palette entry differ. */
export function jitter(rng: Rng, c: Rgb, amount: number): Rgb {
  const k = 1 + rng.range(-amount, amount)
  return [
    clampByte(c[0] * k + rng.range(-amount, amount) * 60),
    clampByte(c[1] * k + rng.range(-amount, amount) * 60),
    clampByte(c[2] * k + rng.range(-amount, amount) * 60),
  ]
}

// ---------------------------------------------------------------------------------------------
// Paints

interface PaintBase {
  seed: number
  /** Fine per-point grain, as a fraction of brightness (sensor/texture grit). */
  grain: number
}

export type Paint = PaintBase &
  (
    | { kind: 'flat'; color: Rgb }
    /** Colour modulated by low-frequency noise; `size` = feature size in frame units. */
    | { kind: 'noise'; color: Rgb; amp: number; size: number }
    /** Two colours blended by fbm (patches, dapples, clouds, camouflage); `edge` sharpens the blend. */
    | { kind: 'blend'; a: Rgb; b: Rgb; size: number; threshold: number; edge: number }
    /** Parallel bands, wobbled by noise (fur stripes, wallpaper, grass mowing lines). */
    | { kind: 'stripes'; a: Rgb; b: Rgb; period: number; angle: number; duty: number; wobble: number }
    /** Jittered dots on a grid. */
    | { kind: 'spots'; base: Rgb; spot: Rgb; cell: number; radius: number }
    /** Rectangular tiles with grout and per-tile tint (floor tiles, bricks with offset rows). */
    | {
        kind: 'tiles'
        tile: Rgb
        grout: Rgb
        w: number
        h: number
        groutWidth: number
        offsetRows: boolean
        tint: number
      }
    /** Horizontal wood planks with grain. */
    | { kind: 'planks'; color: Rgb; plank: number; length: number; tint: number }
    /** Vertical gradient from `top` at v0 to `bottom` at v1. */
    | { kind: 'gradient'; top: Rgb; bottom: Rgb; v0: number; v1: number }
    /** Horizontal ripples (water): bands of two colours whose phase wanders with noise. */
    | { kind: 'waves'; a: Rgb; b: Rgb; period: number }
    /** A facade: wall colour with a grid of windows. */
    | { kind: 'windows'; wall: Rgb; glass: Rgb; cellW: number; cellH: number; fillW: number; fillH: number }
  )

export type PaintKind = Paint['kind']

function exhaustive(x: never): never {
  throw new Error(`unhandled paint ${String(x)}`)
}

/**
 * Colour of `paint` at (u, v), written into out[o..o+2]. Kept allocation-free: it runs once per pixel.
 */
export function samplePaint(paint: Paint, u: number, v: number, out: Float32Array, o: number): void {
  let r: number
  let g: number
  let b: number
  switch (paint.kind) {
    case 'flat':
      r = paint.color[0]
      g = paint.color[1]
      b = paint.color[2]
      break
    case 'noise': {
      const k = 1 + paint.amp * (fbm(u / paint.size, v / paint.size, paint.seed, 3) * 2 - 1)
      r = paint.color[0] * k
      g = paint.color[1] * k
      b = paint.color[2] * k
      break
    }
    case 'blend': {
      const n = fbm(u / paint.size, v / paint.size, paint.seed, 3)
      const t = Math.min(1, Math.max(0, (n - paint.threshold) * paint.edge + 0.5))
      r = paint.a[0] + (paint.b[0] - paint.a[0]) * t
      g = paint.a[1] + (paint.b[1] - paint.a[1]) * t
      b = paint.a[2] + (paint.b[2] - paint.a[2]) * t
      break
    }
    case 'stripes': {
      const ca = Math.cos(paint.angle)
      const sa = Math.sin(paint.angle)
      const along = u * ca + v * sa
      const across = -u * sa + v * ca
      const w = paint.wobble * (valueNoise(along / (paint.period * 3), 0.5, paint.seed) - 0.5)
      const phase = (((across / paint.period + w) % 1) + 1) % 1
      const c = phase < paint.duty ? paint.b : paint.a
      r = c[0]
      g = c[1]
      b = c[2]
      break
    }
    case 'spots': {
      const gx = u / paint.cell
      const gy = v / paint.cell
      const ix = Math.floor(gx)
      const iy = Math.floor(gy)
      const cx = ix + 0.2 + 0.6 * cellRandom(ix, iy, paint.seed)
      const cy = iy + 0.2 + 0.6 * cellRandom(ix, iy, paint.seed + 7)
      const rad = paint.radius * (0.6 + 0.8 * cellRandom(ix, iy, paint.seed + 13))
      const d2 = (gx - cx) * (gx - cx) + (gy - cy) * (gy - cy)
      const c = d2 < rad * rad ? paint.spot : paint.base
      r = c[0]
      g = c[1]
      b = c[2]
      break
    }
    case 'tiles': {
      const row = Math.floor(v / paint.h)
      const shift = paint.offsetRows && row % 2 !== 0 ? 0.5 : 0
      const col = Math.floor(u / paint.w + shift)
      const fu = u / paint.w + shift - col
      const fv = v / paint.h - row
      const gw = paint.groutWidth
      if (fu < gw / paint.w || fv < gw / paint.h) {
        r = paint.grout[0]
        g = paint.grout[1]
        b = paint.grout[2]
      } else {
        const k = 1 + paint.tint * (cellRandom(col, row, paint.seed) * 2 - 1)
        r = paint.tile[0] * k
        g = paint.tile[1] * k
        b = paint.tile[2] * k
      }
      break
    }
    case 'planks': {
      const row = Math.floor(v / paint.plank)
      const off = cellRandom(0, row, paint.seed) * paint.length
      const col = Math.floor((u + off) / paint.length)
      const fv = v / paint.plank - row
      const fu = (u + off) / paint.length - col
      const seam = fv < 0.06 || fu < 0.01
      const grainLine =
        0.5 +
        0.5 *
          Math.sin(
            (v / paint.plank) * 18 + 6 * valueNoise(u / (paint.length * 0.3), v / paint.plank, paint.seed),
          )
      const k =
        (seam ? 0.55 : 1) *
        (1 + paint.tint * (cellRandom(col, row, paint.seed + 3) * 2 - 1)) *
        (0.9 + 0.12 * grainLine)
      r = paint.color[0] * k
      g = paint.color[1] * k
      b = paint.color[2] * k
      break
    }
    case 'gradient': {
      const t = Math.min(1, Math.max(0, (v - paint.v0) / (paint.v1 - paint.v0 || 1)))
      r = paint.top[0] + (paint.bottom[0] - paint.top[0]) * t
      g = paint.top[1] + (paint.bottom[1] - paint.top[1]) * t
      b = paint.top[2] + (paint.bottom[2] - paint.top[2]) * t
      break
    }
    case 'waves': {
      const phase =
        v / paint.period + 1.5 * fbm(u / (paint.period * 6), v / (paint.period * 2), paint.seed, 2)
      const t = 0.5 + 0.5 * Math.sin(phase * 2 * Math.PI)
      const tt = t * t * t
      r = paint.a[0] + (paint.b[0] - paint.a[0]) * tt
      g = paint.a[1] + (paint.b[1] - paint.a[1]) * tt
      b = paint.a[2] + (paint.b[2] - paint.a[2]) * tt
      break
    }
    case 'windows': {
      const ix = Math.floor(u / paint.cellW)
      const iy = Math.floor(v / paint.cellH)
      const fu = u / paint.cellW - ix - (1 - paint.fillW) / 2
      const fv = v / paint.cellH - iy - (1 - paint.fillH) / 2
      if (fu >= 0 && fu < paint.fillW && fv >= 0 && fv < paint.fillH) {
        const lit = cellRandom(ix, iy, paint.seed) < 0.25 ? 1.35 : 1
        r = paint.glass[0] * lit
        g = paint.glass[1] * lit
        b = paint.glass[2] * lit
      } else {
        r = paint.wall[0]
        g = paint.wall[1]
        b = paint.wall[2]
      }
      break
    }
    default:
      exhaustive(paint)
  }
  if (paint.grain > 0) {
    // Grain at a fixed fine pitch in frame units; hashed, not sampled from an RNG, to stay order-free.
    const k = 1 + paint.grain * (hash2(Math.floor(u * 211), Math.floor(v * 211), paint.seed ^ 0x9e37) * 2 - 1)
    r *= k
    g *= k
    b *= k
  }
  out[o] = r
  out[o + 1] = g
  out[o + 2] = b
}
