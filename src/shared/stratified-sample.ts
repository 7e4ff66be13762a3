/**
 * Seeded stratified sampling of a validation split: every group (cluster) gives floor(fraction·n) of
 * its images, and the remaining picks up to round(fraction·N) go to the groups with the largest
 * remainders (ties: smaller group key first), so each group's share is within one image of exact.
 * Deterministic for a given seed and input set (input order does not matter).
 */

/** Mulberry32: a small, well-mixed 32-bit PRNG, deterministic from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface SampleItem {
  id: number
  /** Group (cluster); null = not clustered (its own group). */
  group: number | null
}

/** Number of validation images wanted from `n` images: round(fraction·n), at least 1 when n > 0. */
export function targetCount(n: number, fraction: number): number {
  if (n <= 0) return 0
  return Math.min(n, Math.max(1, Math.round(fraction * n)))
}

/** Per-group quotas summing to targetCount(N); keys sorted with null last. */
export function groupQuotas(sizes: Map<number | null, number>, fraction: number): Map<number | null, number> {
  const keys = [...sizes.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a - b))
  let total = 0
  for (const k of keys) total += sizes.get(k)!
  const want = targetCount(total, fraction)
  const quotas = new Map<number | null, number>()
  const rema: { key: number | null; rem: number; order: number }[] = []
  let given = 0
  keys.forEach((k, order) => {
    const exact = fraction * sizes.get(k)!
    const q = Math.floor(exact)
    quotas.set(k, q)
    given += q
    rema.push({ key: k, rem: exact - q, order })
  })
  rema.sort((a, b) => b.rem - a.rem || a.order - b.order)
  for (let i = 0; given < want && i < rema.length; i++) {
    const k = rema[i]!.key
    if (quotas.get(k)! < sizes.get(k)!) {
      quotas.set(k, quotas.get(k)! + 1)
      given++
    }
  }
  return quotas
}

/** The chosen validation ids, ascending. */
export function stratifiedSample(items: readonly SampleItem[], fraction: number, seed: number): number[] {
  if (!(fraction > 0 && fraction < 1))
    throw new Error(`fraction must be between 0 and 1 (exclusive), got ${fraction}`)
  const groups = new Map<number | null, number[]>()
  for (const it of items) {
    const g = groups.get(it.group)
    if (g) g.push(it.id)
    else groups.set(it.group, [it.id])
  }
  const quotas = groupQuotas(new Map([...groups].map(([k, v]) => [k, v.length])), fraction)
  const rng = mulberry32(seed)
  const chosen: number[] = []
  for (const [key, quota] of quotas) {
    const ids = [...groups.get(key)!].sort((a, b) => a - b)
    // Partial Fisher–Yates: the first `quota` slots become a uniform random subset.
    for (let i = 0; i < quota; i++) {
      const j = i + Math.floor(rng() * (ids.length - i))
      const t = ids[i]!
      ids[i] = ids[j]!
      ids[j] = t
      chosen.push(ids[i]!)
    }
  }
  return chosen.sort((a, b) => a - b)
}
