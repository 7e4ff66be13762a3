/**
 * The batches of an adaptation run, each a pure function of (seed, iteration) so a resumed run sees the
 * same data: labelled source batches (plain seeded order, as the supervised loop), unlabelled target
 * batches (grouped — B images of one album cluster, see runs/group-order.ts — when the model has a group
 * context and the images have groups; a plain seeded order otherwise), and pseudo-labelled target batches
 * (grouped the same way). Augmentation: train/augment.ts (random resize, crop, flip) with the supervised
 * loop's ranges. Images stay 0..255 here; normalisation (after FDA's swap) happens on the tensor side.
 */
import { decodeRgb } from '../../media/decode'
import { IGNORE_LABEL } from '../losses/cross-entropy'
import { batchSeed } from '../runs/data-order'
import {
  FILE_AUGMENT,
  fileBatchAt,
  loadLabelledFiles,
  type DecodedItem,
  type FileProblem,
  type LabelledFile,
} from '../runs/file-dataset'
import { GroupOrder } from '../runs/group-order'
import { augmentImage, augmentLabel, planAugment } from '../train/augment'
import { Rng } from '../train/rng'
import type { ShapesBatch } from '../data/synthetic-shapes'
import type { TargetItem } from './adapt-config'

/** Seed offsets of the target and pseudo streams, so they never coincide with the source stream. */
const TARGET_STREAM = 0x7a3b9c1d
const PSEUDO_STREAM = 0x2c5e8f47

export interface DecodedTarget {
  item: TargetItem
  decoded: DecodedItem
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Decodes the album images (an unreadable one is reported and skipped); labels are all "ignore". */
export async function loadTargetImages(
  items: readonly TargetItem[],
): Promise<{ items: DecodedTarget[]; problems: FileProblem[] }> {
  const out: DecodedTarget[] = []
  const problems: FileProblem[] = []
  for (const item of items) {
    try {
      const img = await decodeRgb(item.image)
      out.push({
        item,
        decoded: {
          image: { data: img.data, width: img.width, height: img.height, channels: 3 },
          label: {
            data: new Uint8Array(img.width * img.height).fill(IGNORE_LABEL),
            width: img.width,
            height: img.height,
          },
        },
      })
    } catch (e) {
      problems.push({ file: item.image, reason: `cannot decode the image: ${message(e)}` })
    }
  }
  return { items: out, problems }
}

export { loadLabelledFiles, type LabelledFile }

/**
 * The source set of a run: decoded items and, when `grouped` (the network has a group context) and every
 * file has a group, the item indices of each group for grouped source batches (docs/method.md §3);
 * otherwise `groups` is null and the items are exactly loadLabelledFiles' (plain seeded batches).
 * Grouped files are decoded one at a time so each decoded item keeps its file's group.
 */
export async function loadSourceFiles(
  files: readonly (LabelledFile & { group?: number | undefined })[],
  numClasses: number,
  grouped: boolean,
): Promise<{ items: DecodedItem[]; groups: number[][] | null; problems: FileProblem[] }> {
  if (!grouped || files.some((f) => f.group === undefined))
    return { ...(await loadLabelledFiles(files, numClasses)), groups: null }
  const items: DecodedItem[] = []
  const ids: number[] = []
  const problems: FileProblem[] = []
  for (const f of files) {
    const r = await loadLabelledFiles([f], numClasses)
    problems.push(...r.problems)
    if (r.items[0]) {
      items.push(r.items[0])
      ids.push(f.group as number)
    }
  }
  return { items, groups: items.length ? groupsOf(ids) : null, problems }
}

/** The batch of the given item indices, augmented with the iteration's Rng. */
function batchOf(
  items: readonly DecodedItem[],
  indices: readonly number[],
  rng: Rng,
  size: number,
): ShapesBatch {
  const images = new Float32Array(indices.length * size * size * 3)
  const labels = new Int32Array(indices.length * size * size)
  indices.forEach((idx, k) => {
    const item = items[idx] as DecodedItem
    const plan = planAugment(rng, item.image.width, item.image.height, {
      crop: size,
      baseSize: size,
      ...FILE_AUGMENT,
    })
    images.set(augmentImage(item.image, plan, size, 0), k * size * size * 3)
    labels.set(augmentLabel(item.label, plan, size), k * size * size)
  })
  return { images, labels, n: indices.length, size }
}

/** Draws batches from items, grouped (one group per batch) when `groups` is given. */
export class BatchStream {
  private readonly order: GroupOrder | null

  constructor(
    private readonly items: readonly DecodedItem[],
    private readonly seed: number,
    private readonly batch: number,
    private readonly size: number,
    groups: readonly (readonly number[])[] | null,
  ) {
    if (items.length === 0) throw new Error('no usable images to draw batches from')
    this.order = groups ? new GroupOrder({ groups, batchSize: batch, seed }) : null
  }

  get grouped(): boolean {
    return this.order !== null
  }

  batchAt(iteration: number): ShapesBatch {
    if (!this.order) return fileBatchAt(this.items, this.seed, iteration, this.batch, this.size)
    const { items } = this.order.batchAt(iteration)
    return batchOf(this.items, items, new Rng(batchSeed(this.seed, iteration)), this.size)
  }
}

/** Item indices per group (in item order), or null when any item lacks a group. */
export function groupsOf(groupIds: readonly (number | undefined)[]): number[][] | null {
  if (groupIds.length === 0 || groupIds.some((g) => g === undefined)) return null
  const byGroup = new Map<number, number[]>()
  groupIds.forEach((g, i) => {
    const list = byGroup.get(g as number)
    if (list) list.push(i)
    else byGroup.set(g as number, [i])
  })
  return [...byGroup.keys()].sort((a, b) => a - b).map((g) => byGroup.get(g)!)
}

export function targetStream(
  items: readonly DecodedTarget[],
  seed: number,
  batch: number,
  size: number,
  grouped: boolean,
): BatchStream {
  const groups = grouped ? groupsOf(items.map((t) => t.item.group)) : null
  return new BatchStream(
    items.map((t) => t.decoded),
    (seed ^ TARGET_STREAM) >>> 0,
    batch,
    size,
    groups,
  )
}

export function pseudoStream(
  items: readonly DecodedItem[],
  groupIds: readonly (number | undefined)[],
  seed: number,
  batch: number,
  size: number,
  grouped: boolean,
): BatchStream {
  const groups = grouped ? groupsOf(groupIds) : null
  return new BatchStream(items, (seed ^ PSEUDO_STREAM) >>> 0, batch, size, groups)
}
