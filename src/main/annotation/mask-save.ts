/**
 * Saving a hand-edited mask as a new version, atomically with its database row:
 *   1. the PNG is written to a temp file next to its final name and fsync'ed (outside the transaction),
 *   2. in one IMMEDIATE transaction: the base version is checked, the row inserted, images.mask_version
 *      and the status updated, and the temp file renamed onto masks/<id>/v<n>.png,
 *   3. the transaction commits.
 * Any failure removes the temp file (and the renamed file if the commit did not happen), so the
 * previous version — its file and its row — is never touched. A crash between rename and commit
 * leaves an orphan v<n>.png without a row (a complete file: it was fsync'ed before the rename), which the
 * next save of that image overwrites; a crash before the rename leaves a temp file, which the next save of
 * that image removes. tests/unit/annotation/kill-during-save.test.ts SIGKILLs a serving process mid-save.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { AnnotationStatus, MaskVersion } from '../../shared/annotation'
import type { MaskAuthor } from '../../shared/domain'
import { IGNORE_INDEX, NUM_CLASSES } from '../../shared/voc'
import { fsyncDir, removeQuietly } from '../files/atomic-file'
import { encodeLabelPng, labelHistogram } from '../media/label-png'
import { nowIso, parseJson, type Db } from '../project/db'
import { ConflictError, InvalidInputError, NotFoundError, StoreIoError } from '../project/errors'
import { fromRelPath, maskRelPath, type ProjectPaths } from '../project/layout'
import { writeStatus } from './annotation-status'

export interface SaveMaskInput {
  imageId: number
  labels: Uint8Array
  width: number
  height: number
  /** The version the edit started from; null when the image had no mask. */
  baseVersion: number | null
  author: MaskAuthor
  origin: string
  status?: AnnotationStatus | undefined
  handPixels?: number | null | undefined
  /**
   * The file bytes when the caller already holds a canonical VOC palette PNG of exactly `labels` (read
   * back by readIndexedPng); stored as they are instead of encoding again.
   */
  png?: Uint8Array | undefined
}

/** Test hooks that simulate a crash or an I/O failure at a given step. */
export interface SaveFaults {
  beforeRename?: () => void
  afterRename?: () => void
}

interface ImageSize {
  name: string
  width: number
  height: number
}

/** Checks size and label values; the message names the image and what is wrong. */
export function validateLabels(
  imageId: number,
  img: ImageSize,
  input: Pick<SaveMaskInput, 'labels' | 'width' | 'height'>,
): Map<number, number> {
  const what = `mask for image ${imageId} (${img.name})`
  if (input.width !== img.width || input.height !== img.height) {
    throw new InvalidInputError(
      `${what} is ${input.width}×${input.height}, but the image is ${img.width}×${img.height}`,
    )
  }
  if (input.labels.length !== input.width * input.height) {
    throw new InvalidInputError(
      `${what} holds ${input.labels.length} labels, expected ${input.width * input.height}`,
    )
  }
  const histogram = labelHistogram(input.labels)
  const bad = [...histogram.keys()].filter((v) => v >= NUM_CLASSES && v !== IGNORE_INDEX)
  if (bad.length > 0) {
    const first = input.labels.findIndex((v) => v >= NUM_CLASSES && v !== IGNORE_INDEX)
    throw new InvalidInputError(
      `${what} has label values ${bad.join(', ')} (first at x=${first % input.width}, y=${Math.floor(first / input.width)}); allowed are 0–${NUM_CLASSES - 1} and ${IGNORE_INDEX} (ignore)`,
    )
  }
  return histogram
}

const TEMP_PREFIX = '.tmp-'

/**
 * Removes temp files a killed process left in an image's mask folder. Safe: a save runs synchronously
 * from its temp file to its commit, and the project lock keeps other processes out, so no temp file
 * here can belong to a save in progress.
 */
function sweepTempFiles(dir: string): void {
  for (const f of fs.readdirSync(dir)) if (f.startsWith(TEMP_PREFIX)) removeQuietly(path.join(dir, f))
}

export function latestMaskVersion(db: Db, imageId: number): number | null {
  const r = db.prepare('SELECT max(version) AS v FROM masks WHERE image_id = ?').get(imageId) as {
    v: number | null
  }
  return r.v
}

