/**
 * Rasterises an image spec into clean RGB (before any camera/user processing) and its label map.
 * The mask is exactly what was drawn: a pixel belongs to the object whose part covers its centre; a
 * thin band along every label boundary is set to 255 like VOC's void outline, and only those band
 * pixels are smoothed in the RGB image (anti-aliasing where the label is ignored anyway).
 */
import { classId } from './classes'
import type { ImageSpec, PlacedObject } from './compose'
import { bounds, contains, type Box } from './shapes'
import { samplePaint } from './textures'

export const IGNORE = 255

export interface Rendered {
  width: number
  height: number
  /** Interleaved RGB, 0–255 floats. */
  rgb: Float32Array
  /** Label map: 0 background, VOC ids, 255 boundary band. */
  labels: Uint8Array
  /** VOC ids present in the label map (excluding 0 and 255), ascending. */
  classes: number[]
  /** Objects kept after the visibility check, in drawing order. */
  objects: PlacedObject[]
}

export interface RenderOptions {
  /** Half-width of the ignore band in pixels (band is 2·r pixels wide across a boundary). */
  bandRadius: number
  /** An object less visible than this share of its drawn pixels (occluded) is dropped. */
  minVisibleShare?: number
  /** An object with fewer visible pixels than this is dropped. */
  minVisiblePixels?: number
}

export function renderImage(spec: ImageSpec, opts: RenderOptions): Rendered {
  const minShare = opts.minVisibleShare ?? 0.4
  const minPixels = opts.minVisiblePixels ?? 20
  let objects = spec.objects
  let pass = draw(spec, objects)
  // Drop objects hidden behind nearer ones and draw again: removing objects only uncovers the rest,
  // so one more pass settles it. The nearest object is never dropped, so every image keeps one.
  const keep = objects.filter(
    (_, i) =>
      i === objects.length - 1 ||
      (pass.visible[i]! >= minShare * pass.drawn[i]! && pass.visible[i]! >= minPixels),
  )
  if (keep.length !== objects.length) {
    objects = keep
    pass = draw(spec, objects)
  }
  const { rgb, labels } = pass
  const light = spec.place.light * spec.camera.light
  for (let i = 0; i < rgb.length; i++) rgb[i] = rgb[i]! * light
  const banded = boundaryBand(labels, spec.width, spec.height, opts.bandRadius)
  smoothBand(rgb, banded, spec.width, spec.height)
  const seen = new Uint8Array(256)
  for (let i = 0; i < banded.length; i++) seen[banded[i]!] = 1
  const classes: number[] = []
  for (let c = 1; c < IGNORE; c++) if (seen[c]) classes.push(c)
  return { width: spec.width, height: spec.height, rgb, labels: banded, classes, objects }
}

interface Pass {
  rgb: Float32Array
  labels: Uint8Array
  /** Pixels each object covered when drawn, and pixels still showing at the end. */
  drawn: number[]
  visible: number[]
}

function draw(spec: ImageSpec, objects: readonly PlacedObject[]): Pass {
  const { width: w, height: h } = spec
  const rgb = new Float32Array(w * h * 3)
  const labels = new Uint8Array(w * h)
  const owner = new Uint8Array(w * h)
  paintBackground(spec, rgb)
  for (const o of objects) if (o.grounded) castShadow(o, rgb, w, h)
  const drawn = objects.map((o, i) => paintObject(o, i + 1, rgb, labels, owner, w, h))
  const visible = objects.map(() => 0)
  for (let i = 0; i < owner.length; i++) if (owner[i]) visible[owner[i]! - 1]!++
  return { rgb, labels, drawn, visible }
}

