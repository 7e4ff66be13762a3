/** Test helpers: real image files written with sharp, and temp folders that clean up after themselves. */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import sharp from 'sharp'

export function makeTempDir(prefix = 'pss-media-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * A deterministic RGB picture: smooth gradients plus a seed-dependent tint so different seeds give
 * different bytes (and hashes). `redTopLeft` paints the top-left quadrant pure red and the rest blue, to
 * check orientation handling by sampling.
 */
export function pattern(width: number, height: number, seed = 0, redTopLeft = false): Buffer {
  const raw = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3
      if (redTopLeft) {
        const tl = x < width / 2 && y < height / 2
        raw[i] = tl ? 255 : 0
        raw[i + 1] = 0
        raw[i + 2] = tl ? 0 : 255
      } else {
        raw[i] = (x * 255) / Math.max(1, width - 1)
        raw[i + 1] = (y * 255) / Math.max(1, height - 1)
        raw[i + 2] = (seed * 37 + ((x ^ y) & 63)) & 255
      }
    }
  }
  return raw
}

export interface ImageSpec {
  width: number
  height: number
  seed?: number
  orientation?: number
  redTopLeft?: boolean
}

function source(spec: ImageSpec): sharp.Sharp {
  const img = sharp(pattern(spec.width, spec.height, spec.seed ?? 0, spec.redTopLeft ?? false), {
    raw: { width: spec.width, height: spec.height, channels: 3 },
  })
  return spec.orientation ? img.withMetadata({ orientation: spec.orientation }) : img
}

function ensureDir(path: string): void {
  mkdirSync(dirname(path), { recursive: true })
}

export async function writeJpeg(path: string, spec: ImageSpec, quality = 90): Promise<Buffer> {
  ensureDir(path)
  const buf = await source(spec).jpeg({ quality }).toBuffer()
  writeFileSync(path, buf)
  return buf
}

export async function writePng(path: string, spec: ImageSpec): Promise<Buffer> {
  ensureDir(path)
  const buf = await source(spec).png().toBuffer()
  writeFileSync(path, buf)
  return buf
}

export async function writeWebp(path: string, spec: ImageSpec): Promise<Buffer> {
  ensureDir(path)
  const buf = await source(spec).webp({ quality: 90 }).toBuffer()
  writeFileSync(path, buf)
  return buf
}

export async function writeGif(path: string, spec: ImageSpec): Promise<Buffer> {
  ensureDir(path)
  const buf = await source(spec).gif().toBuffer()
  writeFileSync(path, buf)
  return buf
}

/** A JPEG cut to half its length: the header (and size) survive, the pixel data does not. */
export async function writeTruncatedJpeg(path: string, spec: ImageSpec): Promise<void> {
  ensureDir(path)
  const buf = await source(spec).jpeg({ quality: 90 }).toBuffer()
  writeFileSync(path, buf.subarray(0, buf.length >> 1))
}

/** An 8-bit single-channel (greyscale) PNG holding `labels` as grey values (SegmentationClassAug style). */
export async function writeGreyPng(
  path: string,
  width: number,
  height: number,
  labels: Uint8Array,
): Promise<void> {
  ensureDir(path)
  // sharp writes single-channel raw input as RGB unless told the colourspace is b-w.
  const buf = await sharp(Buffer.from(labels), { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer()
  writeFileSync(path, buf)
}

/** An RGB PNG of flat VOC-like colours (what a careless tool writes for a "mask"). */
export async function writeRgbPng(path: string, width: number, height: number): Promise<void> {
  ensureDir(path)
  const raw = Buffer.alloc(width * height * 3)
  for (let i = 0; i < width * height; i++) raw[i * 3] = i % 2 ? 128 : 0
  writeFileSync(
    path,
    await sharp(raw, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  )
}

export function writeText(path: string, text: string): void {
  ensureDir(path)
  writeFileSync(path, text)
}

/** Reads a WebP/PNG/JPEG buffer's format and size with sharp (for checking outputs). */
export async function sizeOf(buf: Buffer): Promise<{ format: string; width: number; height: number }> {
  const m = await sharp(buf).metadata()
  return { format: m.format ?? '', width: m.width ?? 0, height: m.height ?? 0 }
}