/** Stores a new mask version; returns its number. */
export function saveMaskVersion(
  db: Db,
  paths: ProjectPaths,
  input: SaveMaskInput,
  faults: SaveFaults = {},
): number {
  const img = db.prepare('SELECT name, width, height FROM images WHERE id = ?').get(input.imageId) as
    ImageSize | undefined
  if (!img) throw new NotFoundError(`image ${input.imageId} does not exist`)
  const histogram = validateLabels(input.imageId, img, input)
  const pixels = input.width * input.height
  // A count of hand-painted pixels, stored with the version: at most the mask's own pixels.
  const hand = input.handPixels
  if (hand != null && !(Number.isSafeInteger(hand) && hand >= 0 && hand <= pixels)) {
    throw new InvalidInputError(
      `mask for image ${input.imageId} (${img.name}): handPixels ${input.handPixels} is not a count of its ${pixels} pixels`,
    )
  }
  const png = input.png ?? encodeLabelPng({ width: input.width, height: input.height, labels: input.labels })
  const classPixels = JSON.stringify(Object.fromEntries([...histogram].map(([k, v]) => [String(k), v])))

  const dir = path.join(paths.masks, String(input.imageId))
  // Not recursive: masks/ exists in every open project (ensureLayout), so its absence means the project
  // folder was moved or deleted, and recreating the path would write the mask into an empty new folder.
  try {
    fs.mkdirSync(dir)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT')
      throw new StoreIoError(
        `cannot save the mask of image ${input.imageId}: ${paths.masks} no longer exists (was the project folder moved or deleted?)`,
      )
    if (code !== 'EEXIST') throw e
  }
  sweepTempFiles(dir)
  const tmp = path.join(dir, `${TEMP_PREFIX}${process.pid}-${crypto.randomBytes(6).toString('hex')}.png`)
  let final: string | null = null
  try {
    const fd = fs.openSync(tmp, 'wx', 0o644)
    try {
      fs.writeFileSync(fd, png)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    return db
      .transaction(() => {
        const latest = latestMaskVersion(db, input.imageId)
        if (latest !== input.baseVersion) {
          throw new ConflictError(
            `image ${input.imageId} (${img.name}) now has mask version ${latest ?? 'none'}, but this edit started from ` +
              `${input.baseVersion === null ? 'no mask' : `version ${input.baseVersion}`}; reload the image to edit the newest version`,
          )
        }
        const v = (latest ?? 0) + 1
        const rel = maskRelPath(input.imageId, v)
        db.prepare(
          `INSERT INTO masks (image_id, version, author, origin, created_at, file, class_pixels, base_version, hand_pixels)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          input.imageId,
          v,
          input.author,
          input.origin,
          nowIso(),
          rel,
          classPixels,
          input.baseVersion,
          input.handPixels ?? null,
        )
        db.prepare('UPDATE images SET mask_version = ? WHERE id = ?').run(v, input.imageId)
        if (input.status !== undefined) writeStatus(db, input.imageId, input.status)
        faults.beforeRename?.()
        const target = fromRelPath(paths, rel)
        fs.renameSync(tmp, target)
        final = target
        fsyncDir(dir)
        faults.afterRename?.()
        return v
      })
      .immediate()
  } catch (e) {
    removeQuietly(tmp)
    if (final) removeQuietly(final)
    throw e
  }
}

interface VersionRow {
  version: number
  author: MaskAuthor
  origin: string
  created_at: string
  class_pixels: string
  base_version: number | null
  hand_pixels: number | null
}

export function listMaskVersions(db: Db, imageId: number): MaskVersion[] {
  if (!db.prepare('SELECT 1 FROM images WHERE id = ?').get(imageId))
    throw new NotFoundError(`image ${imageId} does not exist`)
  const rows = db
    .prepare(
      'SELECT version, author, origin, created_at, class_pixels, base_version, hand_pixels FROM masks WHERE image_id = ? ORDER BY version',
    )
    .all(imageId) as VersionRow[]
  return rows.map((r) => ({
    version: r.version,
    author: r.author,
    origin: r.origin,
    createdAt: r.created_at,
    classPixels: parseJson<Record<string, number>>(r.class_pixels, {}),
    baseVersion: r.base_version,
    handPixels: r.hand_pixels,
  }))
}