function paintBackground(spec: ImageSpec, rgb: Float32Array): void {
  const { width: w, height: h, camera: cam } = spec
  // Scene coordinates of pixel centres, per column and per row (the mapping is separable).
  const us = new Float64Array(w)
  for (let x = 0; x < w; x++) us[x] = (x + 0.5) / h / cam.zoom + cam.dx
  const vs = new Float64Array(h)
  for (let y = 0; y < h; y++) vs[y] = ((y + 0.5) / h - 0.5) / cam.zoom + 0.5 + cam.dy
  const toX = (u: number) => (u - cam.dx) * cam.zoom * h - 0.5
  const toY = (v: number) => ((v - 0.5 - cam.dy) * cam.zoom + 0.5) * h - 0.5
  for (const layer of spec.place.layers) {
    const shape = layer.shape
    const b = bounds(shape)
    const x0 = Math.max(0, Math.floor(toX(b.x0)))
    const x1 = Math.min(w - 1, Math.ceil(toX(b.x1)))
    const y0 = Math.max(0, Math.floor(toY(b.y0)))
    const y1 = Math.min(h - 1, Math.ceil(toY(b.y1)))
    // Sharp axis-aligned boxes (walls, floors, sky: most pixels) are their own bounds: only the edge
    // rows/columns need the exact test.
    const plainBox = shape.kind === 'rect' && shape.rot === 0 && shape.r === 0
    const paint = layer.paint
    for (let y = y0; y <= y1; y++) {
      const v = vs[y]!
      const vIn = v >= b.y0 && v <= b.y1
      for (let x = x0; x <= x1; x++) {
        const u = us[x]!
        if (plainBox ? vIn && u >= b.x0 && u <= b.x1 : contains(shape, u, v))
          samplePaint(paint, u, v, rgb, (y * w + x) * 3)
      }
    }
  }
}

/** Soft contact shadow under a standing object (background pixels only change colour, not label). */
function castShadow(o: PlacedObject, rgb: Float32Array, w: number, h: number): void {
  const cx = o.x + ((o.built.box.x0 + o.built.box.x1) / 2) * o.size * o.flip
  const rx = Math.max(2, 0.5 * (o.built.box.x1 - o.built.box.x0) * o.size)
  const ry = Math.max(1.5, 0.06 * o.size)
  const x0 = Math.max(0, Math.floor(cx - rx))
  const x1 = Math.min(w - 1, Math.ceil(cx + rx))
  const y0 = Math.max(0, Math.floor(o.y - ry))
  const y1 = Math.min(h - 1, Math.ceil(o.y + ry))
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = (x + 0.5 - cx) / rx
      const dy = (y + 0.5 - o.y) / ry
      const d2 = dx * dx + dy * dy
      if (d2 >= 1) continue
      const k = 1 - 0.4 * (1 - d2)
      const i = (y * w + x) * 3
      rgb[i] = rgb[i]! * k
      rgb[i + 1] = rgb[i + 1]! * k
      rgb[i + 2] = rgb[i + 2]! * k
    }
  }
}

function paintObject(
  o: PlacedObject,
  ownerId: number,
  rgb: Float32Array,
  labels: Uint8Array,
  owner: Uint8Array,
  w: number,
  h: number,
): number {
  const parts = o.built.parts
  const partBoxes: Box[] = parts.map((p) => bounds(p.shape))
  const bx = o.built.box
  const xa = o.x + bx.x0 * o.size * o.flip
  const xb = o.x + bx.x1 * o.size * o.flip
  const x0 = Math.max(0, Math.floor(Math.min(xa, xb)))
  const x1 = Math.min(w - 1, Math.ceil(Math.max(xa, xb)))
  const y0 = Math.max(0, Math.floor(o.y + bx.y0 * o.size))
  const y1 = Math.min(h - 1, Math.ceil(o.y + bx.y1 * o.size))
  const id = classId(o.cls)
  const tmp = new Float32Array(3)
  let count = 0
  for (let y = y0; y <= y1; y++) {
    const v = (y + 0.5 - o.y) / o.size
    for (let x = x0; x <= x1; x++) {
      const u = ((x + 0.5 - o.x) / o.size) * o.flip
      // Front-most part first: parts are listed back to front.
      for (let p = parts.length - 1; p >= 0; p--) {
        const pb = partBoxes[p]!
        if (u < pb.x0 || u > pb.x1 || v < pb.y0 || v > pb.y1) continue
        const part = parts[p]!
        if (!contains(part.shape, u, v)) continue
        samplePaint(part.paint, u, v, tmp, 0)
        // Light from above: a gentle top-to-bottom falloff gives volume to flat-coloured parts.
        const k = part.shade * (0.9 - 0.2 * Math.max(-1, Math.min(0, v)))
        const i = y * w + x
        rgb[i * 3] = tmp[0]! * k
        rgb[i * 3 + 1] = tmp[1]! * k
        rgb[i * 3 + 2] = tmp[2]! * k
        labels[i] = id
        owner[i] = ownerId
        count++
        break
      }
    }
  }
  return count
}

