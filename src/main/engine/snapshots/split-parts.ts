/**
 * Divides an album's labelled validation images into the selection part (chooses the snapshot) and the
 * report part (reports it), seeded and deterministic: the same images, groups and seed always give the
 * same parts, whatever order they come in. Stratified by group (cluster) when the images have one — each
 * cluster gives half of its images, within one — else a seeded random half of the images.
 */
import { stratifiedSample } from '../../../shared/stratified-sample'
import { SELECTION_FRACTION } from '../../../shared/snapshots'

export interface PartItem {
  id: number
  /** Cluster of the image; null = not clustered. */
  group: number | null
}

export interface SplitParts {
  selection: number[]
  report: number[]
  stratified: boolean
}

export function divideValidation(
  items: readonly PartItem[],
  seed: number,
  fraction = SELECTION_FRACTION,
): SplitParts {
  const ids = new Set(items.map((i) => i.id))
  if (ids.size !== items.length) throw new Error('divideValidation: an image appears twice')
  const stratified = items.some((i) => i.group !== null)
  if (items.length < 2) return { selection: [], report: [...ids].sort((a, b) => a - b), stratified }
  const selection = stratifiedSample(items, fraction, seed)
  const chosen = new Set(selection)
  const report = [...ids].filter((id) => !chosen.has(id)).sort((a, b) => a - b)
  return { selection, report, stratified }
}
