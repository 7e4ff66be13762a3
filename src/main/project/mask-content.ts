/**
 * Mask content fingerprints: what makes two runs comparable is the pixels they were scored on, not
 * the version numbers those pixels were stored under. Restoring version 1 as version 3 stores the same
 * pixels again, so a run scored on v1 and one scored on v3 stay comparable; a version with different
 * pixels changes the fingerprint.
 *
 * No column holds the hash: it is computed from the stored PNG the first time it is asked for (old
 * projects need no migration) and kept in memory per open database (see storedMaskContent).
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import { readIndexedPng } from '../media/indexed-png'
import { decodeLabelPng } from '../media/label-png'
import type { Db } from './db'
import { fromRelPath, type ProjectPaths } from './layout'

/** The hash of a label map's pixels (size included: equal bytes at another size are other content). */
export function labelContentHash(width: number, height: number, labels: Uint8Array): string {
  if (labels.length !== width * height)
    throw new Error(`a ${width}×${height} label map holds ${labels.length} labels`)
  return crypto.createHash('sha256').update(`${width}x${height}:`).update(labels).digest('hex').slice(0, 32)
}

export interface MaskContent {
  imageId: number
  /** labelContentHash of the mask, or a marker for a version whose file cannot be read. */
  content: string
}

/** A short fingerprint of (image, content) pairs, independent of their order. */
export function maskContentFingerprint(masks: readonly MaskContent[]): string {
  const text = [...masks]
    .sort((a, b) => a.imageId - b.imageId || (a.content < b.content ? -1 : a.content > b.content ? 1 : 0))
    .map((m) => `${m.imageId}:${m.content}`)
    .join(',')
  return crypto.createHash('sha256').update(`content:${text}`).digest('hex').slice(0, 16)
}

/** A stored mask version as the masks table names it (row fields null when the row is missing). */
export interface StoredMaskRef {
  imageId: number
  version: number
  rowId: number | null
  createdAt: string | null
  file: string | null
}

interface DbCache {
  hashes: Map<string, string>
  row: { get(imageId: number, version: number): unknown }
}
const caches = new WeakMap<Db, DbCache>()

function cacheOf(db: Db): DbCache {
  let c = caches.get(db)
  if (!c) {
    c = {
      hashes: new Map(),
      row: db.prepare('SELECT id, created_at, file FROM masks WHERE image_id = ? AND version = ?'),
    }
    caches.set(db, c)
  }
  return c
}

/**
 * The content hash of a stored mask version, read from its file once per open database. The cache key
 * is the row's id and creation time: a version's file never changes after its row commits, and a row
 * id reused after a delete comes with another creation time. A version whose row or file is missing or
 * unreadable gets the marker `unreadable:v<N>`: run lists must still open, and an unknown content must
 * never count as equal to a known one (nor is it cached: a later read may succeed).
 */
export function storedMaskContent(db: Db, paths: ProjectPaths, ref: StoredMaskRef): string {
  const unreadable = `unreadable:v${ref.version}`
  if (ref.rowId === null || ref.file === null) return unreadable
  const { hashes } = cacheOf(db)
  const key = `${ref.rowId}:${ref.createdAt ?? ''}`
  const known = hashes.get(key)
  if (known !== undefined) return known
  let hash: string
  try {
    // the native-zlib reader for 8-bit palette/grey PNGs (all the studio writes); the generic decoder otherwise
    const bytes = fs.readFileSync(fromRelPath(paths, ref.file))
    const map = readIndexedPng(bytes) ?? decodeLabelPng(bytes)
    hash = labelContentHash(map.width, map.height, map.labels)
  } catch {
    return unreadable
  }
  hashes.set(key, hash)
  return hash
}

/** storedMaskContent of one (image, version). */
export function maskVersionContent(db: Db, paths: ProjectPaths, imageId: number, version: number): string {
  const r = cacheOf(db).row.get(imageId, version) as
    { id: number; created_at: string; file: string } | undefined
  return storedMaskContent(db, paths, {
    imageId,
    version,
    rowId: r?.id ?? null,
    createdAt: r?.created_at ?? null,
    file: r?.file ?? null,
  })
}