/**
 * Labels with every pixel within `r` (Chebyshev) of a different label set to 255. A pixel is in the band
 * exactly when its (2r+1)² window is not uniform; that is tested separably: first whether each row
 * segment [x−r, x+r] is uniform (prefix sums of label changes along the row), then whether the 2r+1
 * row segments above and below are uniform with the pixel's own label.
 */
export function boundaryBand(labels: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const out = Uint8Array.from(labels)
  if (r <= 0) return out
  // rowMixed[i] = 1 when the row segment centred on pixel i (clipped to the image) holds two labels.
  const rowMixed = new Uint8Array(w * h)
  const changes = new Int32Array(w + 1)
  for (let y = 0; y < h; y++) {
    const row = y * w
    // changes[x + 1] = number of label changes between neighbours in [0, x].
    changes[0] = 0
    changes[1] = 0
    for (let x = 1; x < w; x++)
      changes[x + 1] = changes[x]! + (labels[row + x] !== labels[row + x - 1] ? 1 : 0)
    for (let x = 0; x < w; x++) {
      const a = x - r < 0 ? 0 : x - r
      const b = x + r >= w ? w - 1 : x + r
      // Changes between neighbours inside [a, b] are counted at positions a+1 … b.
      rowMixed[row + x] = changes[b + 1]! - changes[a + 1]! > 0 ? 1 : 0
    }
  }
  for (let y = 0; y < h; y++) {
    const y0 = y - r < 0 ? 0 : y - r
    const y1 = y + r >= h ? h - 1 : y + r
    for (let x = 0; x < w; x++) {
      const c = labels[y * w + x]!
      for (let yy = y0; yy <= y1; yy++) {
        const i = yy * w + x
        if (rowMixed[i] || labels[i] !== c) {
          out[y * w + x] = IGNORE
          break
        }
      }
    }
  }
  return out
}

/** 3×3 mean on band pixels only: softens the hard rasterised edges without touching labelled pixels. */
function smoothBand(rgb: Float32Array, banded: Uint8Array, w: number, h: number): void {
  // Means are computed from the unsmoothed image first, then written back, so the result does not
  // depend on visiting order; only band pixels are buffered (a few percent of the image).
  const idx: number[] = []
  const means: number[] = []
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (banded[y * w + x] !== IGNORE) continue
      let r = 0
      let g = 0
      let b = 0
      let n = 0
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy
        if (yy < 0 || yy >= h) continue
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx
          if (xx < 0 || xx >= w) continue
          const o = (yy * w + xx) * 3
          r += rgb[o]!
          g += rgb[o + 1]!
          b += rgb[o + 2]!
          n++
        }
      }
      idx.push((y * w + x) * 3)
      means.push(r / n, g / n, b / n)
    }
  }
  for (let i = 0; i < idx.length; i++) {
    const o = idx[i]!
    rgb[o] = means[i * 3]!
    rgb[o + 1] = means[i * 3 + 1]!
    rgb[o + 2] = means[i * 3 + 2]!
  }
}
