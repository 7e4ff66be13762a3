/**
 * Exports an album's newest masks in VOC or PIS layout. Everything is written into a temp folder next
 * to `out` and renamed into place at the end, so `out` appears complete or not at all.
 *
 *   voc:  out/JPEGImages/<stem>.jpg  out/SegmentationClass/<stem>.png
 *         out/ImageSets/Segmentation/{val,train,trainval}.txt  (val = active split ∩ masked)
 *   pis:  out/personal/<user>/{JPEGImages, SegmentationClass, val_all.txt, imgLabelList.txt,
 *         train_cluster<K>.txt (newest clustering)}
 *
 * Masks are copied byte for byte (every stored version is a VOC palette PNG). Photos are copied (or
 * hard-linked with `link`) when they are JPEGs with no EXIF rotation; others are re-encoded as JPEG
 * with the orientation applied, so they line up with their masks in tools that ignore EXIF.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import type { ExportFormat, ExportSummary } from '../../shared/annotation'
import { VOC_CLASSES } from '../../shared/voc'
import { parseJson } from '../project/db'
import { ConflictError, exhaustive, NotFoundError } from '../project/errors'
import { fromRelPath, slugify } from '../project/layout'
import type { Project } from '../project/project'
import type { ImageRow } from '../project/images-repo'
import { makeDirSync } from '../files/make-dir'

export class ExportCancelledError extends Error {}

export interface ExportArgs {
  albumId: number
  format: ExportFormat
  out: string
  link: boolean
}

interface Entry {
  row: ImageRow
  stem: string
  inValidation: boolean
  maskFile: string | null
  cluster: number | null
}

/** File stems, unique case-insensitively ("a.jpg" and "a.png" become "a" and "a-<id>"). */
function assignStems(rows: ImageRow[]): Map<number, string> {
  const taken = new Set<string>()
  const out = new Map<number, string>()
  for (const r of rows) {
    const base = path.parse(r.name).name.replace(/[/\\\s]+/g, '_') || `image-${r.id}`
    let stem = base
    if (taken.has(stem.toLowerCase())) stem = `${base}-${r.id}`
    taken.add(stem.toLowerCase())
    out.set(r.id, stem)
  }
  return out
}

function checkOut(out: string): void {
  let entries: string[]
  try {
    entries = fs.readdirSync(out)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return
    if (code === 'ENOTDIR') throw new ConflictError(`${out} is a file; give a folder that is absent or empty`)
    throw e
  }
  if (entries.length > 0) {
    throw new ConflictError(
      `${out} is not empty (${entries.length} entries); give a folder that is absent or empty`,
    )
  }
}

async function writePhoto(src: string, row: ImageRow, dest: string, link: boolean): Promise<void> {
  const isJpeg = /\.jpe?g$/i.test(src) || /\.jpe?g$/i.test(row.name)
  if (isJpeg && row.orientation === 1) {
    if (link) {
      try {
        fs.linkSync(src, dest)
        return
      } catch {
        /* another device or no hard links: copy instead */
      }
    }
    fs.copyFileSync(src, dest)
    return
  }
  await sharp(src).rotate().jpeg({ quality: 95 }).toFile(dest)
}

/** Progress and cancellation of an export run as a job (export-jobs.ts); the API call passes none. */
export interface ExportWatch {
  progress(done: number, total: number): void
  cancelled(): boolean
}

