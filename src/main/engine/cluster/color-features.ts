/**
 * A cheap colour/texture descriptor for album clustering when no trained encoder is available (the last
 * resort of issue 8). On the image resized to 64×64 (sharp, EXIF orientation applied):
 *   - joint HSV histogram, 8 hue × 3 saturation × 3 value bins             (what colours the scene has)
 *   - 4×4 grid of mean RGB                                                 (where they are: sky above…)
 *   - gradient-orientation histogram, 8 unsigned orientations × 2×2 cells  (texture and edge direction)
 * Histograms are L1-normalised and square-rooted (Hellinger), so Euclidean k-means compares them
 * sensibly; each block has a norm of about 1 so no block dominates.
 */
import { decodeRgb } from '../../media/decode'

export const COLOR_FEATURES_VERSION = 'hsv8x3x3+grid4-rgb+grad8x2x2/v1'
export const COLOR_FEATURE_SIDE = 64
const HUE_BINS = 8
const SAT_BINS = 3
const VAL_BINS = 3
const GRID = 4
const ORIENT_BINS = 8
const ORIENT_CELLS = 2

export const COLOR_FEATURE_LENGTH =
  HUE_BINS * SAT_BINS * VAL_BINS + GRID * GRID * 3 + ORIENT_BINS * ORIENT_CELLS * ORIENT_CELLS

export interface Rgb {
  width: number
  height: number
  /** Row-major RGB, 3 bytes per pixel. */
  data: Uint8Array
}

function hellinger(h: Float64Array): Float64Array {
  const total = h.reduce((a, b) => a + b, 0)
  return total > 0 ? h.map((v) => Math.sqrt(v / total)) : h
}

/** HSV of one pixel, h in [0,1), s and v in [0,1]. */
function hsv(r: number, g: number, b: number): [number, number, number] {
  const max = Math.max(r, g, b)
  const min = Math.min(r, g, b)
  const d = max - min
  let h = 0
  if (d > 0) {
    if (max === r) h = ((g - b) / d + 6) % 6
    else if (max === g) h = (b - r) / d + 2
    else h = (r - g) / d + 4
  }
  return [h / 6, max > 0 ? d / max : 0, max / 255]
}

const bin = (x: number, n: number): number => Math.min(n - 1, Math.floor(x * n))

/** The descriptor of an RGB raster (any size; the loader gives 64×64). */
export function colorDescriptor(img: Rgb): Float64Array {
  const { width: w, height: h, data } = img
  if (w < 2 || h < 2 || data.length !== w * h * 3) {
    throw new Error(`colour descriptor: expected a ${w}×${h} RGB raster of at least 2×2 pixels`)
  }
  const colour = new Float64Array(HUE_BINS * SAT_BINS * VAL_BINS)
  const grid = new Float64Array(GRID * GRID * 3)
  const gridCount = new Float64Array(GRID * GRID)
  const grey = new Float64Array(w * h)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x
      const r = data[3 * i] as number
      const g = data[3 * i + 1] as number
      const b = data[3 * i + 2] as number
      const [hh, s, v] = hsv(r, g, b)
      colour[(bin(hh, HUE_BINS) * SAT_BINS + bin(s, SAT_BINS)) * VAL_BINS + bin(v, VAL_BINS)]! += 1
      const cell = bin(y / h, GRID) * GRID + bin(x / w, GRID)
      grid[3 * cell]! += r / 255
      grid[3 * cell + 1]! += g / 255
      grid[3 * cell + 2]! += b / 255
      gridCount[cell]! += 1
      grey[i] = 0.299 * r + 0.587 * g + 0.114 * b
    }
  for (let c = 0; c < GRID * GRID; c++) {
    const n = Math.max(1, gridCount[c] as number)
    // /GRID: the 16 cells' colours together have a norm of about 1, like the histogram blocks.
    for (let k = 0; k < 3; k++) grid[3 * c + k] = (grid[3 * c + k] as number) / n / GRID
  }
  const orient = new Float64Array(ORIENT_BINS * ORIENT_CELLS * ORIENT_CELLS)
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const gx = (grey[y * w + x + 1] as number) - (grey[y * w + x - 1] as number)
      const gy = (grey[(y + 1) * w + x] as number) - (grey[(y - 1) * w + x] as number)
      const mag = Math.hypot(gx, gy)
      if (mag === 0) continue
      const angle = (Math.atan2(gy, gx) + Math.PI) % Math.PI // unsigned orientation in [0, π)
      const cell = bin(y / h, ORIENT_CELLS) * ORIENT_CELLS + bin(x / w, ORIENT_CELLS)
      orient[cell * ORIENT_BINS + bin(angle / Math.PI, ORIENT_BINS)]! += mag
    }
  const out = new Float64Array(COLOR_FEATURE_LENGTH)
  out.set(hellinger(colour), 0)
  out.set(grid, colour.length)
  out.set(hellinger(orient), colour.length + grid.length)
  return out
}

/** Decodes an image file (any format sharp reads) at 64×64 and describes it. */
export async function colorFeaturesOfFile(file: string): Promise<Float64Array> {
  const img = await decodeRgb(file, {
    resize: { width: COLOR_FEATURE_SIDE, height: COLOR_FEATURE_SIDE, fit: 'fill' },
  })
  return colorDescriptor(img)
}
