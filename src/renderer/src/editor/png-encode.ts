/**
 * Encodes a label map as an 8-bit VOC palette PNG in the browser (the same layout as the main
 * process's encodeLabelPng): IHDR, full 256-entry PLTE, one zlib IDAT, IEND. Rows are unfiltered (type
 * 0); deflateScanlines finds the runs and the row-above repeats itself, several times faster than
 * CompressionStream (see run-deflate.ts), which remains the fallback for maps without runs. Saving sends
 * this PNG (far smaller than raw indices) and main re-validates it.
 */
import { pngChunk, PNG_SIGNATURE } from '../../../shared/png-chunks'
import { vocPalette } from '../../../shared/voc'
import type { LabelMap } from './label-map'
import { deflateScanlines } from './run-deflate'

/** zlib at its default level (CompressionStream): 3–5× slower than deflateScanlines, smaller on noise. */
async function deflateStream(raw: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const cs = new CompressionStream('deflate')
  const writer = cs.writable.getWriter()
  // A failure shows up on the readable side (and so in the await below).
  writer.write(raw).catch(() => undefined)
  writer.close().catch(() => undefined)
  return new Uint8Array(await new Response(cs.readable).arrayBuffer())
}

/**
 * The fast encoder's output past this share of the raw scanlines means a map without runs (noise, a
 * dithered import): then zlib's full search is worth its time, and it keeps such a PNG well under the
 * save size cap (fixed codes alone can exceed the raw size by 1/8).
 */
const FALLBACK_RATIO = 1 / 8

export async function encodePalettePng(map: LabelMap): Promise<Uint8Array> {
  const raw = scanlines(map)
  let idat = deflateScanlines(raw, map.width + 1)
  if (idat.length > raw.length * FALLBACK_RATIO) idat = await deflateStream(raw)
  return assemble(map, idat)
}

/** PNG rows: a filter byte (0, none) before each row of indices. */
function scanlines(map: LabelMap): Uint8Array<ArrayBuffer> {
  const { width, height, data } = map
  const raw = new Uint8Array((width + 1) * height)
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * width, (y + 1) * width), y * (width + 1) + 1)
  return raw
}

function assemble(map: LabelMap, idat: Uint8Array): Uint8Array {
  const { width, height } = map
  const ihdr = new Uint8Array(13)
  const v = new DataView(ihdr.buffer)
  v.setUint32(0, width)
  v.setUint32(4, height)
  ihdr[8] = 8
  ihdr[9] = 3
  const parts = [
    Uint8Array.from(PNG_SIGNATURE),
    pngChunk('IHDR', ihdr),
    pngChunk('PLTE', vocPalette()),
    pngChunk('IDAT', idat),
    pngChunk('IEND', new Uint8Array(0)),
  ]
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0))
  let o = 0
  for (const p of parts) out.set(p, (o += p.length) - p.length)
  return out
}

export function toBase64(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}
