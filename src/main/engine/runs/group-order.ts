/**
 * Group batches (docs/method.md §3 "Batching"): every training batch holds B images of ONE group (album
 * cluster), so the group context module sees related images together.
 *
 * An epoch is a list of batch units: a group of n images gives ⌈n/B⌉ units — the group's images in a
 * seeded shuffled order, cut into consecutive runs of B; a group smaller than B, and the last run of a
 * larger one, are filled up by wrap-around (continuing from the start of the group's shuffled order, so a
 * group of 3 with B = 8 reads a b c a b c a b). The units are then visited in a seeded shuffled order, and
 * every epoch reshuffles both.
 *
 * Like data-order.ts the batch of an iteration is a pure function of (seed, iteration): a run resumed at
 * iteration k sees exactly the batches k+1, k+2, … of the uninterrupted run.
 */
import { Rng } from '../train/rng'
import { batchSeed } from './data-order'

export interface GroupOrderOptions {
  /** Item indices of each group (e.g. image indices of one cluster); every group non-empty. */
  groups: readonly (readonly number[])[]
  batchSize: number
  seed: number
}

export class GroupOrderError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'GroupOrderError'
  }
}

interface Unit {
  group: number
  chunk: number
}

export class GroupOrder {
  readonly batchSize: number
  readonly seed: number
  /** Batches (units) per epoch: Σ ⌈n_g / B⌉. */
  readonly batchesPerEpoch: number
  private readonly groups: number[][]
  private readonly units: Unit[]
  private cached: { epoch: number; units: Unit[]; members: number[][] } | null = null

  constructor(o: GroupOrderOptions) {
    if (!Number.isInteger(o.batchSize) || o.batchSize < 1) {
      throw new GroupOrderError(`batch size must be an integer ≥ 1, got ${o.batchSize}`)
    }
    if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) {
      throw new GroupOrderError(`seed must be an integer from 0 to 4294967295, got ${o.seed}`)
    }
    if (o.groups.length === 0) throw new GroupOrderError('there are no groups to draw batches from')
    this.groups = o.groups.map((g, i) => {
      if (g.length === 0) throw new GroupOrderError(`group ${i} is empty`)
      for (const v of g) {
        if (!Number.isInteger(v) || v < 0) {
          throw new GroupOrderError(`group ${i} holds ${v}; items are integer indices ≥ 0`)
        }
      }
      return [...g]
    })
    this.batchSize = o.batchSize
    this.seed = o.seed
    this.units = []
    this.groups.forEach((g, group) => {
      for (let chunk = 0; chunk * o.batchSize < g.length; chunk++) this.units.push({ group, chunk })
    })
    this.batchesPerEpoch = this.units.length
  }

  /** Epoch (0-based) of a 1-based iteration. */
  epochOf(iteration: number): number {
    return Math.floor((iteration - 1) / this.batchesPerEpoch)
  }

  /** The group (index into `groups`) and the B item indices of a 1-based iteration. */
  batchAt(iteration: number): { group: number; items: number[] } {
    if (!Number.isInteger(iteration) || iteration < 1) {
      throw new GroupOrderError(`iteration must be an integer ≥ 1, got ${iteration}`)
    }
    const epoch = this.epochOf(iteration)
    const e = this.epochPlan(epoch)
    const unit = e.units[(iteration - 1) % this.batchesPerEpoch] as Unit
    const members = e.members[unit.group] as number[]
    const items: number[] = []
    for (let t = 0; t < this.batchSize; t++) {
      items.push(members[(unit.chunk * this.batchSize + t) % members.length] as number)
    }
    return { group: unit.group, items }
  }

  private epochPlan(epoch: number): { units: Unit[]; members: number[][] } {
    if (this.cached?.epoch === epoch) return this.cached
    const base = batchSeed(this.seed, epoch)
    const members = this.groups.map((g, i) => new Rng(batchSeed(base, i + 1)).shuffle(g))
    const units = new Rng(base).shuffle(this.units)
    this.cached = { epoch, units, members }
    return this.cached
  }
}

/**
 * Inference batches of ≤ `size` items that never mix groups: the context of a prediction comes from its
 * batch (docs/method.md §3), so each batch is drawn from one group. A group of n is cut into ⌈n/size⌉ batches of
 * near-equal size (9 with size 8 → 5 + 4, not 8 + 1, so no image is predicted with a context of one).
 * Items without a group (`groupOf` → null) are batched together in their given order. Groups appear in
 * order of their first item; order inside a group is kept. Every item appears exactly once.
 */
export function groupBatches<T>(
  items: readonly T[],
  groupOf: (item: T) => number | null,
  size: number,
): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batch size must be an integer ≥ 1, got ${size}`)
  const byGroup = new Map<number | null, T[]>()
  for (const it of items) {
    const g = groupOf(it)
    const list = byGroup.get(g)
    if (list) list.push(it)
    else byGroup.set(g, [it])
  }
  const out: T[][] = []
  for (const list of byGroup.values()) out.push(...evenChunks(list, size))
  return out
}

/** ⌈n/size⌉ consecutive chunks whose sizes differ by at most one. */
export function evenChunks<T>(list: readonly T[], size: number): T[][] {
  const count = Math.ceil(list.length / size)
  const out: T[][] = []
  let start = 0
  for (let i = 0; i < count; i++) {
    const len = Math.floor(list.length / count) + (i < list.length % count ? 1 : 0)
    out.push(list.slice(start, start + len))
    start += len
  }
  return out
}
