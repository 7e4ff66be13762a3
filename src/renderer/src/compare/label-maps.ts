/**
 * Label maps for the comparison: fetched label PNGs decoded to class indices (fast-png keeps palette
 * indices, no colour round trip), and their renderings as canvases (VOC colours, error overlay,
 * helped/hurt map). A small cache keeps the rows of the current page.
 */
import { decode } from 'fast-png'
import { vocPalette } from '../../../shared/voc'
import { CHANGE_COLORS, classifyErrors, codesToRgba, ERROR_COLORS, helpedHurt } from './error-overlay'

export interface LabelMap {
  width: number
  height: number
  data: Uint8Array
}

const cache = new Map<string, Promise<LabelMap>>()
const CACHE_LIMIT = 64

export function fetchLabelMap(url: string): Promise<LabelMap> {
  const hit = cache.get(url)
  if (hit) return hit
  const p = (async () => {
    const res = await fetch(url)
    if (!res.ok) throw new Error(`cannot load ${url.split('?')[0]} (${res.status})`)
    const png = decode(new Uint8Array(await res.arrayBuffer()))
    if (png.channels !== 1 || png.depth !== 8) throw new Error('not an 8-bit palette or greyscale label PNG')
    return {
      width: png.width,
      height: png.height,
      data: Uint8Array.from(png.data as ArrayLike<number>).subarray(0, png.width * png.height),
    }
  })()
  cache.set(url, p)
  p.catch(() => cache.delete(url))
  while (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string)
  return p
}

function canvasOf(width: number, height: number, rgba: Uint8ClampedArray): HTMLCanvasElement {
  const c = document.createElement('canvas')
  c.width = width
  c.height = height
  const ctx = c.getContext('2d')
  if (ctx) ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0)
  return c
}

let palette: Uint8Array | null = null

/** VOC colours; void is drawn white, background black (as in the paper's figures). */
export function colorCanvas(m: LabelMap): HTMLCanvasElement {
  palette ??= vocPalette()
  const rgba = new Uint8ClampedArray(m.data.length * 4)
  for (let i = 0; i < m.data.length; i++) {
    const v = m.data[i]!
    const o = i * 4
    if (v === 255) rgba.set([255, 255, 255, 255], o)
    else rgba.set([palette[v * 3]!, palette[v * 3 + 1]!, palette[v * 3 + 2]!, 255], o)
  }
  return canvasOf(m.width, m.height, rgba)
}

function check(a: LabelMap, b: LabelMap): void {
  if (a.width !== b.width || a.height !== b.height)
    throw new Error(
      `prediction ${b.width}×${b.height} does not match the ground truth ${a.width}×${a.height}`,
    )
}

export function errorCanvas(gt: LabelMap, pred: LabelMap): HTMLCanvasElement {
  check(gt, pred)
  return canvasOf(gt.width, gt.height, codesToRgba(classifyErrors(gt.data, pred.data), ERROR_COLORS))
}

export function changeCanvas(gt: LabelMap, pred: LabelMap, base: LabelMap): HTMLCanvasElement {
  check(gt, pred)
  check(gt, base)
  return canvasOf(gt.width, gt.height, codesToRgba(helpedHurt(gt.data, pred.data, base.data), CHANGE_COLORS))
}

/** The class labels (below 255, void) present in any of the label maps, ascending: the figure's class legend. */
export function presentClasses(maps: readonly (LabelMap | null | undefined)[]): number[] {
  const seen = new Uint8Array(256)
  for (const m of maps) if (m) for (let i = 0; i < m.data.length; i++) seen[m.data[i]!] = 1
  const out: number[] = []
  for (let c = 0; c < 255; c++) if (seen[c]) out.push(c)
  return out
}
