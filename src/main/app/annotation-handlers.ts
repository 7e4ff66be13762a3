/**
 * Annotation API: saving and restoring mask versions, per-image status, the annotation queue,
 * validation splits, export and the mask proposals an image can start from. The store work lives in
 * src/main/annotation; this adapts it to the API.
 */
import fs from 'node:fs'
import type { SavedMask } from '../../shared/annotation'
import { authorOf, restoredOrigin } from '../../shared/mask-origin'
import { annotationQueue } from '../annotation/queue'
import { readStatus, writeStatus } from '../annotation/annotation-status'
import { exportMasks } from '../annotation/export-masks'
import { listMaskVersions, saveMaskVersion } from '../annotation/mask-save'
import { listMaskProposals } from '../annotation/proposals'
import { activeSplit, makeSplit } from '../annotation/splits'
import { decodeLabelPng, LabelPngError } from '../media/label-png'
import { resolveMaxPixels } from '../media/limits'
import { labelHeaderProblem, readPngHeader, type PngHeader } from '../media/png-header'
import { IndexedPngError, readIndexedPng } from '../media/indexed-png'
import { InvalidInputError, NotFoundError } from '../project/errors'
import { fromRelPath } from '../project/layout'
import type { Project } from '../project/project'
import type { HandlerContext, HandlerGroup } from './handler-context'

type AnnotationMethods =
  | 'saveMask'
  | 'listMaskVersions'
  | 'restoreMaskVersion'
  | 'setAnnotationStatus'
  | 'annotationQueue'
  | 'makeSplit'
  | 'getSplit'
  | 'exportMasks'
  | 'maskProposals'

function decodeBase64(text: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new InvalidInputError(`${what} is not valid base64`)
  return Buffer.from(text, 'base64')
}

function imageRow(
  p: Project,
  imageId: number,
): { name: string; width: number; height: number; albumId: number | null; sourceId: number | null } {
  const r = p.images.row(imageId)
  return { name: r.name, width: r.width, height: r.height, albumId: r.album_id, sourceId: r.source_id }
}

/** Refuses a mask PNG whose header says it is not the image's size or is above the pixel limit. */
function checkMaskPngHeader(
  imageId: number,
  bytes: Uint8Array,
  img: { name: string; width: number; height: number },
): void {
  const what = `mask for image ${imageId} (${img.name})`
  let header: PngHeader
  try {
    header = readPngHeader(bytes)
  } catch (e) {
    throw new InvalidInputError(`${what}: not a readable PNG (${(e as Error).message})`)
  }
  if (header.width !== img.width || header.height !== img.height) {
    throw new InvalidInputError(
      `${what} is ${header.width}×${header.height}, but the image is ${img.width}×${img.height}; refused before decoding`,
    )
  }
  const problem = labelHeaderProblem(header, { maxPixels: resolveMaxPixels() })
  if (problem) throw new InvalidInputError(`${what}: ${problem.reason}; refused before decoding`)
}

function saved(p: Project, imageId: number, version: number): SavedMask {
  return { imageId, version, status: readStatus(p.db, imageId), versions: listMaskVersions(p.db, imageId) }
}

export function annotationHandlers(ctx: HandlerContext): HandlerGroup<AnnotationMethods> {
  const changed = (p: Project, imageId: number, reason: string): void => {
    const r = imageRow(p, imageId)
    ctx.emit(
      'library',
      r.albumId !== null ? { albumId: r.albumId, reason } : { sourceId: r.sourceId!, reason },
    )
  }
  return {
    saveMask: (a) => {
      const p = ctx.project()
      const img = imageRow(p, a.imageId)
      let labels: Uint8Array
      let width = img.width
      let height = img.height
      let png: Uint8Array | undefined
      if (a.pngBase64 !== undefined) {
        const bytes = decodeBase64(a.pngBase64, 'pngBase64')
        // Size and pixel limit from the PNG header before anything is inflated: a 437 KB bomb that
        // would decode to 60000×60000 is refused here in microseconds instead of freezing the studio.
        checkMaskPngHeader(a.imageId, bytes, img)
        try {
          // The editor's 8-bit palette PNGs take the fast reader; other label PNGs the generic decoder.
          const map =
            readIndexedPng(bytes) ??
            decodeLabelPng(bytes, { expected: { width: img.width, height: img.height } })
          labels = map.labels
          width = map.width
          height = map.height
          // A canonical VOC palette PNG holds exactly these indices: store its bytes, do not encode again.
          if ('canonical' in map && map.canonical) png = bytes
        } catch (e) {
          if (e instanceof LabelPngError)
            throw new InvalidInputError(`mask for image ${a.imageId}: ${e.message}`)
          if (e instanceof IndexedPngError)
            throw new InvalidInputError(`mask for image ${a.imageId}: not a readable PNG (${e.message})`)
          throw e
        }
      } else {
        labels = decodeBase64(a.indicesBase64!, 'indicesBase64')
      }
      const version = saveMaskVersion(p.db, p.paths, {
        imageId: a.imageId,
        labels,
        width,
        height,
        baseVersion: a.baseVersion,
        author: authorOf(a.originKind ?? 'hand'),
        origin: a.origin ?? 'annotation studio',
        status: a.status ?? 'in_progress',
        handPixels: a.handPixels ?? null,
        png,
      })
      changed(p, a.imageId, 'mask saved')
      return saved(p, a.imageId, version)
    },
    listMaskVersions: (a) => listMaskVersions(ctx.project().db, a.imageId),
    restoreMaskVersion: (a) => {
      const p = ctx.project()
      const img = imageRow(p, a.imageId) // NOT_FOUND for an unknown image before "no such version"
      const rel = p.masks.file(a.imageId, a.version)
      const from = listMaskVersions(p.db, a.imageId).find((v) => v.version === a.version)
      if (rel === null || !from)
        throw new NotFoundError(`image ${a.imageId} has no mask version ${a.version}`)
      const map = decodeLabelPng(fs.readFileSync(fromRelPath(p.paths, rel)), {
        expected: { width: img.width, height: img.height },
      })
      const version = saveMaskVersion(p.db, p.paths, {
        imageId: a.imageId,
        labels: map.labels,
        width: map.width,
        height: map.height,
        baseVersion: a.baseVersion,
        // The copy keeps who made the content and says where it came from (origin holds 200 chars).
        author: from.author,
        origin: restoredOrigin(a.reason ?? 'restore', a.version, from.origin),
        handPixels: from.handPixels,
      })
      changed(p, a.imageId, 'mask restored')
      return saved(p, a.imageId, version)
    },
    setAnnotationStatus: (a) => {
      const p = ctx.project()
      writeStatus(p.db, a.imageId, a.status)
      changed(p, a.imageId, 'annotation status')
      return { imageId: a.imageId, status: readStatus(p.db, a.imageId) }
    },
    annotationQueue: (a) => annotationQueue(ctx.project().db, a.albumId),
    makeSplit: (a) => {
      const p = ctx.project()
      const info = makeSplit(p.db, p.groupings, a)
      ctx.emit('library', { albumId: a.albumId, reason: 'validation split' })
      return info
    },
    getSplit: (a) => activeSplit(ctx.project().db, a.albumId),
    exportMasks: (a) => exportMasks(ctx.project(), a),
    maskProposals: (a) => listMaskProposals(ctx.project(), a.imageId),
  }
}
