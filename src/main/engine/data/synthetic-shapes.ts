/**
 * A tiny real segmentation task for tests and the engine benchmark: coloured squares, discs and triangles
 * on a textured background, each shape class with its own hue range (overlapping a little, so colour alone
 * is not always enough). Labels: 0 background, 1 square, 2 disc, 3 triangle. Deterministic from the Rng.
 */
import type { Rng } from '../train/rng'

export interface ShapesBatch {
  /** [n, size, size, 3], values 0..255. */
  images: Float32Array
  /** [n, size, size] class indices. */
  labels: Int32Array
  n: number
  size: number
}

export const SHAPE_CLASSES = 4

const BASE_COLOURS: ReadonlyArray<readonly [number, number, number]> = [
  [200, 60, 60],
  [60, 190, 70],
  [70, 90, 210],
]

export function makeShapesBatch(rng: Rng, n: number, size: number, shapesPerImage = 3): ShapesBatch {
  const images = new Float32Array(n * size * size * 3)
  const labels = new Int32Array(n * size * size)
  for (let b = 0; b < n; b++) {
    const bg = [rng.uniform(60, 160), rng.uniform(60, 160), rng.uniform(60, 160)]
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const o = ((b * size + y) * size + x) * 3
        const tex = 20 * Math.sin((x + y * 0.5) * 0.4) + rng.uniform(-15, 15)
        for (let c = 0; c < 3; c++) images[o + c] = (bg[c] as number) + tex
      }
    }
    for (let s = 0; s < shapesPerImage; s++) {
      const cls = 1 + rng.int(3)
      const base = BASE_COLOURS[cls - 1] as readonly [number, number, number]
      const colour = base.map((v) => v + rng.uniform(-40, 40))
      const r = size * rng.uniform(0.1, 0.22)
      const cx = rng.uniform(r, size - r)
      const cy = rng.uniform(r, size - r)
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const dx = x + 0.5 - cx
          const dy = y + 0.5 - cy
          const inside =
            cls === 1
              ? Math.abs(dx) <= r && Math.abs(dy) <= r
              : cls === 2
                ? dx * dx + dy * dy <= r * r
                : dy <= r && dy >= -r && Math.abs(dx) <= (dy + r) / 2
          if (!inside) continue
          const p = (b * size + y) * size + x
          labels[p] = cls
          for (let c = 0; c < 3; c++) images[p * 3 + c] = (colour[c] as number) + rng.uniform(-10, 10)
        }
      }
    }
  }
  for (let i = 0; i < images.length; i++) images[i] = Math.min(255, Math.max(0, images[i] as number))
  return { images, labels, n, size }
}
