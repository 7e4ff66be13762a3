/**
 * SLIC superpixels (Achanta et al. 2012) in plain TypeScript: k-means in CIELAB + xy restricted to a
 * 2S×2S window around each centre, then a connectivity pass that gives every superpixel one connected
 * component (fragments smaller than S²/4 join a neighbour). Pure; runs in a Web Worker in the editor.
 */

export interface SlicOptions {
  /** Grid step S in pixels (superpixel side); the granularity control. */
  regionSize: number
  /** Colour vs space weight m (10 is the paper's default for Lab). */
  compactness?: number
  iterations?: number
}

export interface SlicResult {
  /** Superpixel id per pixel, 0 … count-1, each one 4-connected region. */
  labels: Int32Array
  count: number
}

function srgbToLinear(c: number): number {
  const v = c / 255
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4)
}

function labF(t: number): number {
  return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116
}

/** CIELAB (D65) of RGBA pixels, as three planes. */
export function rgbaToLab(rgba: Uint8ClampedArray | Uint8Array, n: number): Float32Array {
  const lin = new Float32Array(256)
  for (let i = 0; i < 256; i++) lin[i] = srgbToLinear(i)
  const out = new Float32Array(n * 3)
  for (let i = 0; i < n; i++) {
    const r = lin[rgba[i * 4]!]!
    const g = lin[rgba[i * 4 + 1]!]!
    const b = lin[rgba[i * 4 + 2]!]!
    const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    const y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b
    const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883
    const fx = labF(x)
    const fy = labF(y)
    const fz = labF(z)
    out[i] = 116 * fy - 16
    out[n + i] = 500 * (fx - fy)
    out[2 * n + i] = 200 * (fy - fz)
  }
  return out
}

export function slic(
  rgba: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
  opts: SlicOptions,
): SlicResult {
  const n = width * height
  if (rgba.length < n * 4) throw new Error(`slic: ${rgba.length} bytes is not ${width}×${height} RGBA`)
  const S = Math.max(2, Math.round(opts.regionSize))
  const m = opts.compactness ?? 10
  const iterations = opts.iterations ?? 10
  const lab = rgbaToLab(rgba, n)
  const L = lab.subarray(0, n)
  const A = lab.subarray(n, 2 * n)
  const B = lab.subarray(2 * n, 3 * n)

  // Centres on a grid, moved to the lowest gradient in their 3×3 neighbourhood.
  const cx: number[] = []
  const cy: number[] = []
  const grad = (x: number, y: number): number => {
    const r = y * width + Math.min(width - 1, x + 1)
    const l = y * width + Math.max(0, x - 1)
    const d = Math.min(height - 1, y + 1) * width + x
    const u = Math.max(0, y - 1) * width + x
    return (
      (L[r]! - L[l]!) ** 2 +
      (A[r]! - A[l]!) ** 2 +
      (B[r]! - B[l]!) ** 2 +
      (L[d]! - L[u]!) ** 2 +
      (A[d]! - A[u]!) ** 2 +
      (B[d]! - B[u]!) ** 2
    )
  }
  for (let y = Math.floor(S / 2); y < height; y += S) {
    for (let x = Math.floor(S / 2); x < width; x += S) {
      let bx = x
      let by = y
      let best = Infinity
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx
          const yy = y + dy
          if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue
          const g = grad(xx, yy)
          if (g < best) {
            best = g
            bx = xx
            by = yy
          }
        }
      }
      cx.push(bx)
      cy.push(by)
    }
  }
  if (cx.length === 0) {
    cx.push(Math.floor(width / 2))
    cy.push(Math.floor(height / 2))
  }
  const k = cx.length
  const cl = new Float64Array(k)
  const ca = new Float64Array(k)
  const cb = new Float64Array(k)
  const px = new Float64Array(k)
  const py = new Float64Array(k)
  for (let c = 0; c < k; c++) {
    const i = cy[c]! * width + cx[c]!
    cl[c] = L[i]!
    ca[c] = A[i]!
    cb[c] = B[i]!
    px[c] = cx[c]!
    py[c] = cy[c]!
  }
  const labels = new Int32Array(n).fill(-1)
  const dist = new Float64Array(n)
  const spatial = (m * m) / (S * S)
  for (let it = 0; it < iterations; it++) {
    dist.fill(Infinity)
    for (let c = 0; c < k; c++) {
      const x0 = Math.max(0, Math.floor(px[c]! - S))
      const x1 = Math.min(width, Math.ceil(px[c]! + S))
      const y0 = Math.max(0, Math.floor(py[c]! - S))
      const y1 = Math.min(height, Math.ceil(py[c]! + S))
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const i = y * width + x
          const dl = L[i]! - cl[c]!
          const da = A[i]! - ca[c]!
          const db = B[i]! - cb[c]!
          const dx = x - px[c]!
          const dy = y - py[c]!
          const d = dl * dl + da * da + db * db + spatial * (dx * dx + dy * dy)
          if (d < dist[i]!) {
            dist[i] = d
            labels[i] = c
          }
        }
      }
    }
    const sum = new Float64Array(k * 6)
    for (let i = 0; i < n; i++) {
      const c = labels[i]!
      if (c < 0) continue
      const o = c * 6
      sum[o]! += L[i]!
      sum[o + 1]! += A[i]!
      sum[o + 2]! += B[i]!
      sum[o + 3]! += i % width
      sum[o + 4]! += Math.floor(i / width)
      sum[o + 5]! += 1
    }
    for (let c = 0; c < k; c++) {
      const o = c * 6
      const cnt = sum[o + 5]!
      if (cnt === 0) continue
      cl[c] = sum[o]! / cnt
      ca[c] = sum[o + 1]! / cnt
      cb[c] = sum[o + 2]! / cnt
      px[c] = sum[o + 3]! / cnt
      py[c] = sum[o + 4]! / cnt
    }
  }
  // Pixels no window reached (possible at the borders): nearest label to the left/above.
  for (let i = 0; i < n; i++) if (labels[i]! < 0) labels[i] = i > 0 ? labels[i - 1]! : 0
  return enforceConnectivity(labels, width, height, Math.max(1, Math.floor((S * S) / 4)))
}

/** Relabels 4-connected components 0…count-1; components below `minSize` join the previous adjacent one. */
export function enforceConnectivity(
  labels: Int32Array,
  width: number,
  height: number,
  minSize: number,
): SlicResult {
  const n = width * height
  const out = new Int32Array(n).fill(-1)
  const queue = new Int32Array(n)
  let next = 0
  for (let start = 0; start < n; start++) {
    if (out[start]! >= 0) continue
    const old = labels[start]!
    // an adjacent, already-final label to merge small fragments into
    const sx = start % width
    let adjacent = -1
    if (sx > 0) adjacent = out[start - 1]!
    else if (start >= width) adjacent = out[start - width]!
    let head = 0
    let tail = 0
    queue[tail++] = start
    out[start] = next
    while (head < tail) {
      const i = queue[head++]!
      const x = i % width
      const nb = [
        x > 0 ? i - 1 : -1,
        x + 1 < width ? i + 1 : -1,
        i >= width ? i - width : -1,
        i + width < n ? i + width : -1,
      ]
      for (const j of nb) {
        if (j < 0 || out[j]! >= 0 || labels[j] !== old) continue
        out[j] = next
        queue[tail++] = j
      }
    }
    if (tail < minSize && adjacent >= 0) {
      for (let q = 0; q < tail; q++) out[queue[q]!] = adjacent
    } else next++
  }
  return { labels: out, count: next }
}
