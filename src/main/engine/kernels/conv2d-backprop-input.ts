/**
 * Conv2DBackpropInput composed of the backend's own fast kernels (wasm's stock one is a naive loop ~12×
 * slower than a forward conv).
 *
 *   dx[n,h,w,ci] = Σ_{kh,kw,co} dy[n,oh,ow,co] · f[kh,kw,ci,co]   where h = oh·s + kh·d − pt (same for w)
 *
 * Three forms, chosen by geometry:
 *  - stride 1: a forward conv of dy, padded by (K−1)·d − p, with the spatially reversed, in/out-swapped
 *    filter at dilation d;
 *  - equal strides s > 1, dilation 1: one conv at the coarse resolution with a combined filter whose output
 *    channels are the s² phases, then DepthToSpace (see subpixel.ts);
 *  - anything else (unequal strides, stride and dilation both > 1): dy with s−1 zeros inserted, then the
 *    stride-1 form.
 */
import * as tf from '@tensorflow/tfjs'
import { inputGradAxis } from './conv-geometry'
import { phaseAxis, phaseTap, subpixelAxis, subpixelBlockIndex } from './subpixel'
import { withKernelCalls, type KernelCalls, type TensorInfo } from './kernel-calls'
import type { ConvAttrs } from './conv-attrs'

/** Cache of combined-filter index maps, keyed by geometry (they depend only on shapes and padding). */
const subpixelIndexCache = new Map<string, Int32Array>()
const SUBPIXEL_CACHE_LIMIT = 64

export function conv2dBackpropInputImpl(
  backend: tf.KernelBackend,
  backendName: string,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: ConvAttrs,
): TensorInfo {
  const inputShape = attrs.inputShape
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
  )
  const [n, h, w, ci] = inputShape
  const [, oh, ow, co] = dy.shape as [number, number, number, number]
  if (oh !== info.outHeight || ow !== info.outWidth) {
    throw new Error(
      `Conv2DBackpropInput: dy is ${oh}×${ow} but the convolution gives ${info.outHeight}×${info.outWidth}`,
    )
  }
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info
  const { dilationHeight: dh, dilationWidth: dw } = info
  const pt = info.padInfo.top
  const pl = info.padInfo.left

  return withKernelCalls(backend, backendName, (k) => {
    const strategy = attrs.stridedInputGrad
    if (sh > 1 && sh === sw && dh === 1 && dw === 1 && strategy !== 'zero-insertion') {
      const g = { n, h, w, ci, oh, ow, co, kh, kw, s: sh, pt, pl }
      // The combined filter wastes multiply-adds on structural zeros: (Jh·Jw·s²)/(KH·KW) times the
      // useful work (2.25× for the discriminator's 4×4/2, 1.8× for 3×3/2); the per-phase convs waste
      // nothing but cost s² calls and a concat, which only pays off with enough output channels.
      // Measured on wasm (CPU time, interleaved): 4×4/2 D layers (Ci 21–256) 1.7–2.3× faster with phases; 3×3/2 with
      // Ci = 32 1.6× faster, with Ci = 16 1.25× slower; Ci = 3 or a 1×1 filter: combined is 2–5× faster.
      const ah = subpixelAxis(h, oh, kh, sh, pt)
      const aw = subpixelAxis(w, ow, kw, sw, pl)
      const waste = (ah.taps * aw.taps * sh * sw) / (kh * kw)
      const worthIt = kh * kw > 1 && ((waste >= 2 && ci >= 16) || (waste > 1.5 && ci >= 32))
      const phases = strategy === 'phases' || (strategy === 'auto' && worthIt)
      return phases ? phaseInputGrad(k, dy, filter, g) : subpixelInputGrad(k, dy, filter, g)
    }
    let z = dy
    let zh = oh
    let zw = ow
    if (sh > 1 || sw > 1) {
      // Zero insertion: [N,OH,1,OW,1,C] padded to [N,OH,sh,OW,sw,C] is dy with s−1 zeros after each element.
      const r = k.reshape(dy, [n, oh, 1, ow, 1, co])
      const p = k.pad(r, [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ])
      zh = oh * sh
      zw = ow * sw
      z = k.reshape(p, [n, zh, zw, co])
    }
    const ah = inputGradAxis(h, zh, kh, dh, pt)
    const aw = inputGradAxis(w, zw, kw, dw, pl)
    const fr = flipFilter(k, filter, kh, kw) // [KH, KW, Co, Ci]
    let g = k.conv2d(z, fr, [1, 1], [dh, dw], {
      top: ah.padBefore,
      bottom: ah.padAfter,
      left: aw.padBefore,
      right: aw.padAfter,
    })
    const [, gh, gw] = g.shape as [number, number, number, number]
    if (ah.cropBegin !== 0 || aw.cropBegin !== 0 || gh !== h || gw !== w) {
      g = k.slice(g, [0, ah.cropBegin, aw.cropBegin, 0], [n, h, w, ci])
    }
    return g
  })
}

