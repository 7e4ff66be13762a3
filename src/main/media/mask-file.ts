/**
 * Validation of human label masks read from disk (PIS/VOC SegmentationClass, SegmentationClassAug):
 * the mask must be a palette or 8-bit greyscale PNG, have the image's size, and hold only VOC class
 * indices 0–20 or 255 (void). Each refusal says exactly what is wrong, with numbers.
 */
import { readFile } from 'node:fs/promises'
import { IGNORE_INDEX, NUM_CLASSES, isValidLabel } from '../../shared/voc'
import { LabelPngError, decodeLabelPng, labelHistogram } from './label-png'
import { resolveMaxPixels } from './limits'
import {
  labelHeaderProblem,
  maxLabelPngBytes,
  readPngHead,
  readPngHeader,
  type PngHeader,
} from './png-header'

export const MaskErrorKind = {
  Unreadable: 'unreadable',
  NotPng: 'not-png',
  NotIndexed: 'not-indexed',
  SizeMismatch: 'size-mismatch',
  /** Above the pixel limit (seen in the header; nothing was decoded). */
  TooLarge: 'too-large',
  BadLabels: 'bad-labels',
} as const
export type MaskErrorKind = (typeof MaskErrorKind)[keyof typeof MaskErrorKind]

export class MaskError extends Error {
  override readonly name = 'MaskError'
  constructor(
    readonly kind: MaskErrorKind,
    /** The reason, as shown to the user. Same as `message`. */
    readonly reason: string,
    /** For SizeMismatch: the mask's own size. */
    readonly maskSize?: { width: number; height: number },
  ) {
    super(reason)
  }
}

export interface MaskLabels {
  width: number
  height: number
  labels: Uint8Array
  /** Palette PNG (SegmentationClass) or greyscale (SegmentationClassAug). */
  kind: 'palette' | 'gray'
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const count = (n: number): string => n.toLocaleString('en-US')

function checkSignature(bytes: Uint8Array, fileBytes: number): void {
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new MaskError(
      MaskErrorKind.NotPng,
      fileBytes === 0 ? 'empty file (0 bytes), not a PNG mask' : 'not a PNG file',
    )
  }
}

function checkMaskHeader(
  bytes: Uint8Array,
  expectedWidth: number,
  expectedHeight: number,
  maxPixels?: number,
): PngHeader {
  let header: PngHeader
  try {
    header = readPngHeader(bytes)
  } catch (e) {
    throw new MaskError(MaskErrorKind.Unreadable, `not a readable PNG (${(e as Error).message})`)
  }
  headerVerdict(header, expectedWidth, expectedHeight, maxPixels)
  return header
}

function headerVerdict(
  header: PngHeader,
  expectedWidth: number,
  expectedHeight: number,
  maxPixels?: number,
): void {
  const problem = labelHeaderProblem(header, {
    maxPixels: resolveMaxPixels(maxPixels),
    expected: { width: expectedWidth, height: expectedHeight },
  })
  if (problem?.kind === 'size-mismatch') {
    throw new MaskError(MaskErrorKind.SizeMismatch, problem.reason, {
      width: header.width,
      height: header.height,
    })
  }
  if (problem) throw new MaskError(MaskErrorKind.TooLarge, problem.reason)
}

/**
 * Validates a mask given as PNG bytes; throws MaskError. Its size is checked from the header before it is
 * decoded; `maxPixels` defaults to the image pixel limit (resolveMaxPixels).
 */
export function parseMask(
  bytes: Uint8Array,
  expectedWidth: number,
  expectedHeight: number,
  maxPixels?: number,
): MaskLabels {
  checkSignature(bytes, bytes.length)
  // Size and pixel limit from the header, before any inflating: a mask bomb costs nothing here.
  checkMaskHeader(bytes, expectedWidth, expectedHeight, maxPixels)
  let map: ReturnType<typeof decodeLabelPng>
  try {
    map = decodeLabelPng(bytes, { maxPixels, expected: { width: expectedWidth, height: expectedHeight } })
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e)
    if (e instanceof LabelPngError && /^an RGB/.test(msg))
      throw new MaskError(MaskErrorKind.NotIndexed, `mask is ${msg}`)
    throw new MaskError(MaskErrorKind.Unreadable, msg)
  }
  if (map.width !== expectedWidth || map.height !== expectedHeight) {
    throw new MaskError(
      MaskErrorKind.SizeMismatch,
      `mask is ${map.width}×${map.height} but image is ${expectedWidth}×${expectedHeight}`,
      { width: map.width, height: map.height },
    )
  }
  const bad = [...labelHistogram(map.labels)].filter(([label]) => !isValidLabel(label))
  if (bad.length > 0) {
    const allowed = `allowed 0–${NUM_CLASSES - 1} and ${IGNORE_INDEX}`
    const [first] = bad
    const text =
      bad.length === 1
        ? `contains label ${first![0]} at ${count(first![1])} pixels; ${allowed}`
        : `contains labels ${bad
            .slice(0, 5)
            .map(([l, n]) => `${l} (${count(n)} pixels)`)
            .join(', ')}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''}; ${allowed}`
    throw new MaskError(MaskErrorKind.BadLabels, text)
  }
  return map
}

/** Reads and validates a mask file; returns its labels (row-major) or throws MaskError. */
export async function readMaskFile(
  path: string,
  expectedWidth: number,
  expectedHeight: number,
): Promise<Uint8Array> {
  return (await readMask(path, expectedWidth, expectedHeight)).labels
}

/** Like readMaskFile, with the mask's kind (palette/grey) too. */
export async function readMask(
  path: string,
  expectedWidth: number,
  expectedHeight: number,
  maxPixels?: number,
): Promise<MaskLabels> {
  const unreadable = (e: unknown): MaskError => {
    const code = (e as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : (e as Error).message
    return new MaskError(MaskErrorKind.Unreadable, `cannot be read (${why})`)
  }
  // The header alone first (33 bytes): a wrong-sized or oversized mask is refused before the file is read.
  let head: { head: Uint8Array; bytes: number }
  try {
    head = await readPngHead(path)
  } catch (e) {
    throw unreadable(e)
  }
  checkSignature(head.head, head.bytes)
  const header = checkMaskHeader(head.head, expectedWidth, expectedHeight, maxPixels)
  const limit = maxLabelPngBytes(header.width, header.height)
  if (head.bytes > limit) {
    throw new MaskError(
      MaskErrorKind.TooLarge,
      `mask file is ${count(head.bytes)} bytes, more than a ${header.width}×${header.height} label PNG can need (${count(limit)})`,
    )
  }
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (e) {
    throw unreadable(e)
  }
  return parseMask(bytes, expectedWidth, expectedHeight, maxPixels)
}
