/**
 * A top-2 probability map as bytes (the click-mask map, shared/click-mask.ts): per pixel the two most
 * probable classes and their probabilities quantised to 0–255, in four planes (class 1, prob 1, class 2,
 * prob 2), after a 16-byte header: "PT2" + format version 1, then width, height and the number of
 * classes as little-endian uint32. Pure (no tfjs): the inference worker writes it, the app reads it.
 */
import fs from 'node:fs'

const MAGIC = [0x50, 0x54, 0x32, 0x01] // "PT2" v1
const HEADER = 16

export interface Top2Map {
  width: number
  height: number
  numClasses: number
  /** 4·width·height bytes: the four planes, in order. */
  planes: Uint8Array
}

/** Quantises a probability (0–1) to a byte; out-of-range values are clamped. */
export function quantiseProbability(p: number): number {
  return p <= 0 ? 0 : p >= 1 ? 255 : Math.round(p * 255)
}

export function encodeTop2(m: Top2Map): Uint8Array {
  const n = m.width * m.height
  if (m.planes.length !== 4 * n)
    throw new Error(`a ${m.width}×${m.height} top-2 map has ${4 * n} plane bytes, got ${m.planes.length}`)
  const out = new Uint8Array(HEADER + 4 * n)
  out.set(MAGIC, 0)
  const dv = new DataView(out.buffer)
  dv.setUint32(4, m.width, true)
  dv.setUint32(8, m.height, true)
  dv.setUint32(12, m.numClasses, true)
  out.set(m.planes, HEADER)
  return out
}

/** Decodes a top-2 map; `what` names the source in errors (a file path). */
export function decodeTop2(bytes: Uint8Array, what: string): Top2Map {
  if (bytes.length < HEADER || MAGIC.some((b, i) => bytes[i] !== b))
    throw new Error(`${what}: not a top-2 probability map (bad header)`)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const width = dv.getUint32(4, true)
  const height = dv.getUint32(8, true)
  const numClasses = dv.getUint32(12, true)
  if (width < 1 || height < 1 || numClasses < 2 || numClasses > 255)
    throw new Error(`${what}: bad size ${width}×${height} or ${numClasses} classes`)
  const n = width * height
  if (bytes.length !== HEADER + 4 * n)
    throw new Error(
      `${what}: ${bytes.length} bytes, a ${width}×${height} map has ${HEADER + 4 * n} (truncated?)`,
    )
  return { width, height, numClasses, planes: bytes.slice(HEADER) }
}

export function readTop2File(file: string): Top2Map {
  return decodeTop2(new Uint8Array(fs.readFileSync(file)), file)
}

/** The map's size for an image: the long side at most `maxSide`, the aspect ratio kept, never enlarged. */
export function top2Size(width: number, height: number, maxSide: number): { width: number; height: number } {
  const s = Math.min(1, maxSide / Math.max(width, height))
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) }
}

/** The file a prediction named `name` writes its top-2 map to. */
export const top2FileName = (name: string): string => `${name}.top2`