export async function exportMasks(
  project: Project,
  a: ExportArgs,
  watch?: ExportWatch,
): Promise<ExportSummary> {
  const db = project.db
  const album = db
    .prepare('SELECT id, name, user_id, active_split_id FROM albums WHERE id = ?')
    .get(a.albumId) as
    { id: number; name: string; user_id: string | null; active_split_id: number | null } | undefined
  if (!album) throw new NotFoundError(`album ${a.albumId} does not exist`)
  const out = path.resolve(a.out)
  if (out === project.root || out.startsWith(project.root + path.sep)) {
    throw new ConflictError(`cannot export into the project folder (${out}); choose a folder outside it`)
  }
  checkOut(out)

  // One read transaction: the list, masks and split describe one snapshot.
  const { rows, valIds, clusters, clusteringK } = db.transaction(() => {
    const rows = db
      .prepare('SELECT * FROM images WHERE album_id = ? ORDER BY name COLLATE NOCASE, id')
      .all(a.albumId) as ImageRow[]
    const valIds = new Set(
      (
        db.prepare('SELECT image_id FROM split_members WHERE split_id = ?').all(album.active_split_id) as {
          image_id: number
        }[]
      ).map((r) => r.image_id),
    )
    const c = db
      .prepare('SELECT id, k FROM clusterings WHERE album_id = ? ORDER BY id DESC LIMIT 1')
      .get(a.albumId) as { id: number; k: number } | undefined
    const clusters = new Map<number, number>()
    if (c) {
      for (const r of db
        .prepare('SELECT image_id, cluster FROM cluster_members WHERE clustering_id = ?')
        .all(c.id) as { image_id: number; cluster: number }[]) {
        clusters.set(r.image_id, r.cluster)
      }
    }
    return { rows, valIds, clusters, clusteringK: c?.k ?? null }
  })()
  const stems = assignStems(rows)
  const entries: Entry[] = rows.map((row) => {
    const rel = row.mask_version !== null ? project.masks.file(row.id, row.mask_version) : null
    return {
      row,
      stem: stems.get(row.id)!,
      inValidation: valIds.has(row.id),
      maskFile: rel ? fromRelPath(project.paths, rel) : null,
      cluster: clusters.get(row.id) ?? null,
    }
  })

  const parent = path.dirname(out)
  makeDirSync(parent)
  const tmp = path.join(
    parent,
    `.${path.basename(out)}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`,
  )
  const userDir =
    a.format === 'pis' ? path.join(tmp, 'personal', album.user_id ?? slugify(album.name, 'album')) : tmp
  const imagesDir = path.join(userDir, 'JPEGImages')
  const masksDir = path.join(userDir, 'SegmentationClass')
  makeDirSync(imagesDir)
  makeDirSync(masksDir)
  const masked = entries.filter((e) => e.maskFile !== null)
  const val = masked.filter((e) => e.inValidation)
  const missingMasks = entries.filter((e) => e.inValidation && e.maskFile === null).map((e) => e.row.name)
  try {
    watch?.progress(0, entries.length)
    for (const [i, e] of entries.entries()) {
      // Cancelling leaves nothing: the temp folder is removed below and `out` was never touched.
      if (watch?.cancelled())
        throw new ExportCancelledError(`export of "${album.name}" to ${out} was cancelled`)
      await writePhoto(project.originalPath(e.row), e.row, path.join(imagesDir, `${e.stem}.jpg`), a.link)
      if (e.maskFile) fs.copyFileSync(e.maskFile, path.join(masksDir, `${e.stem}.png`))
      watch?.progress(i + 1, entries.length)
    }
    switch (a.format) {
      case 'voc': {
        const sets = path.join(tmp, 'ImageSets', 'Segmentation')
        makeDirSync(sets)
        const list = (xs: Entry[]) => xs.map((e) => `${e.stem}\n`).join('')
        fs.writeFileSync(path.join(sets, 'val.txt'), list(val))
        fs.writeFileSync(path.join(sets, 'train.txt'), list(masked.filter((e) => !e.inValidation)))
        fs.writeFileSync(path.join(sets, 'trainval.txt'), list(masked))
        break
      }
      case 'pis': {
        const line = (e: Entry, n: number) =>
          `/JPEGImages/${e.stem}.jpg /SegmentationClass/${e.stem}.png ${n}\n`
        fs.writeFileSync(path.join(userDir, 'val_all.txt'), val.map((e) => line(e, 0)).join(''))
        const tagLine = (e: Entry) => {
          const tags = parseJson<number[]>(e.row.tags, []).filter((t) => t > 0 && t < VOC_CLASSES.length)
          return `${e.stem}.jpg:${tags.length ? tags.map((t) => VOC_CLASSES[t]).join(',') : 'UNKNOWN'}\n`
        }
        fs.writeFileSync(path.join(userDir, 'imgLabelList.txt'), entries.map(tagLine).join(''))
        if (clusteringK !== null) {
          const clustered = entries.filter((e) => e.cluster !== null)
          fs.writeFileSync(
            path.join(userDir, `train_cluster${clusteringK}.txt`),
            clustered.map((e) => line(e, e.cluster!)).join(''),
          )
        }
        break
      }
      default:
        exhaustive(a.format)
    }
    // An empty `out` folder is replaced; rename cannot replace a folder on every platform.
    if (fs.existsSync(out)) fs.rmdirSync(out)
    fs.renameSync(tmp, out)
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true })
    throw e
  }
  return {
    format: a.format,
    out,
    albumId: album.id,
    albumName: album.name,
    masks: masked.length,
    images: entries.length,
    validation: val.length,
    missingMasks,
  }
}
