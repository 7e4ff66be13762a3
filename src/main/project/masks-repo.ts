/**
 * Masks: versioned label maps per image. Each version is a VOC palette PNG under masks/<id>/ plus a
 * row; the file is written inside the row's transaction, and removed again if the transaction fails,
 * so a row never points at a missing file and a failed save leaves no stray version.
 */
import type { MaskAuthor, MaskInfo } from '../../shared/domain'
import { IGNORE_INDEX, NUM_CLASSES } from '../../shared/voc'
import { encodeLabelPng, labelHistogram } from '../media/label-png'
import { nowIso, parseJson, type Db } from './db'
import { InvalidInputError, NotFoundError } from './errors'
import { maskRelPath, fromRelPath, type ProjectPaths } from './layout'
import { removeQuietly, writeFileAtomic } from '../files/atomic-file'

export interface MaskInput {
  labels: Uint8Array
  width: number
  height: number
  author: MaskAuthor
  origin: string
}

interface MaskRow {
  version: number
  author: MaskAuthor
  created_at: string
  class_pixels: string
  file: string
}

export class MasksRepo {
  constructor(
    private readonly db: Db,
    private readonly paths: ProjectPaths,
  ) {}

  /** Stores a new version; returns its version number. */
  add(imageId: number, mask: MaskInput): number {
    const img = this.db.prepare('SELECT name, width, height FROM images WHERE id = ?').get(imageId) as
      { name: string; width: number; height: number } | undefined
    if (!img) throw new NotFoundError(`image ${imageId} does not exist`)
    if (mask.width !== img.width || mask.height !== img.height) {
      throw new InvalidInputError(
        `mask for image ${imageId} (${img.name}) is ${mask.width}×${mask.height}, but the image is ${img.width}×${img.height}`,
      )
    }
    if (mask.labels.length !== mask.width * mask.height) {
      throw new InvalidInputError(
        `mask for image ${imageId} (${img.name}) holds ${mask.labels.length} labels, expected ${mask.width * mask.height}`,
      )
    }
    const histogram = labelHistogram(mask.labels)
    const bad = [...histogram.keys()].filter((v) => v >= NUM_CLASSES && v !== IGNORE_INDEX)
    if (bad.length > 0) {
      throw new InvalidInputError(
        `mask for image ${imageId} (${img.name}) has label values ${bad.join(', ')}; allowed are 0–${NUM_CLASSES - 1} and ${IGNORE_INDEX}`,
      )
    }
    const png = encodeLabelPng({ width: mask.width, height: mask.height, labels: mask.labels })
    const classPixels = Object.fromEntries([...histogram].map(([k, v]) => [String(k), v]))

    let written: string | null = null
    try {
      return this.db
        .transaction(() => {
          const { v } = this.db
            .prepare('SELECT coalesce(max(version), 0) + 1 AS v FROM masks WHERE image_id = ?')
            .get(imageId) as { v: number }
          const rel = maskRelPath(imageId, v)
          this.db
            .prepare(
              `INSERT INTO masks (image_id, version, author, origin, created_at, file, class_pixels)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(imageId, v, mask.author, mask.origin, nowIso(), rel, JSON.stringify(classPixels))
          this.db.prepare('UPDATE images SET mask_version = ? WHERE id = ?').run(v, imageId)
          const abs = fromRelPath(this.paths, rel)
          written = abs
          writeFileAtomic(abs, png)
          return v
        })
        .immediate()
    } catch (e) {
      if (written) removeQuietly(written)
      throw e
    }
  }

  list(imageId: number): MaskInfo[] {
    const rows = this.db
      .prepare(
        'SELECT version, author, created_at, class_pixels, file FROM masks WHERE image_id = ? ORDER BY version',
      )
      .all(imageId) as MaskRow[]
    return rows.map((r) => ({
      version: r.version,
      author: r.author,
      createdAt: r.created_at,
      classPixels: parseJson<Record<string, number>>(r.class_pixels, {}),
    }))
  }

  /** Project-relative file of a mask version, or null when there is no such version. */
  file(imageId: number, version: number): string | null {
    const r = this.db
      .prepare('SELECT file FROM masks WHERE image_id = ? AND version = ?')
      .get(imageId, version) as { file: string } | undefined
    return r?.file ?? null
  }
}
