/**
 * The project folder layout (one folder per project, portable) and safe file names inside it.
 *
 *   project.sqlite (+ -wal, -shm)   the database
 *   media/<album-slug>/…            copied originals (never modified)
 *   thumbs/<image-id>.<ext>         generated thumbnails (can be rebuilt)
 *   masks/<image-id>/v<version>.png VOC palette PNGs, one file per version
 *   runs/<run-id>/                  run outputs
 *   models/<sha256 prefix>-<name>.pth  imported PyTorch source models (source-models-repo.ts)
 *   .lock                           who has the project open
 */
import path from 'node:path'
import fs from 'node:fs'
import { makeDirSync } from '../files/make-dir'

export const DB_FILE = 'project.sqlite'
export const LOCK_FILE = '.lock'
/** Files the media resolver must never serve (the database and its journals, the lock). */
export const PRIVATE_FILES = new Set([
  DB_FILE,
  `${DB_FILE}-wal`,
  `${DB_FILE}-shm`,
  `${DB_FILE}-journal`,
  LOCK_FILE,
])

export interface ProjectPaths {
  root: string
  db: string
  lock: string
  media: string
  thumbs: string
  masks: string
  runs: string
}

export function projectPaths(root: string): ProjectPaths {
  const r = path.resolve(root)
  return {
    root: r,
    db: path.join(r, DB_FILE),
    lock: path.join(r, LOCK_FILE),
    media: path.join(r, 'media'),
    thumbs: path.join(r, 'thumbs'),
    masks: path.join(r, 'masks'),
    runs: path.join(r, 'runs'),
  }
}

export function ensureLayout(p: ProjectPaths): void {
  for (const dir of [p.media, p.thumbs, p.masks, p.runs]) makeDirSync(dir)
}

/** Project-relative path with forward slashes (what the DB stores for files inside the project). */
export function toRelPath(p: ProjectPaths, abs: string): string {
  return path.relative(p.root, abs).split(path.sep).join('/')
}

export function fromRelPath(p: ProjectPaths, rel: string): string {
  return path.join(p.root, ...rel.split('/'))
}

export const maskRelPath = (imageId: number, version: number): string => `masks/${imageId}/v${version}.png`

const RESERVED_WIN = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i
// Characters that are invalid on Windows or macOS file systems, plus controls. Spaces, leading '-' and
// unicode are fine on every file system and kept, so the copied file still reads like the original.
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be replaced
const BAD_CHARS = /[<>:"/\\|?*\u0000-\u001f\u007f]/g
const MAX_NAME_BYTES = 150

/** A file-system-safe version of a display name (album slug, copied file name). Never empty. */
export function safeFileName(name: string, fallback = 'file'): string {
  let s = name.normalize('NFC').replace(BAD_CHARS, '_').trim()
  // Trailing dots/spaces are dropped by Windows; a name of only dots would mean '.' or '..'.
  s = s.replace(/[. ]+$/, '')
  if (s === '' || /^\.+$/.test(s)) s = fallback
  if (RESERVED_WIN.test(s)) s = `_${s}`
  return truncateBytes(s, MAX_NAME_BYTES)
}

/** Short, lower-case folder name for an album or source. */
export function slugify(name: string, fallback: string): string {
  const s = safeFileName(name, fallback)
    .toLowerCase()
    .replace(/\s+/g, '-')
    .replace(/^[-.]+/, '')
  return truncateBytes(s === '' ? fallback : s, 80)
}

/** Truncates keeping the extension and whole code points, so the result stays valid UTF-8. */
function truncateBytes(name: string, max: number): string {
  if (Buffer.byteLength(name) <= max) return name
  const dot = name.lastIndexOf('.')
  const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : ''
  let stem = name.slice(0, name.length - ext.length)
  while (Buffer.byteLength(stem + ext) > max) stem = Array.from(stem).slice(0, -1).join('')
  return stem + ext
}

/**
 * A name not yet taken in `dir` (case-insensitively, for case-insensitive file systems):
 * "a.jpg", "a-2.jpg", "a-3.jpg"…  `taken` holds extra names to avoid (e.g. reserved in this batch).
 */
export function uniqueFileName(
  dir: string,
  wanted: string,
  taken: (name: string) => boolean = () => false,
): string {
  const dot = wanted.lastIndexOf('.')
  const stem = dot > 0 ? wanted.slice(0, dot) : wanted
  const ext = dot > 0 ? wanted.slice(dot) : ''
  let existing: Set<string>
  try {
    existing = new Set(fs.readdirSync(dir).map((n) => n.toLowerCase()))
  } catch {
    existing = new Set()
  }
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? wanted : `${stem}-${i}${ext}`
    if (!existing.has(candidate.toLowerCase()) && !taken(candidate)) return candidate
  }
}
