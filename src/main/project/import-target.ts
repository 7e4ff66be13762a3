/**
 * The store's implementation of the ImportTarget port. Files first, row second, and the files removed
 * again when the row cannot be stored: a failed add leaves the project exactly as it was.
 */
import path from 'node:path'
import type { ImportTarget, NewImage, NewMask } from './import-target-port'
import { nowIso, type Db } from './db'
import { InvalidInputError, StoreIoError, StudioError } from './errors'
import { copyFileAtomic, removeQuietly, writeFileAtomic } from '../files/atomic-file'
import { DiskFullError, isDiskFull } from '../files/disk-full'
import { safeFileName, toRelPath, uniqueFileName, type ProjectPaths } from './layout'
import type { AlbumsRepo } from './albums-repo'
import type { SourcesRepo } from './sources-repo'
import type { ImagesRepo, ImageOwner } from './images-repo'
import type { MasksRepo } from './masks-repo'
import type { GroupingsRepo } from './groupings-repo'
import { registerFolder } from './registered-folders'

export interface StoreRepos {
  albums: AlbumsRepo
  sources: SourcesRepo
  images: ImagesRepo
  masks: MasksRepo
  groupings: GroupingsRepo
}

/** File extension of an encoded thumbnail, from its magic bytes (the media module may send webp or jpeg). */
export function thumbnailExtension(buf: Uint8Array): 'webp' | 'jpg' | 'png' | null {
  if (
    buf.length >= 12 &&
    Buffer.from(buf.subarray(0, 4)).toString('latin1') === 'RIFF' &&
    Buffer.from(buf.subarray(8, 12)).toString('latin1') === 'WEBP'
  )
    return 'webp'
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpg'
  if (buf.length >= 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47)
    return 'png'
  return null
}

export class StoreImportTarget implements ImportTarget {
  constructor(
    private readonly db: Db,
    private readonly paths: ProjectPaths,
    private readonly repos: StoreRepos,
  ) {}

  createAlbum(name: string, userId: string | null): number {
    return this.repos.albums.create(name, userId)
  }

  createSource(name: string, format: 'voc', root: string): number {
    return this.repos.sources.create(name, format, path.resolve(root))
  }

  addImage(owner: ImageOwner, image: NewImage): number | { duplicateOf: number } {
    const slug =
      'albumId' in owner ? this.repos.albums.slug(owner.albumId) : this.repos.sources.slug(owner.sourceId)
    checkImage(image)
    const dup = this.repos.images.findByHash(owner, image.hash)
    if (dup !== null) return { duplicateOf: dup }
    const thumbExt = thumbnailExtension(image.thumbnail)
    if (thumbExt === null && image.thumbnail.length > 0) {
      throw new InvalidInputError(`thumbnail of ${image.name} is not a webp, jpeg or png image`)
    }

    const written: string[] = []
    // The file being written, for "disk full while writing <file>" (Node's copy error names the source).
    let writing = this.paths.db
    try {
      let original: string
      if (image.copy) {
        // Copied originals keep their (sanitised) name; "-2", "-3"… tell apart equal names in one album.
        const dir = path.join(this.paths.media, slug)
        const target = path.join(dir, uniqueFileName(dir, safeFileName(image.name, 'image')))
        writing = target
        copyFileAtomic(image.sourcePath, target)
        written.push(target)
        original = toRelPath(this.paths, target)
      } else {
        original = path.resolve(image.sourcePath)
      }
      writing = this.paths.db
      return this.db
        .transaction(() => {
          const id = Number(
            this.db
              .prepare(
                `INSERT INTO images (album_id, source_id, name, original_path, copied, width, height, orientation,
                                   bytes, hash, tags, imported_at)
               VALUES (@album, @source, @name, @original, @copied, @width, @height, @orientation,
                       @bytes, @hash, @tags, @importedAt)`,
              )
              .run({
                album: 'albumId' in owner ? owner.albumId : null,
                source: 'sourceId' in owner ? owner.sourceId : null,
                name: image.name,
                original,
                copied: image.copy ? 1 : 0,
                width: image.width,
                height: image.height,
                orientation: image.orientation,
                bytes: image.bytes,
                hash: image.hash,
                tags: JSON.stringify([...new Set(image.tags)].sort((a, b) => a - b)),
                importedAt: nowIso(),
              }).lastInsertRowid,
          )
          // An in-place photo's folder becomes a registered folder: the only place outside the project a
          // reference may lead (media-resolver.ts refuses any other).
          if (!image.copy)
            registerFolder(
              this.db,
              path.dirname(original),
              'albumId' in owner ? 'album import' : 'source import',
            )
          if (thumbExt !== null) {
            const thumb = path.join(this.paths.thumbs, `${id}.${thumbExt}`)
            written.push(thumb)
            writing = thumb
            writeFileAtomic(thumb, image.thumbnail, { durable: false }) // regenerable
            writing = this.paths.db
            this.db
              .prepare('UPDATE images SET thumb_path = ? WHERE id = ?')
              .run(toRelPath(this.paths, thumb), id)
          }
          return id
        })
        .immediate()
    } catch (e) {
      for (const f of written) removeQuietly(f)
      if (e instanceof StudioError) throw e
      // Not a problem of this file: every later write would fail the same way, so the import stops.
      if (isDiskFull(e)) throw new DiskFullError(writing, e)
      const err = e as NodeJS.ErrnoException
      throw new StoreIoError(
        `could not add ${image.sourcePath}${err.path && err.path !== image.sourcePath ? ` (${err.path})` : ''}: ${err.message}`,
      )
    }
  }

  addMask(imageId: number, mask: NewMask): number {
    return this.repos.masks.add(imageId, mask)
  }

  addSplit(
    albumId: number,
    name: string,
    validationImageIds: number[],
    meta: Record<string, unknown>,
  ): number {
    return this.repos.groupings.addSplit(albumId, name, validationImageIds, meta)
  }

  addClustering(
    albumId: number,
    name: string,
    assignments: Map<number, number>,
    meta: Record<string, unknown>,
  ): number {
    return this.repos.groupings.addClustering(albumId, name, assignments, meta)
  }

  addSourceList(sourceId: number, name: string, imageIds: number[]): void {
    this.repos.sources.setList(sourceId, name, imageIds)
  }
}

function checkImage(image: NewImage): void {
  const bad = (what: string): never => {
    throw new InvalidInputError(`${image.sourcePath}: ${what}`)
  }
  if (!path.isAbsolute(image.sourcePath)) bad('the source path must be absolute')
  if (!Number.isInteger(image.width) || image.width <= 0) bad(`invalid width ${image.width}`)
  if (!Number.isInteger(image.height) || image.height <= 0) bad(`invalid height ${image.height}`)
  if (!Number.isInteger(image.orientation) || image.orientation < 1 || image.orientation > 8) {
    bad(`invalid EXIF orientation ${image.orientation}`)
  }
  if (!/^[0-9a-f]{64}$/.test(image.hash)) bad('hash must be a lower-case sha256 hex string')
  if (image.name.trim() === '') bad('empty name')
}
