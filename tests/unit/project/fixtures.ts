/** Test fixtures for the store: temp folders and real image files with their NewImage description. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import crypto from 'node:crypto'
import sharp from 'sharp'
import type { NewImage } from '../../../src/main/project/import-target-port'

export class TempDirs {
  private dirs: string[] = []

  make(prefix = 'pss-store-'): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
    this.dirs.push(d)
    return d
  }

  cleanup(): void {
    for (const d of this.dirs.splice(0)) {
      try {
        fs.chmodSync(d, 0o755)
      } catch {
        /* ignore */
      }
      fs.rmSync(d, { recursive: true, force: true })
    }
  }
}

/** Writes a real JPEG (a colour field whose colour depends on `seed`) and returns its NewImage. */
export async function makePhoto(
  dir: string,
  fileName: string,
  seed: number,
  opts: { width?: number; height?: number; copy?: boolean; name?: string } = {},
): Promise<NewImage> {
  const width = opts.width ?? 48
  const height = opts.height ?? 32
  const file = path.join(dir, fileName)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  await sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: (seed * 37) % 256, g: (seed * 91) % 256, b: (seed * 17) % 256 },
    },
  })
    .jpeg()
    .toFile(file)
  const bytes = fs.readFileSync(file)
  const thumbnail = await sharp(bytes).resize(16).webp().toBuffer()
  return {
    sourcePath: file,
    name: opts.name ?? path.basename(fileName),
    copy: opts.copy ?? true,
    width,
    height,
    orientation: 1,
    bytes: bytes.length,
    hash: crypto.createHash('sha256').update(bytes).digest('hex'),
    tags: [],
    thumbnail,
  }
}

/** A NewImage for bulk tests that never touch the file (copy: false, no thumbnail). */
export function fakeImage(i: number, name = `img_${String(i).padStart(5, '0')}.jpg`): NewImage {
  return {
    sourcePath: `/photos/${name}`,
    name,
    copy: false,
    width: 64,
    height: 48,
    orientation: 1,
    bytes: 1000 + i,
    hash: crypto.createHash('sha256').update(`image ${i}`).digest('hex'),
    tags: [],
    thumbnail: Buffer.alloc(0),
  }
}

/** Files under a folder, relative, sorted (to check nothing stray was left behind). */
export function listFiles(root: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else out.push(path.relative(root, p).split(path.sep).join('/'))
    }
  }
  walk(root)
  return out.sort()
}
