import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hashFile } from '../../../src/main/media'
import { makeTempDir } from './helpers'

let tmp: ReturnType<typeof makeTempDir>
beforeEach(() => {
  tmp = makeTempDir()
})
afterEach(() => tmp.cleanup())

describe('hashFile', () => {
  it('matches the FIPS 180-2 test vector for "abc"', async () => {
    const p = join(tmp.dir, 'abc')
    writeFileSync(p, 'abc')
    expect(await hashFile(p)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('matches Python hashlib on a multi-chunk file (streamed in 1 MiB pieces)', async () => {
    const p = join(tmp.dir, 'big.bin')
    const bytes = Buffer.alloc(3 * (1 << 20) + 12345)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24
    writeFileSync(p, bytes)
    const oracle = execFileSync('/usr/bin/python3', [
      '-c',
      'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())',
      p,
    ])
      .toString()
      .trim()
    expect(await hashFile(p)).toBe(oracle)
  })

  it('fails on a missing file', async () => {
    await expect(hashFile(join(tmp.dir, 'missing'))).rejects.toThrow(/ENOENT/)
  })
})
