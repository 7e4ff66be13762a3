/** PASCAL VOC 2012 classes, ids and palette (docs/method.md §1). Index 255 = ignore/void. */

export const VOC_CLASSES = [
  'background',
  'aeroplane',
  'bicycle',
  'bird',
  'boat',
  'bottle',
  'bus',
  'car',
  'cat',
  'chair',
  'cow',
  'diningtable',
  'dog',
  'horse',
  'motorbike',
  'person',
  'pottedplant',
  'sheep',
  'sofa',
  'train',
  'tvmonitor',
] as const

export type VocClassName = (typeof VOC_CLASSES)[number]

export const NUM_CLASSES = 21
export const IGNORE_INDEX = 255

/**
 * The standard VOC colour map (bit-interleaved label colours), 256 entries.
 * Computed rather than listed so every index, 255 included (224,224,192), matches VOC's own files.
 */
export function vocPalette(): Uint8Array {
  const palette = new Uint8Array(256 * 3)
  for (let i = 0; i < 256; i++) {
    let r = 0
    let g = 0
    let b = 0
    let c = i
    for (let j = 0; j < 8; j++) {
      r |= ((c >> 0) & 1) << (7 - j)
      g |= ((c >> 1) & 1) << (7 - j)
      b |= ((c >> 2) & 1) << (7 - j)
      c >>= 3
    }
    palette[i * 3] = r
    palette[i * 3 + 1] = g
    palette[i * 3 + 2] = b
  }
  return palette
}

export function vocColor(index: number): [number, number, number] {
  const p = vocPalette()
  return [p[index * 3]!, p[index * 3 + 1]!, p[index * 3 + 2]!]
}

/** True for a label index that a mask may hold: a VOC class id or the ignore index. */
export function isValidLabel(index: number): boolean {
  return (Number.isInteger(index) && index >= 0 && index < NUM_CLASSES) || index === IGNORE_INDEX
}

/** Parses a class given by id or by name ("dog", "15", "tv monitor"); null when unknown. */
export function parseVocClass(token: string): number | null {
  const t = token
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '')
  if (/^\d+$/.test(t)) {
    const n = Number(t)
    return n >= 0 && n < NUM_CLASSES ? n : null
  }
  const aliases: Record<string, number> = {
    tv: 20,
    monitor: 20,
    plane: 1,
    airplane: 1,
    bike: 2,
    motorcycle: 14,
    sheep: 17,
    table: 11,
    plant: 16,
  }
  const idx = VOC_CLASSES.findIndex((n) => n === t)
  if (idx >= 0) return idx
  return aliases[t] ?? null
}
