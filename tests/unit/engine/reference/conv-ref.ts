/**
 * Float64 reference convolutions written with plain loops, independent of tfjs and of the engine's
 * kernels (which express gradients as forward convs). Gradients here are the literal chain rule of the
 * forward sum: the weight gradient accumulates x·dy over every (output, tap) pair, the input gradient
 * scatters dy·f back to the input position each tap read.
 * Layouts: x [N,H,W,C] (NHWC), conv filter [KH,KW,Ci,Co], depthwise filter [KH,KW,C,M].
 */

export type RefPad = 'same' | 'valid' | { top: number; bottom: number; left: number; right: number }

export interface Geometry {
  n: number
  h: number
  w: number
  ci: number
  kh: number
  kw: number
  sh: number
  sw: number
  dh: number
  dw: number
  oh: number
  ow: number
  pt: number
  pl: number
}

/** TensorFlow's output size and padding rules, written out from the TF documentation. */
function axis(
  size: number,
  k: number,
  s: number,
  d: number,
  pad: RefPad,
  which: 'h' | 'w',
): [number, number] {
  const eff = (k - 1) * d + 1
  if (pad === 'same') {
    const out = Math.ceil(size / s)
    const total = Math.max((out - 1) * s + eff - size, 0)
    return [out, Math.floor(total / 2)]
  }
  if (pad === 'valid') return [Math.ceil((size - eff + 1) / s), 0]
  const before = which === 'h' ? pad.top : pad.left
  const after = which === 'h' ? pad.bottom : pad.right
  return [Math.floor((size + before + after - eff) / s) + 1, before]
}

export function geometry(
  xShape: readonly number[],
  kShape: readonly number[],
  strides: [number, number],
  dilations: [number, number],
  pad: RefPad,
): Geometry {
  const [n, h, w, ci] = xShape as [number, number, number, number]
  const [kh, kw] = kShape as [number, number]
  const [oh, pt] = axis(h, kh, strides[0], dilations[0], pad, 'h')
  const [ow, pl] = axis(w, kw, strides[1], dilations[1], pad, 'w')
  return {
    n,
    h,
    w,
    ci,
    kh,
    kw,
    sh: strides[0],
    sw: strides[1],
    dh: dilations[0],
    dw: dilations[1],
    oh,
    ow,
    pt,
    pl,
  }
}

/** Calls `f(n, oh, ow, kh, kw, ih, iw)` for every tap that reads inside the input. */
function forEachTap(
  g: Geometry,
  f: (n: number, o: number, p: number, a: number, b: number, i: number, j: number) => void,
) {
  for (let n = 0; n < g.n; n++)
    for (let o = 0; o < g.oh; o++)
      for (let p = 0; p < g.ow; p++)
        for (let a = 0; a < g.kh; a++) {
          const i = o * g.sh + a * g.dh - g.pt
          if (i < 0 || i >= g.h) continue
          for (let b = 0; b < g.kw; b++) {
            const j = p * g.sw + b * g.dw - g.pl
            if (j < 0 || j >= g.w) continue
            f(n, o, p, a, b, i, j)
          }
        }
}

export function conv2dRef(x: Float64Array, f: Float64Array, g: Geometry, co: number): Float64Array {
  const y = new Float64Array(g.n * g.oh * g.ow * co)
  forEachTap(g, (n, o, p, a, b, i, j) => {
    const yb = ((n * g.oh + o) * g.ow + p) * co
    const xb = ((n * g.h + i) * g.w + j) * g.ci
    for (let c = 0; c < g.ci; c++) {
      const xv = x[xb + c] as number
      const fb = ((a * g.kw + b) * g.ci + c) * co
      for (let d = 0; d < co; d++) y[yb + d] = (y[yb + d] as number) + xv * (f[fb + d] as number)
    }
  })
  return y
}

export function conv2dFilterGradRef(
  x: Float64Array,
  dy: Float64Array,
  g: Geometry,
  co: number,
): Float64Array {
  const df = new Float64Array(g.kh * g.kw * g.ci * co)
  forEachTap(g, (n, o, p, a, b, i, j) => {
    const yb = ((n * g.oh + o) * g.ow + p) * co
    const xb = ((n * g.h + i) * g.w + j) * g.ci
    for (let c = 0; c < g.ci; c++) {
      const xv = x[xb + c] as number
      const fb = ((a * g.kw + b) * g.ci + c) * co
      for (let d = 0; d < co; d++) df[fb + d] = (df[fb + d] as number) + xv * (dy[yb + d] as number)
    }
  })
  return df
}

export function conv2dInputGradRef(f: Float64Array, dy: Float64Array, g: Geometry, co: number): Float64Array {
  const dx = new Float64Array(g.n * g.h * g.w * g.ci)
  forEachTap(g, (n, o, p, a, b, i, j) => {
    const yb = ((n * g.oh + o) * g.ow + p) * co
    const xb = ((n * g.h + i) * g.w + j) * g.ci
    for (let c = 0; c < g.ci; c++) {
      const fb = ((a * g.kw + b) * g.ci + c) * co
      let s = 0
      for (let d = 0; d < co; d++) s += (dy[yb + d] as number) * (f[fb + d] as number)
      dx[xb + c] = (dx[xb + c] as number) + s
    }
  })
  return dx
}

/** Depthwise: y[n,o,p,c·m+j] = Σ x[n,i,j',c]·f[a,b,c,j]. */
export function depthwiseRef(x: Float64Array, f: Float64Array, g: Geometry, m: number): Float64Array {
  const co = g.ci * m
  const y = new Float64Array(g.n * g.oh * g.ow * co)
  forEachTap(g, (n, o, p, a, b, i, j) => {
    const yb = ((n * g.oh + o) * g.ow + p) * co
    const xb = ((n * g.h + i) * g.w + j) * g.ci
    for (let c = 0; c < g.ci; c++)
      for (let q = 0; q < m; q++) {
        const k = yb + c * m + q
        y[k] = (y[k] as number) + (x[xb + c] as number) * (f[((a * g.kw + b) * g.ci + c) * m + q] as number)
      }
  })
  return y
}

export function depthwiseGradsRef(
  x: Float64Array,
  f: Float64Array,
  dy: Float64Array,
  g: Geometry,
  m: number,
): { dx: Float64Array; df: Float64Array } {
  const co = g.ci * m
  const dx = new Float64Array(x.length)
  const df = new Float64Array(f.length)
  forEachTap(g, (n, o, p, a, b, i, j) => {
    const yb = ((n * g.oh + o) * g.ow + p) * co
    const xb = ((n * g.h + i) * g.w + j) * g.ci
    for (let c = 0; c < g.ci; c++)
      for (let q = 0; q < m; q++) {
        const fi = ((a * g.kw + b) * g.ci + c) * m + q
        const d = dy[yb + c * m + q] as number
        dx[xb + c] = (dx[xb + c] as number) + d * (f[fi] as number)
        df[fi] = (df[fi] as number) + d * (x[xb + c] as number)
      }
  })
  return { dx, df }
}

/** ‖a − b‖₂ / ‖b‖₂ (b is the reference). */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relError: lengths differ (${a.length} vs ${b.length})`)
  let num = 0
  let den = 0
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number)
    num += d * d
    den += (b[i] as number) * (b[i] as number)
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den)
}
