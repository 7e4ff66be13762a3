/** Content hash for de-duplication; streamed so a large file is never held in memory whole. */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

/** sha256 of a file's bytes, lower-case hex. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}
