/**
 * Lists the image files of a folder for import. Which files are candidates is decided by extension
 * (case-insensitive) and, for files without an extension or with the extension of a format we refuse,
 * by sniffing the content; the final word on every candidate is the probe's content check. Everything
 * left out is reported by name as "skipped" with the reason, so the user sees where each file went.
 */
import { open, readdir, stat } from 'node:fs/promises'
import { extname, join, relative } from 'node:path'
import type { Dirent } from 'node:fs'
import type { FileProblem } from '../../shared/domain'
import {
  ACCEPTED_FORMATS_TEXT,
  IMAGE_EXTENSIONS,
  SNIFF_BYTES,
  UNSUPPORTED_IMAGE_EXTENSIONS,
  formatLabel,
  isAcceptedFormat,
  sniffFormat,
} from '../media/formats'

export interface FoundImage {
  /** Absolute path. */
  path: string
  /** Basename as on disk. */
  name: string
  /** Path relative to the scanned folder, '/'-separated (for ordering and messages). */
  rel: string
}

export interface FolderScan {
  images: FoundImage[]
  /** Files left out on purpose (hidden, not images, unsupported formats, folders when not recursive). */
  skipped: FileProblem[]
}

/** A stable, human order: "img2" before "img10", same on every machine (fixed locale). */
export const naturalCompare = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' }).compare

/** Names that operating systems drop into photo folders; never worth a line of their own. */
const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini', 'ehthumbs.db', 'ehthumbs_vista.db'])

async function sniffFile(path: string): Promise<ReturnType<typeof sniffFormat>> {
  const fh = await open(path, 'r')
  try {
    const head = new Uint8Array(SNIFF_BYTES)
    const { bytesRead } = await fh.read(head, 0, head.length, 0)
    return sniffFormat(head.subarray(0, bytesRead))
  } finally {
    await fh.close()
  }
}

/** Decides what to do with one regular file: a candidate (null) or a skip reason. */
async function classifyFile(path: string, name: string): Promise<string | null> {
  if (name.startsWith('.')) return 'skipped: hidden file'
  if (SYSTEM_FILES.has(name.toLowerCase())) return 'skipped: system file, not an image'
  const ext = extname(name).toLowerCase()
  if (IMAGE_EXTENSIONS.has(ext)) return null
  if (ext !== '' && !UNSUPPORTED_IMAGE_EXTENSIONS.has(ext)) return `skipped: not an image file (${ext})`
  // No extension, or a format we refuse by name: look at the content before deciding.
  let sniffed: ReturnType<typeof sniffFormat>
  try {
    sniffed = await sniffFile(path)
  } catch (e) {
    return `skipped: cannot be read (${(e as Error).message})`
  }
  if (sniffed !== null && isAcceptedFormat(sniffed)) return null
  if (sniffed !== null)
    return `skipped: unsupported image format ${formatLabel(sniffed)}; accepted formats are ${ACCEPTED_FORMATS_TEXT}`
  return ext === ''
    ? 'skipped: not an image file (no extension, content is not an image)'
    : `skipped: not an image file (${ext})`
}

export async function scanImageFolder(dir: string, opts: { recursive: boolean }): Promise<FolderScan> {
  const images: FoundImage[] = []
  const skipped: FileProblem[] = []
  const walk = async (folder: string): Promise<void> => {
    let entries: Dirent[]
    try {
      entries = await readdir(folder, { withFileTypes: true })
    } catch (e) {
      skipped.push({ file: folder, reason: `skipped: folder cannot be read (${(e as Error).message})` })
      return
    }
    entries.sort((a, b) => naturalCompare(a.name, b.name))
    for (const entry of entries) {
      const path = join(folder, entry.name)
      let isFile = entry.isFile()
      const isDir = entry.isDirectory()
      if (entry.isSymbolicLink()) {
        try {
          const st = await stat(path)
          isFile = st.isFile()
          // Linked folders are not followed: a link back up the tree would never end.
          if (st.isDirectory()) {
            skipped.push({ file: path, reason: 'skipped: link to a folder (not followed)' })
            continue
          }
        } catch {
          skipped.push({ file: path, reason: 'skipped: broken link' })
          continue
        }
      }
      if (isDir) {
        if (entry.name.startsWith('.')) skipped.push({ file: path, reason: 'skipped: hidden folder' })
        else if (opts.recursive) await walk(path)
        else skipped.push({ file: path, reason: 'skipped: subfolder (recursive import is off)' })
        continue
      }
      if (!isFile) {
        skipped.push({ file: path, reason: 'skipped: not a regular file' })
        continue
      }
      const why = await classifyFile(path, entry.name)
      if (why === null)
        images.push({ path, name: entry.name, rel: relative(dir, path).split(/[\\/]/).join('/') })
      else skipped.push({ file: path, reason: why })
    }
  }
  await walk(dir)
  return { images, skipped }
}

/** Throws a clear Error unless `dir` is a readable folder. */
export async function assertFolder(dir: string, what = 'folder'): Promise<void> {
  let st
  try {
    st = await stat(dir)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new Error(
      code === 'ENOENT'
        ? `${what} not found: ${dir}`
        : `${what} cannot be read: ${dir} (${(e as Error).message})`,
    )
  }
  if (!st.isDirectory()) throw new Error(`not a folder: ${dir}`)
}

/** True when `path` is an existing folder. */
export async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch {
    return false
  }
}

/** True when `path` is an existing regular file. */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}