/**
 * Spatially reversed, in/out-swapped filter: fr[a,b,co,ci] = f[KH−1−a, KW−1−b, ci, co]. The in/out swap is
 * the backend's Transpose; the spatial reversal only reorders whole [Co, Ci] blocks, done on the host with
 * block copies (wasm's Reverse kernel costs ~45 ns per element).
 */
function flipFilter(k: KernelCalls, filter: TensorInfo, kh: number, kw: number): TensorInfo {
  const [, , ci, co] = filter.shape as [number, number, number, number]
  const swapped = k.transpose(filter, [0, 1, 3, 2]) // [KH, KW, Co, Ci]
  if (kh === 1 && kw === 1) return swapped
  const f = k.read(swapped)
  const block = ci * co
  const out = new Float32Array(f.length)
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const src = ((kh - 1 - a) * kw + (kw - 1 - b)) * block
      out.set(f.subarray(src, src + block), (a * kw + b) * block)
    }
  }
  return k.constant(out, [kh, kw, co, ci])
}

interface Geometry {
  n: number
  h: number
  w: number
  ci: number
  oh: number
  ow: number
  co: number
  kh: number
  kw: number
  s: number
  pt: number
  pl: number
}

function subpixelInputGrad(k: KernelCalls, dy: TensorInfo, filter: TensorInfo, g: Geometry): TensorInfo {
  const ah = { ...subpixelAxis(g.h, g.oh, g.kh, g.s, g.pt), p: g.pt }
  const aw = { ...subpixelAxis(g.w, g.ow, g.kw, g.s, g.pl), p: g.pl }
  const key = [g.kh, g.kw, g.ci, g.co, g.s, g.pt, g.pl, ah.taps, ah.tMin, aw.taps, aw.tMin].join(',')
  let idx = subpixelIndexCache.get(key)
  if (!idx) {
    idx = subpixelBlockIndex(g.kh, g.kw, g.ci, g.co, ah, aw)
    if (subpixelIndexCache.size >= SUBPIXEL_CACHE_LIMIT) subpixelIndexCache.clear()
    subpixelIndexCache.set(key, idx)
  }
  // Every combined-filter entry copies a whole run of Ci values from the in/out-swapped filter.
  const f = k.read(k.transpose(filter, [0, 1, 3, 2])) // [KH, KW, Co, Ci]
  const combined = new Float32Array(idx.length * g.ci)
  for (let m = 0; m < idx.length; m++) {
    const src = idx[m] as number
    if (src >= 0) combined.set(f.subarray(src, src + g.ci), m * g.ci)
  }
  const outC = g.s * g.s * g.ci
  const cf = k.constant(combined, [ah.taps, aw.taps, g.co, outC])
  const conv = k.conv2d(dy, cf, [1, 1], [1, 1], {
    top: ah.padBefore,
    bottom: ah.padAfter,
    left: aw.padBefore,
    right: aw.padAfter,
  }) // [N, ≥Qh, ≥Qw, s²·Ci]
  const [, ch, cw] = conv.shape as [number, number, number, number]
  let coarse = conv
  if (ah.cropBegin !== 0 || aw.cropBegin !== 0 || ch !== ah.q || cw !== aw.q) {
    coarse = k.slice(conv, [0, ah.cropBegin, aw.cropBegin, 0], [g.n, ah.q, aw.q, outC])
  }
  return interleavePhases(k, coarse, g, ah.q, aw.q)
}

