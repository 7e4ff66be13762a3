/**
 * Dense re-numbering of imported group (cluster) ids. A list file may number its groups any way it likes
 * (3, 79, 500000); the studio stores them as 0…G−1 in ascending order of the ids as written, so every
 * count or array sized by a clustering's K stays bounded by the number of images it groups.
 */

export interface DenseGroups<K> {
  /** The same keys with their group re-numbered 0…G−1 (ascending order of the original ids kept). */
  assignments: Map<K, number>
  /** G: the number of distinct groups. */
  groups: number
  /** False when the ids as written were already 0…G−1 (nothing changed). */
  renumbered: boolean
  /** Smallest and largest id as written (null for no assignments). */
  range: [number, number] | null
}

export function denseGroups<K>(written: ReadonlyMap<K, number>): DenseGroups<K> {
  const ids = [...new Set(written.values())].sort((a, b) => a - b)
  const index = new Map(ids.map((g, i) => [g, i]))
  const assignments = new Map<K, number>()
  for (const [key, g] of written) assignments.set(key, index.get(g)!)
  return {
    assignments,
    groups: ids.length,
    renumbered: ids.some((g, i) => g !== i),
    range: ids.length > 0 ? [ids[0]!, ids[ids.length - 1]!] : null,
  }
}

/**
 * The K to store for an imported clustering: the K its file name states (train_cluster80.txt) when that is
 * possible for these images (at least the groups used, at most the images grouped), else the number of
 * groups used. Never more than the images, whatever the file says.
 */
export function importedK(named: number | null, groups: number, images: number): number {
  if (named !== null && Number.isSafeInteger(named) && named >= groups && named <= images) return named
  return groups
}
