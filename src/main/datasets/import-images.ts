/**
 * The shared core of every importer: prepare images two at a time, write them in order through the
 * ImportTarget, attach their human masks, and report every bad file (with its path and the reason)
 * without stopping. Cancellation is checked between files; what is written stays written.
 */
import type { ImportContext } from '../project/import-target-port'
import { MediaError } from '../media/errors'
import { MaskError, readMask, type MaskLabels } from '../media/mask-file'
import { forEachOrdered, type Settled } from './ordered-pool'
import { isDiskFull } from '../files/disk-full'
import { prepareImage, type PreparedImage } from './prepare-image'

/** Two: the studio's reference machine has two cores, and sharp already uses a thread per task. */
export const IMPORT_CONCURRENCY = 2

export interface ImportOptions {
  /** Pixel limit for this import (default: MAX_IMAGE_PIXELS or its environment override). */
  maxPixels?: number
  /** Files prepared at once (default IMPORT_CONCURRENCY). */
  concurrency?: number
}

export interface ImageItem {
  path: string
  /** Name stored and shown (the file's basename). */
  name: string
  tags: number[]
  /** A human mask for this image, validated against the image's size before it is written. */
  mask?: { path: string; origin: string }
}

export interface ImportImagesResult {
  /** Image id per item name, for imported images and for duplicates (the id of the kept copy). */
  idsByName: Map<string, number>
  /** Names of images that were refused (bad file, could not be saved). */
  rejectedNames: Set<string>
  /** Names of images that got a mask. */
  maskedNames: Set<string>
  imported: number
  duplicates: number
  masks: number
  /** Refused files: images and masks. */
  rejected: number
  cancelled: boolean
}

export interface ImportImagesArgs {
  owner: { albumId: number } | { sourceId: number }
  items: readonly ImageItem[]
  copy: boolean
  options: ImportOptions
  /** Progress numbering across several calls (PIS imports users one after another). */
  progress: { offset: number; total: number; label: string }
}

type MaskOutcome = { ok: true; mask: MaskLabels } | { ok: false; reason: string }

interface Prepared {
  image: PreparedImage
  mask: MaskOutcome | null
}

function reasonOf(e: unknown): string {
  if (e instanceof MediaError || e instanceof MaskError) return e.message
  return e instanceof Error ? e.message : String(e)
}

async function prepare(item: ImageItem, options: ImportOptions): Promise<Prepared> {
  const image = await prepareImage(item.path, { maxPixels: options.maxPixels })
  let mask: MaskOutcome | null = null
  if (item.mask) {
    const { width, height, orientation } = image.probe
    try {
      mask = { ok: true, mask: await readMask(item.mask.path, width, height) }
    } catch (e) {
      let reason = reasonOf(e)
      // Masks drawn by tools that ignore EXIF follow the stored pixels, not the displayed ones.
      if (
        e instanceof MaskError &&
        e.maskSize &&
        orientation >= 5 &&
        e.maskSize.width === height &&
        e.maskSize.height === width
      ) {
        reason += ` (it matches the image before its EXIF rotation; masks must follow the image as displayed, ${width}×${height})`
      }
      mask = { ok: false, reason }
    }
  }
  return { image, mask }
}

export async function importImages(ctx: ImportContext, args: ImportImagesArgs): Promise<ImportImagesResult> {
  const { owner, items, copy, options, progress } = args
  const out: ImportImagesResult = {
    idsByName: new Map(),
    rejectedNames: new Set(),
    maskedNames: new Set(),
    imported: 0,
    duplicates: 0,
    masks: 0,
    rejected: 0,
    cancelled: false,
  }
  const nameById = new Map<number, string>()
  const consume = (result: Settled<Prepared>, item: ImageItem, index: number): void => {
    try {
      if (!result.ok) {
        out.rejected++
        out.rejectedNames.add(item.name)
        ctx.problem({ file: item.path, reason: reasonOf(result.error) })
        return
      }
      const { image, mask } = result.value
      const { probe, hash, thumbnail } = image
      let added: ReturnType<typeof ctx.target.addImage>
      try {
        added = ctx.target.addImage(owner, {
          sourcePath: item.path,
          name: item.name,
          copy,
          width: probe.width,
          height: probe.height,
          orientation: probe.orientation,
          bytes: probe.bytes,
          hash,
          tags: item.tags,
          thumbnail,
        })
      } catch (e) {
        // A full disk is not this file's problem: every later file would fail the same way. Stop.
        if (isDiskFull(e)) throw e
        out.rejected++
        out.rejectedNames.add(item.name)
        ctx.problem({ file: item.path, reason: `could not be saved: ${reasonOf(e)}` })
        return
      }
      if (typeof added !== 'number') {
        out.duplicates++
        out.idsByName.set(item.name, added.duplicateOf)
        const first = nameById.get(added.duplicateOf)
        ctx.problem({
          file: item.path,
          reason: `duplicate of ${first !== undefined ? `"${first}"` : `image #${added.duplicateOf}`} (same content); not imported again`,
        })
        return
      }
      out.imported++
      out.idsByName.set(item.name, added)
      nameById.set(added, item.name)
      // Imported, but never silently: the per-file problems say what was damaged.
      if (image.damage !== null)
        ctx.problem({ file: item.path, reason: `imported with a warning: ${image.damage}` })
      if (mask === null || !item.mask) return
      if (!mask.ok) {
        out.rejected++
        ctx.problem({ file: item.mask.path, reason: `mask not imported: ${mask.reason}` })
        return
      }
      try {
        ctx.target.addMask(added, {
          labels: mask.mask.labels,
          width: mask.mask.width,
          height: mask.mask.height,
          author: 'human',
          origin: item.mask.origin,
        })
        out.masks++
        out.maskedNames.add(item.name)
      } catch (e) {
        if (isDiskFull(e)) throw e
        out.rejected++
        ctx.problem({ file: item.mask.path, reason: `mask could not be saved: ${reasonOf(e)}` })
      }
    } finally {
      ctx.progress({
        done: progress.offset + index + 1,
        total: progress.total,
        message: `${progress.label}${item.name}`,
      })
    }
  }
  const run = await forEachOrdered(
    items,
    options.concurrency ?? IMPORT_CONCURRENCY,
    (item) => prepare(item, options),
    consume,
    () => ctx.cancelled(),
  )
  out.cancelled = run.stopped
  return out
}
