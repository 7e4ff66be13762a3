/**
 * Which image formats the studio accepts, decided by content (magic bytes), never by extension alone.
 * Accepted: JPEG, PNG, WebP — what cameras and phones export, what every browser shows and what sharp
 * decodes without extra libraries. GIF (palette, often animated), TIFF, BMP, HEIC/AVIF and SVG are
 * recognised so the message can say "unsupported format" rather than "not an image".
 */
export const ACCEPTED_FORMATS = ['jpeg', 'png', 'webp'] as const
export type AcceptedFormat = (typeof ACCEPTED_FORMATS)[number]

export type SniffedFormat = AcceptedFormat | 'gif' | 'tiff' | 'bmp' | 'heif' | 'svg' | 'pdf' | 'ico'

/** File extensions importers pick up as images (lower case, with the dot). */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jpg',
  '.jpeg',
  '.jpe',
  '.jfif',
  '.png',
  '.webp',
])

/** Extensions of image formats we recognise but refuse; a folder import names them as unsupported. */
export const UNSUPPORTED_IMAGE_EXTENSIONS: ReadonlyMap<string, string> = new Map([
  ['.gif', 'GIF'],
  ['.tif', 'TIFF'],
  ['.tiff', 'TIFF'],
  ['.bmp', 'BMP'],
  ['.heic', 'HEIC'],
  ['.heif', 'HEIF'],
  ['.avif', 'AVIF'],
  ['.svg', 'SVG'],
  ['.ico', 'ICO'],
  ['.psd', 'PSD'],
  ['.cr2', 'camera RAW'],
  ['.nef', 'camera RAW'],
  ['.arw', 'camera RAW'],
  ['.dng', 'camera RAW'],
  ['.raw', 'camera RAW'],
])

export const ACCEPTED_FORMATS_TEXT = 'JPEG, PNG or WebP'

export function isAcceptedFormat(f: string): f is AcceptedFormat {
  return (ACCEPTED_FORMATS as readonly string[]).includes(f)
}

export function formatLabel(f: SniffedFormat): string {
  const labels: Record<SniffedFormat, string> = {
    jpeg: 'JPEG',
    png: 'PNG',
    webp: 'WebP',
    gif: 'GIF',
    tiff: 'TIFF',
    bmp: 'BMP',
    heif: 'HEIF/HEIC/AVIF',
    svg: 'SVG',
    pdf: 'PDF',
    ico: 'ICO',
  }
  return labels[f]
}

/** How many leading bytes `sniffFormat` needs. */
export const SNIFF_BYTES = 32

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false
  return true
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to))
}

/** Identifies a file's format from its first bytes; null when it is no image format we know. */
export function sniffFormat(head: Uint8Array): SniffedFormat | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg'
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png'
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'webp'
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return 'gif'
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff'
  if (ascii(head, 0, 2) === 'BM' && head.length >= 14) return 'bmp'
  if (ascii(head, 4, 8) === 'ftyp' && /^(hei[cx]|hevc|mif1|msf1|avif|avis)$/.test(ascii(head, 8, 12)))
    return 'heif'
  if (ascii(head, 0, 5) === '%PDF-') return 'pdf'
  if (startsWith(head, [0x00, 0x00, 0x01, 0x00])) return 'ico'
  const text = ascii(head, 0, head.length).trimStart().toLowerCase()
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('svg'))) return 'svg'
  return null
}