/** [N, Qh, Qw, s²·Ci] with channels ordered (rh, rw, ci) → dx [N, H, W, Ci]. */
function interleavePhases(
  k: KernelCalls,
  coarse: TensorInfo,
  g: Geometry,
  qh: number,
  qw: number,
): TensorInfo {
  // DepthToSpace as a 4-D transpose: [N·Qh, Qw, s, s·Ci] → [N·Qh, s, Qw, s·Ci] is [N, Qh·s, Qw·s, Ci] in
  // memory (wasm's DepthToSpace kernel is ~40× slower than its Transpose).
  const r4 = k.reshape(coarse, [g.n * qh, qw, g.s, g.s * g.ci])
  const t4 = k.transpose(r4, [0, 2, 1, 3])
  const fine = k.reshape(t4, [g.n, qh * g.s, qw * g.s, g.ci])
  if (qh * g.s === g.h && qw * g.s === g.w) return fine
  return k.slice(fine, [0, 0, 0, 0], [g.n, g.h, g.w, g.ci])
}

/** One stride-1 conv per output phase with its own sub-filter (no structural zeros), then interleave. */
function phaseInputGrad(k: KernelCalls, dy: TensorInfo, filter: TensorInfo, g: Geometry): TensorInfo {
  const f = k.read(k.transpose(filter, [0, 1, 3, 2])) // [KH, KW, Co, Ci]
  const block = g.co * g.ci
  const qh = Math.ceil(g.h / g.s)
  const qw = Math.ceil(g.w / g.s)
  const phases: TensorInfo[] = []
  for (let rh = 0; rh < g.s; rh++) {
    const ah = phaseAxis(g.h, g.oh, g.kh, g.s, g.pt, rh)
    for (let rw = 0; rw < g.s; rw++) {
      const aw = phaseAxis(g.w, g.ow, g.kw, g.s, g.pl, rw)
      if (ah.taps === 0 || aw.taps === 0) {
        phases.push(k.run('Fill', {}, { shape: [g.n, qh, qw, g.ci], value: 0, dtype: 'float32' }))
        continue
      }
      const sub = new Float32Array(ah.taps * aw.taps * block)
      for (let jh = 0; jh < ah.taps; jh++) {
        const fh = phaseTap(ah, g.pt, g.s, jh)
        for (let jw = 0; jw < aw.taps; jw++) {
          const fw = phaseTap(aw, g.pl, g.s, jw)
          const src = (fh * g.kw + fw) * block
          sub.set(f.subarray(src, src + block), (jh * aw.taps + jw) * block)
        }
      }
      let y = k.conv2d(dy, k.constant(sub, [ah.taps, aw.taps, g.co, g.ci]), [1, 1], [1, 1], {
        top: ah.padBefore,
        bottom: ah.padAfter,
        left: aw.padBefore,
        right: aw.padAfter,
      })
      const [, yh, yw] = y.shape as [number, number, number, number]
      if (ah.cropBegin !== 0 || aw.cropBegin !== 0 || yh !== qh || yw !== qw) {
        y = k.slice(y, [0, ah.cropBegin, aw.cropBegin, 0], [g.n, qh, qw, g.ci])
      }
      phases.push(y)
    }
  }
  const coarse = k.run('Concat', phases as unknown as Record<string, TensorInfo>, { axis: 3 })
  return interleavePhases(k, coarse, g, qh, qw)
}
