/** What deleting an album removes, shown to the user before they confirm (deleteAlbum's preview). */
export interface AlbumDeletion {
  albumId: number
  name: string
  /** Images of the album (their rows, thumbnails, masks and proposals go). */
  images: number
  /** Images that have at least one mask. */
  maskedImages: number
  /** Stored mask versions (one file each). */
  maskVersions: number
  /** Runs of the album (their folders, predictions and scores go). */
  runs: number
  /** Runs still queued or running: deleting is refused until they are cancelled. */
  activeRuns: number
  /** Originals copied into the project at import: removed with the album. */
  copiedOriginals: number
  /** Originals referenced in place (outside the project): never removed. */
  inPlaceOriginals: number
}

/** "12 images, 5 masks, 2 runs" — the sentence the confirmation shows. */
export function describeAlbumDeletion(d: AlbumDeletion): string {
  const n = (k: number, one: string, many: string): string => `${k} ${k === 1 ? one : many}`
  const parts = [n(d.images, 'image', 'images'), n(d.maskVersions, 'mask', 'masks'), n(d.runs, 'run', 'runs')]
  const kept =
    d.inPlaceOriginals === 0
      ? ''
      : d.inPlaceOriginals === 1
        ? ' The 1 photo imported in place stays where it is.'
        : ` The ${d.inPlaceOriginals} photos imported in place stay where they are.`
  return `Deletes "${d.name}": ${parts.join(', ')}.${kept}`
}
