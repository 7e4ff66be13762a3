/**
 * A recorder at the ImportTarget port for importer unit tests: it keeps every call in memory and applies
 * the port's one rule an importer relies on (same hash in the same album/source → `{ duplicateOf }`).
 * The real store is exercised by the project integration test.
 */
import type { FileProblem, JobProgress } from '../../../src/shared/domain'
import type {
  ImportContext,
  ImportTarget,
  NewImage,
  NewMask,
} from '../../../src/main/project/import-target-port'

type Owner = { albumId: number } | { sourceId: number }

export interface RecordedImage {
  id: number
  owner: Owner
  image: NewImage
}

export class RecordingTarget implements ImportTarget {
  private nextId = 1
  albums: { id: number; name: string; userId: string | null }[] = []
  sources: { id: number; name: string; format: 'voc'; root: string }[] = []
  images: RecordedImage[] = []
  masks: { id: number; imageId: number; mask: NewMask }[] = []
  splits: { albumId: number; name: string; ids: number[]; meta: Record<string, unknown> }[] = []
  clusterings: {
    albumId: number
    name: string
    assignments: Map<number, number>
    meta: Record<string, unknown>
  }[] = []
  sourceLists: { sourceId: number; name: string; ids: number[] }[] = []

  createAlbum(name: string, userId: string | null): number {
    if (this.albums.some((a) => a.name === name)) throw new Error(`an album named "${name}" already exists`)
    const id = this.nextId++
    this.albums.push({ id, name, userId })
    return id
  }

  createSource(name: string, format: 'voc', root: string): number {
    const id = this.nextId++
    this.sources.push({ id, name, format, root })
    return id
  }

  addImage(owner: Owner, image: NewImage): number | { duplicateOf: number } {
    const key = JSON.stringify(owner)
    const dup = this.images.find((r) => JSON.stringify(r.owner) === key && r.image.hash === image.hash)
    if (dup) return { duplicateOf: dup.id }
    const id = this.nextId++
    this.images.push({ id, owner, image })
    return id
  }

  addMask(imageId: number, mask: NewMask): number {
    if (!this.images.some((r) => r.id === imageId)) throw new Error(`no image ${imageId}`)
    const id = this.nextId++
    this.masks.push({ id, imageId, mask })
    return 1
  }

  addSplit(
    albumId: number,
    name: string,
    validationImageIds: number[],
    meta: Record<string, unknown>,
  ): number {
    this.splits.push({ albumId, name, ids: validationImageIds, meta })
    return this.splits.length
  }

  addClustering(
    albumId: number,
    name: string,
    assignments: Map<number, number>,
    meta: Record<string, unknown>,
  ): number {
    this.clusterings.push({ albumId, name, assignments, meta })
    return this.clusterings.length
  }

  addSourceList(sourceId: number, name: string, imageIds: number[]): void {
    this.sourceLists.push({ sourceId, name, ids: imageIds })
  }

  /** Image name by id. */
  nameOf(id: number): string {
    const r = this.images.find((i) => i.id === id)
    if (!r) throw new Error(`no image ${id}`)
    return r.image.name
  }

  imagesOf(owner: Owner): RecordedImage[] {
    const key = JSON.stringify(owner)
    return this.images.filter((r) => JSON.stringify(r.owner) === key)
  }

  maskOf(imageId: number): NewMask | undefined {
    return this.masks.find((m) => m.imageId === imageId)?.mask
  }
}

export interface RecordingContext {
  ctx: ImportContext
  target: RecordingTarget
  problems: FileProblem[]
  progress: Partial<JobProgress>[]
  /**
   * Problems as "basename: reason", for readable assertions. The libvips detail after "truncated or
   * corrupt" is dropped: libvips shares one error buffer between threads, so it varies run to run.
   */
  problemLines(): string[]
}

/** A context over a RecordingTarget; `cancelAfterImages` makes cancelled() true once that many are added. */
export function recordingContext(opts: { cancelAfterImages?: number } = {}): RecordingContext {
  const target = new RecordingTarget()
  const problems: FileProblem[] = []
  const progress: Partial<JobProgress>[] = []
  const ctx: ImportContext = {
    target,
    progress: (p) => progress.push(p),
    problem: (p) => problems.push(p),
    cancelled: () => opts.cancelAfterImages !== undefined && target.images.length >= opts.cancelAfterImages,
  }
  const problemLines = (): string[] =>
    problems.map(
      (p) => `${p.file.split(/[\\/]/).pop()}: ${p.reason.replace(/(truncated or corrupt) \(.*\)$/, '$1')}`,
    )
  return { ctx, target, problems, progress, problemLines }
}
