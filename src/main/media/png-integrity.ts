/**
 * Where a PNG file is damaged, in words: the first chunk whose CRC does not match its contents, a chunk
 * that runs past the end of the file, or a missing IEND. libvips does not check the CRC of a small image's
 * last IDAT at all, and says only "read error" for a big one, so an import checks every PNG itself and
 * names the chunk and its byte offset (a flipped bit reads differently from a cut-short copy).
 */
import { open } from 'node:fs/promises'
import { crc32 } from 'node:zlib'
import { PNG_SIGNATURE } from '../../shared/png-chunks'

/** The first structural problem of PNG bytes, or null when every chunk is whole and its CRC matches. */
export function pngDamage(bytes: Uint8Array): string | null {
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return null // not a PNG: not ours to judge
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let off = 8
  while (off < bytes.length) {
    if (off + 8 > bytes.length) return `PNG chunk header at byte ${off} is cut short`
    const len = view.getUint32(off)
    const type = chunkType(bytes.subarray(off + 4, off + 8))
    if (off + 12 + len > bytes.length) return `PNG chunk ${type} at byte ${off} runs past the end of the file`
    if (crc32(bytes.subarray(off + 4, off + 8 + len)) !== view.getUint32(off + 8 + len))
      return badCrc(type, off)
    if (type === 'IEND') return null
    off += 12 + len
  }
  return 'PNG has no IEND chunk (the file is cut short)'
}

function chunkType(b: Uint8Array): string {
  return String.fromCharCode(b[0]!, b[1]!, b[2]!, b[3]!)
}

function badCrc(type: string, off: number): string {
  return `PNG chunk ${type} at byte ${off} has a bad CRC (damaged data)`
}

const BLOCK = 1 << 20

/**
 * pngDamage of a file, streamed chunk by chunk in 1 MB blocks (a 150 MB PNG is never held in memory).
 * Null when the file is not a PNG or cannot be read (the decoder's own error stands then).
 */
export async function pngFileDamage(path: string): Promise<string | null> {
  let fh: Awaited<ReturnType<typeof open>>
  try {
    fh = await open(path, 'r')
  } catch {
    return null
  }
  try {
    const { size } = await fh.stat()
    const head = new Uint8Array(8)
    if ((await fh.read(head, 0, 8, 0)).bytesRead < 8 || PNG_SIGNATURE.some((b, i) => head[i] !== b))
      return null
    const block = Buffer.alloc(BLOCK)
    let off = 8
    while (off < size) {
      if (off + 8 > size) return `PNG chunk header at byte ${off} is cut short`
      await fh.read(block, 0, 8, off)
      const len = block.readUInt32BE(0)
      const type = chunkType(block.subarray(4, 8))
      if (off + 12 + len > size) return `PNG chunk ${type} at byte ${off} runs past the end of the file`
      let crc = crc32(block.subarray(4, 8))
      for (let done = 0; done < len;) {
        const n = Math.min(BLOCK, len - done)
        const { bytesRead } = await fh.read(block, 0, n, off + 8 + done)
        if (bytesRead === 0) return `PNG chunk ${type} at byte ${off} runs past the end of the file`
        crc = crc32(block.subarray(0, bytesRead), crc)
        done += bytesRead
      }
      await fh.read(block, 0, 4, off + 8 + len)
      if (crc !== block.readUInt32BE(0)) return badCrc(type, off)
      if (type === 'IEND') return null
      off += 12 + len
    }
    return 'PNG has no IEND chunk (the file is cut short)'
  } catch {
    return null
  } finally {
    await fh.close()
  }
}
