/**
 * What an importer writes into: a narrow port implemented by the project store (import-target.ts);
 * it lives here, below the importers, so the store never imports from datasets/.
 * Importers decode and validate files, decide what to import, and report per-file problems; the
 * store owns SQLite and the project's files. Every method that writes is one transaction.
 */
import type { FileProblem, JobProgress } from '../../shared/domain'

export interface NewImage {
  /** Absolute path of the original file (never modified). */
  sourcePath: string
  /** File name to show and to match masks/lists by (original basename). */
  name: string
  /** Copy the original into <project>/media/<album>/ (true) or reference it in place (false). */
  copy: boolean
  width: number
  height: number
  orientation: number
  bytes: number
  /** sha256 of the file's bytes, hex; used for de-duplication within an album/source. */
  hash: string
  tags: number[]
  /** A webp/jpeg thumbnail already encoded by the media module (written by the store). */
  thumbnail: Buffer
}

export interface NewMask {
  /** Label indices, row-major, width*height, values 0..20 or 255. */
  labels: Uint8Array
  width: number
  height: number
  author: 'human' | 'model'
  /** Free text: where it came from ("PIS SegmentationClass/x.png"). */
  origin: string
}

export interface ImportTarget {
  /** Creates an album; `userId` is the PIS user id ("id3"). Fails with a clear message if the name exists. */
  createAlbum(name: string, userId: string | null): number
  createSource(name: string, format: 'voc', root: string): number
  /**
   * Adds an image to an album or a source. Returns its id, or `{ duplicateOf }` when the same hash is
   * already in that album/source (nothing written).
   */
  addImage(
    owner: { albumId: number } | { sourceId: number },
    image: NewImage,
  ): number | { duplicateOf: number }
  /** Writes a mask as a new version (palette PNG file + row, atomically). */
  addMask(imageId: number, mask: NewMask): number
  /** Stores a validation split (image ids) as a new frozen split version of the album. */
  addSplit(albumId: number, name: string, validationImageIds: number[], meta: Record<string, unknown>): number
  /** Stores a clustering of an album: image id → group index. */
  addClustering(
    albumId: number,
    name: string,
    assignments: Map<number, number>,
    meta: Record<string, unknown>,
  ): number
  /** Stores a named image list of a source (VOC ImageSets: train, val, train_aug…). */
  addSourceList(sourceId: number, name: string, imageIds: number[]): void
}

/** What an importer reports while it runs; cancellation is checked between files. */
export interface ImportContext {
  target: ImportTarget
  progress(p: Partial<JobProgress>): void
  problem(p: FileProblem): void
  /** True once the user cancelled; importers stop at the next file and keep what is imported. */
  cancelled(): boolean
}
