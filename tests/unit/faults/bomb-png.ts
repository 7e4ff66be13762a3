/**
 * Decompression-bomb PNGs for the fault tests: a 1-bit greyscale (or palette) PNG whose IDAT is the
 * deflated stream of all-zero rows. 60000×60000 inflates to 450 MB of scanlines (3.6 gigapixels) from a
 * file of about 437 KB. Written with node's streaming deflate so no 450 MB buffer ever exists here.
 */
import fs from 'node:fs'
import { createDeflate } from 'node:zlib'
import { PNG_SIGNATURE, pngChunk } from '../../../src/shared/png-chunks'

async function deflateZeros(total: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9, memLevel: 9 })
  const out: Buffer[] = []
  deflate.on('data', (c: Buffer) => out.push(c))
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve)
    deflate.on('error', reject)
  })
  const block = Buffer.alloc(8 * 1024 * 1024)
  for (let left = total; left > 0; left -= block.length) {
    const piece = left >= block.length ? block : block.subarray(0, left)
    if (!deflate.write(piece)) await new Promise((r) => deflate.once('drain', r))
  }
  deflate.end()
  await done
  return Buffer.concat(out)
}

/** The PNG bytes of a width×height 1-bit image of zeros (colour type 0 grey, or 3 palette). */
export async function bombPng(
  width: number,
  height: number,
  kind: 'grey' | 'palette' = 'grey',
): Promise<Buffer> {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 1 // bit depth
  ihdr[9] = kind === 'grey' ? 0 : 3
  // Each row: filter byte 0 + ⌈width/8⌉ zero bytes — the whole stream is zeros.
  const idat = await deflateZeros((1 + Math.ceil(width / 8)) * height)
  const chunks = [Uint8Array.from(PNG_SIGNATURE), pngChunk('IHDR', ihdr)]
  if (kind === 'palette') chunks.push(pngChunk('PLTE', Uint8Array.from([0, 0, 0, 128, 0, 0])))
  chunks.push(pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array(0)))
  return Buffer.concat(chunks)
}

/** Writes bombPng to `file` (cached per size in `cache` so a test file deflates each size once). */
export async function writeBombPng(
  file: string,
  width: number,
  height: number,
  cache = new Map<string, Buffer>(),
): Promise<number> {
  const key = `${width}x${height}`
  let bytes = cache.get(key)
  if (!bytes) {
    bytes = await bombPng(width, height)
    cache.set(key, bytes)
  }
  fs.writeFileSync(file, bytes)
  return bytes.length
}
