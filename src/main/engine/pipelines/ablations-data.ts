/**
 * The target images of the paper's data-setting and K ablations (docs/method.md §7; paper Tables 4 and 5):
 *   - Personal: one model per user's album (what the methods bench does);
 *   - MixAll: one model adapted on every user's album images pooled, evaluated on each user;
 *   - MixSample: one model adapted on a seeded sample of the pooled images of the size of one album
 *     (the paper: a 1/15 sample for 15 users, i.e. 1/#users). The sample is stratified by user
 *     (each user gives its share, largest remainders rounded up) so it is drawn from every user and its
 *     size is round(pooled / #users), whatever the seed;
 *   - K sweep: each album clustered into K groups (K clamped to the album size) for the group batches.
 * Pooled images keep their album's groups, renumbered so groups of different users never merge, and
 * their names are prefixed with the user (names must be unique within a run: pseudo labels use them).
 */
import { colorFeaturesOfFile } from '../cluster/color-features'
import { kmeans } from '../cluster/kmeans'
import type { TargetItem } from '../methods/adapt-config'
import { Rng } from '../train/rng'
import type { FileProblem } from '../runs/file-dataset'

export const DATA_SETTINGS = ['personal', 'mixall', 'mixsample'] as const
export type DataSetting = (typeof DATA_SETTINGS)[number]

export function isDataSetting(x: string): x is DataSetting {
  return (DATA_SETTINGS as readonly string[]).includes(x)
}

export interface UserTargets {
  user: string
  items: readonly TargetItem[]
}

export interface PooledItem extends TargetItem {
  user: string
}

/** Every user's items, names prefixed `<user>_`, groups offset past the previous users' groups. */
export function poolTargets(users: readonly UserTargets[]): PooledItem[] {
  const out: PooledItem[] = []
  let offset = 0
  for (const u of users) {
    let maxGroup = -1
    for (const it of u.items) {
      const item: PooledItem = { image: it.image, name: `${u.user}_${it.name}`, user: u.user }
      if (it.group !== undefined) {
        item.group = it.group + offset
        maxGroup = Math.max(maxGroup, it.group)
      }
      out.push(item)
    }
    offset += maxGroup + 1
  }
  return out
}

/** The MixSample size: one album's worth, round(pooled / #users) (at least 1). */
export function mixSampleSize(pooled: number, users: number): number {
  if (users < 1) throw new RangeError('MixSample needs at least one user')
  return Math.max(1, Math.round(pooled / users))
}

/**
 * Per user, how many images its stratum gives to a sample of `total` (largest remainders: the shares
 * sum to `total` exactly; ties go to the earlier user).
 */
export function stratumShares(sizes: readonly number[], total: number): number[] {
  const n = sizes.reduce((a, b) => a + b, 0)
  if (total > n) throw new RangeError(`a sample of ${total} from ${n} images`)
  const exact = sizes.map((s) => (n === 0 ? 0 : (s * total) / n))
  const shares = exact.map(Math.floor)
  let left = total - shares.reduce((a, b) => a + b, 0)
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i)
  for (const { i } of order) {
    if (left === 0) break
    if (shares[i]! < sizes[i]!) {
      shares[i]! += 1
      left--
    }
  }
  return shares
}

/**
 * The MixSample images: from each user a seeded uniform sample (without replacement) of its share,
 * in pooled order. Same seed → same sample.
 */
export function mixSample(
  pooled: readonly PooledItem[],
  users: readonly string[],
  seed: number,
): PooledItem[] {
  const byUser = users.map((u) => pooled.filter((p) => p.user === u))
  const total = mixSampleSize(pooled.length, users.length)
  const shares = stratumShares(
    byUser.map((b) => b.length),
    total,
  )
  const rng = new Rng(seed)
  const chosen = new Set<PooledItem>()
  byUser.forEach((list, u) => {
    // Partial Fisher–Yates: the first `share` of a seeded shuffle.
    const idx = list.map((_, i) => i)
    const share = shares[u]!
    for (let i = 0; i < share; i++) {
      const j = i + (rng.nextUint32() % (idx.length - i))
      ;[idx[i], idx[j]] = [idx[j]!, idx[i]!]
      chosen.add(list[idx[i]!]!)
    }
  })
  return pooled.filter((p) => chosen.has(p))
}

/** K clamped to [1, album size]. */
export function clampK(k: number, albumSize: number): number {
  return Math.max(1, Math.min(k, albumSize))
}

/** Seed of the K-sweep clusterings (fixed: the training seeds vary the training, not the groups). */
export const K_SWEEP_CLUSTER_SEED = 0

/**
 * An album's items regrouped into `k` clusters: seeded k-means++ (10 restarts) on the colour descriptor
 * of each image (the studio's cheap features, cluster/color-features.ts). An unreadable image is reported
 * and keeps no group — training then refuses it, as any unreadable target image.
 */
export async function clusterItems(
  items: readonly TargetItem[],
  k: number,
  onProblem?: (p: FileProblem) => void,
): Promise<{ items: TargetItem[]; k: number }> {
  const feats: (Float64Array | null)[] = []
  for (const it of items) {
    try {
      feats.push(await colorFeaturesOfFile(it.image))
    } catch (e) {
      onProblem?.({
        file: it.image,
        reason: `cannot decode the image: ${e instanceof Error ? e.message : String(e)}`,
      })
      feats.push(null)
    }
  }
  const ok = feats.flatMap((f, i) => (f ? [{ f, i }] : []))
  const eff = clampK(k, ok.length)
  const r = kmeans(
    ok.map((o) => o.f),
    eff,
    { seed: K_SWEEP_CLUSTER_SEED },
  )
  const groupOf = new Map<number, number>()
  ok.forEach((o, j) => groupOf.set(o.i, r.assignments[j]!))
  return {
    k: eff,
    items: items.map((it, i) => {
      const g = groupOf.get(i)
      return g === undefined
        ? { image: it.image, name: it.name }
        : { image: it.image, name: it.name, group: g }
    }),
  }
}
