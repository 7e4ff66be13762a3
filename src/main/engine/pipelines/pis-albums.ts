/**
 * Users' albums in the PIS layout: <root>/id{k}/{JPEGImages/*.jpg, SegmentationClass/<n>.png
 * (validation only), val_all.txt} (the root may also be the folder holding `personal/`).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'

export interface PisAlbum {
  id: string
  dir: string
  /** Every album image (the test set of PIS is the whole album). */
  images: { name: string; file: string }[]
  /** Names of the labelled validation images (val_all.txt). */
  valNames: string[]
}

const IMAGE_EXT = /\.(jpe?g|png)$/i

export function pisRootDir(root: string): string {
  const nested = path.join(root, 'personal')
  return fs.existsSync(nested) ? nested : root
}

/** `/JPEGImages/x.jpg /SegmentationClass/x.png n` (or a bare name) → `x`. */
export function parseValLine(line: string): string {
  const first = line.trim().split(/\s+/)[0] ?? ''
  return path.basename(first).replace(IMAGE_EXT, '')
}

export function listPisAlbums(root: string): PisAlbum[] {
  const base = pisRootDir(root)
  const ids = fs
    .readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^id\d+$/.test(d.name))
    .map((d) => d.name)
    .sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)))
  if (ids.length === 0) throw new Error(`${base}: no user albums (id<k> folders)`)
  return ids.map((id) => {
    const dir = path.join(base, id)
    const jpeg = path.join(dir, 'JPEGImages')
    const images = fs
      .readdirSync(jpeg)
      .filter((f) => IMAGE_EXT.test(f))
      .sort()
      .map((f) => ({ name: f.replace(IMAGE_EXT, ''), file: path.join(jpeg, f) }))
    const valFile = path.join(dir, 'val_all.txt')
    const valNames = fs.existsSync(valFile)
      ? fs
          .readFileSync(valFile, 'utf8')
          .split(/\r?\n/)
          .filter((l) => l.trim().length > 0)
          .map(parseValLine)
      : []
    return { id, dir, images, valNames }
  })
}
