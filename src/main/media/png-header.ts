/**
 * A PNG's size and sample layout read from its first 33 bytes (signature + IHDR), before anything is
 * inflated. A label PNG's pixel data can be a decompression bomb (a 437 KB 1-bit file that inflates to
 * 60000×60000 pixels), so every mask is checked from this header — size equal to its image's, pixels
 * under the limit — before a single row is decoded.
 */
import { open } from 'node:fs/promises'
import { PNG_SIGNATURE } from '../../shared/png-chunks'
import { formatMegapixels } from './limits'

export interface PngHeader {
  width: number
  height: number
  bitDepth: number
  colourType: number
  interlaced: boolean
}

/** Signature (8) + IHDR length and type (8) + IHDR data (13) + CRC (4). */
export const PNG_HEADER_BYTES = 33

export class PngHeaderError extends Error {}

/** The IHDR of PNG bytes (only the first 33 are looked at); throws PngHeaderError when it has none. */
export function readPngHeader(bytes: Uint8Array): PngHeader {
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b))
    throw new PngHeaderError('not a PNG file')
  if (bytes.length < PNG_HEADER_BYTES) throw new PngHeaderError('truncated PNG (no complete IHDR chunk)')
  const view = new DataView(bytes.buffer, bytes.byteOffset, PNG_HEADER_BYTES)
  const type = String.fromCharCode(bytes[12]!, bytes[13]!, bytes[14]!, bytes[15]!)
  if (type !== 'IHDR' || view.getUint32(8) !== 13)
    throw new PngHeaderError('damaged PNG: the first chunk is not a 13-byte IHDR')
  const width = view.getUint32(16)
  const height = view.getUint32(20)
  if (width === 0 || height === 0)
    throw new PngHeaderError(`damaged PNG: size ${width}×${height} in the header`)
  return { width, height, bitDepth: bytes[24]!, colourType: bytes[25]!, interlaced: bytes[28] === 1 }
}

/** The first 33 bytes of a file (fewer when it is shorter) and its size. File-system errors are passed on. */
export async function readPngHead(path: string): Promise<{ head: Uint8Array; bytes: number }> {
  const fh = await open(path, 'r')
  try {
    const { size } = await fh.stat()
    const head = new Uint8Array(PNG_HEADER_BYTES)
    const { bytesRead } = await fh.read(head, 0, PNG_HEADER_BYTES, 0)
    return { head: head.subarray(0, bytesRead), bytes: size }
  } finally {
    await fh.close()
  }
}

/** Why a label PNG of this header may not be decoded, or null when it may. */
export function labelHeaderProblem(
  h: Pick<PngHeader, 'width' | 'height'>,
  limits: { maxPixels: number; expected?: { width: number; height: number } },
): { kind: 'size-mismatch' | 'too-large'; reason: string } | null {
  const { expected, maxPixels } = limits
  if (expected && (h.width !== expected.width || h.height !== expected.height)) {
    return {
      kind: 'size-mismatch',
      reason: `mask is ${h.width}×${h.height} but image is ${expected.width}×${expected.height}`,
    }
  }
  const pixels = h.width * h.height
  if (pixels > maxPixels) {
    return {
      kind: 'too-large',
      reason: `mask is too large: ${h.width}×${h.height} = ${formatMegapixels(pixels)}; the limit is ${formatMegapixels(maxPixels)}`,
    }
  }
  return null
}

/**
 * The most bytes a label PNG of `pixels` pixels can reasonably take: 8-bit samples stored without any
 * compression are pixels + one filter byte per row + deflate's 5 bytes per 64 KB block; 1 MB more leaves
 * room for ancillary chunks (text, ICC profiles). A bigger file is refused before it is read.
 */
export function maxLabelPngBytes(width: number, height: number): number {
  const raw = width * height + height
  return raw + Math.ceil(raw / 65535) * 5 + 1024 * 1024
}
