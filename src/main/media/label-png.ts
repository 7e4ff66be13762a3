/**
 * Label maps as PNG files: VOC palette PNGs (colour type 3, 8-bit indices) written byte-exactly, and
 * label PNGs read back whether they are palette PNGs (VOC SegmentationClass) or 8-bit greyscale
 * (SegmentationClassAug). Generic encoders quantise colours; we must keep the indices, so the writer
 * is hand-made on node:zlib and the reader uses fast-png, which returns raw palette indices.
 */
import { deflateSync } from 'node:zlib'
import { decode as decodePng } from 'fast-png'
import { vocPalette } from '../../shared/voc'
import { pngChunk, PNG_SIGNATURE } from '../../shared/png-chunks'
import { resolveMaxPixels } from './limits'
import { labelHeaderProblem, readPngHeader, type PngHeader } from './png-header'

export interface LabelMap {
  width: number
  height: number
  /** One label index per pixel, row-major. */
  labels: Uint8Array
}

/** Encodes a label map as an 8-bit palette PNG with the full 256-entry VOC palette. */
export function encodeLabelPng(map: LabelMap, palette: Uint8Array = vocPalette()): Buffer {
  const { width, height, labels } = map
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`label map has an invalid size ${width}×${height}`)
  }
  if (labels.length !== width * height) {
    throw new Error(
      `label map holds ${labels.length} values, expected ${width}×${height} = ${width * height}`,
    )
  }
  if (palette.length !== 256 * 3) throw new Error('palette must have 256 RGB entries')
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 3 // colour type: indexed
  ihdr[10] = 0
  ihdr[11] = 0
  ihdr[12] = 0
  // Each scanline: filter byte 0 (None) + indices. Label maps are flat regions, deflate does well.
  const raw = Buffer.alloc((width + 1) * height)
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0
    raw.set(labels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1)
  }
  return Buffer.concat([
    Uint8Array.from(PNG_SIGNATURE),
    pngChunk('IHDR', ihdr),
    pngChunk('PLTE', palette),
    pngChunk('IDAT', deflateSync(raw, { level: 6 })),
    pngChunk('IEND', new Uint8Array(0)),
  ])
}

export class LabelPngError extends Error {}

export interface LabelPngLimits {
  /** Pixel limit checked from the header before decoding (default: the image limit, resolveMaxPixels). */
  maxPixels?: number
  /** The size the label map must have (its image's), checked from the header before decoding. */
  expected?: { width: number; height: number }
}

/**
 * Decodes a label PNG into indices, after checking its header against `limits`. Accepts palette PNGs
 * (indices kept as stored) and 8-bit greyscale PNGs (values are the labels). RGB label images are
 * refused: their colours would have to be guessed.
 */
export function decodeLabelPng(
  bytes: Uint8Array,
  limits: LabelPngLimits = {},
): LabelMap & { kind: 'palette' | 'gray' } {
  // The header first: nothing is inflated for a PNG of the wrong size or above the pixel limit.
  let header: PngHeader
  try {
    header = readPngHeader(bytes)
  } catch (e) {
    throw new LabelPngError(`not a readable PNG (${(e as Error).message})`)
  }
  const problem = labelHeaderProblem(header, {
    maxPixels: resolveMaxPixels(limits.maxPixels),
    expected: limits.expected,
  })
  if (problem) throw new LabelPngError(problem.reason)
  let img: ReturnType<typeof decodePng>
  try {
    img = decodePng(bytes)
  } catch (e) {
    throw new LabelPngError(`not a readable PNG (${(e as Error).message})`)
  }
  const { width, height } = img
  const n = width * height
  if (img.palette) {
    if (img.channels !== 1) throw new LabelPngError(`palette PNG with ${img.channels} channels`)
    return { kind: 'palette', width, height, labels: toIndices(img.data, img.depth, n, width, height) }
  }
  if (img.channels === 1 || (img.channels === 2 && img.depth === 8)) {
    if (img.depth !== 8 && img.depth !== 1 && img.depth !== 2 && img.depth !== 4) {
      throw new LabelPngError(`greyscale PNG with ${img.depth}-bit samples; label masks must be 8-bit`)
    }
    const labels = new Uint8Array(n)
    const stride = img.channels
    const src = img.data
    if (img.depth === 8) for (let i = 0; i < n; i++) labels[i] = src[i * stride]!
    else labels.set(toIndices(src, img.depth, n, width, height))
    return { kind: 'gray', width, height, labels }
  }
  throw new LabelPngError(
    `an RGB${img.channels === 4 ? 'A' : ''} PNG, not a label mask: masks must be palette (indexed) or 8-bit greyscale PNGs with class indices`,
  )
}

/** fast-png returns 8-bit data as is and packs 1/2/4-bit samples; unpack those row by row. */
function toIndices(
  data: ArrayLike<number>,
  depth: number,
  n: number,
  width: number,
  height: number,
): Uint8Array {
  if (depth === 8) return Uint8Array.from(data as ArrayLike<number>).subarray(0, n)
  if (depth === 16) throw new LabelPngError('16-bit label PNGs are not supported')
  const out = new Uint8Array(n)
  const perByte = 8 / depth
  const rowBytes = Math.ceil(width / perByte)
  const mask = (1 << depth) - 1
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const byte = data[y * rowBytes + Math.floor(x / perByte)]!
      const shift = 8 - depth * ((x % perByte) + 1)
      out[y * width + x] = (byte >> shift) & mask
    }
  }
  return out
}

/** Counts pixels per label index (for mask summaries). */
export function labelHistogram(labels: Uint8Array): Map<number, number> {
  const counts = new Float64Array(256)
  // Label maps are mostly long runs: count whole 4-byte words of one value at once (a 12-megapixel
  // mask in ~10 ms instead of ~50), bytes one by one elsewhere. An unaligned view (a pooled Buffer)
  // takes the byte loop only.
  const aligned = labels.byteOffset % 4 === 0
  const nWords = aligned ? labels.length >> 2 : 0
  const words = aligned ? new Uint32Array(labels.buffer, labels.byteOffset, nWords) : new Uint32Array(0)
  let runWord = -1
  let runLength = 0
  for (let w = 0; w < nWords; w++) {
    const x = words[w]!
    if (x === runWord) {
      runLength++
      continue
    }
    if (runLength > 0) counts[runWord & 0xff]! += 4 * runLength
    runLength = 0
    if ((x & 0xff) * 0x01010101 === x) {
      runWord = x
      runLength = 1
    } else {
      runWord = -1
      const i = w * 4
      counts[labels[i]!]!++
      counts[labels[i + 1]!]!++
      counts[labels[i + 2]!]!++
      counts[labels[i + 3]!]!++
    }
  }
  if (runLength > 0) counts[runWord & 0xff]! += 4 * runLength
  for (let i = nWords * 4; i < labels.length; i++) counts[labels[i]!]!++
  const out = new Map<number, number>()
  for (let v = 0; v < 256; v++) if (counts[v]) out.set(v, counts[v]!)
  return out
}
