/**
 * Test helper (no product code scores clusterings against known groups).
 * Agreement between two labelings of the same items (e.g. a clustering and known scene groups):
 * adjusted Rand index (Hubert & Arabie 1985; sklearn's `adjusted_rand_score`: 1 = identical partitions,
 * ≈ 0 for random ones) and purity (share of items in their cluster's majority true group).
 */

function contingency(a: readonly number[], b: readonly number[]): Map<string, number> {
  if (a.length !== b.length) throw new Error(`agreement: ${a.length} vs ${b.length} labels`)
  const m = new Map<string, number>()
  for (let i = 0; i < a.length; i++) {
    const key = `${a[i]}|${b[i]}`
    m.set(key, (m.get(key) ?? 0) + 1)
  }
  return m
}

const pairs = (n: number): number => (n * (n - 1)) / 2

function counts(xs: readonly number[]): Map<number, number> {
  const m = new Map<number, number>()
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1)
  return m
}

export function adjustedRandIndex(a: readonly number[], b: readonly number[]): number {
  const n = a.length
  let index = 0
  for (const v of contingency(a, b).values()) index += pairs(v)
  let sumA = 0
  for (const v of counts(a).values()) sumA += pairs(v)
  let sumB = 0
  for (const v of counts(b).values()) sumB += pairs(v)
  const expected = (sumA * sumB) / Math.max(pairs(n), 1)
  const max = (sumA + sumB) / 2
  // Both partitions trivial (all one cluster, or all singletons): sklearn defines ARI = 1.
  if (max === expected) return 1
  return (index - expected) / (max - expected)
}

/** Share of items whose cluster's most common true label is their own. */
export function purity(clusters: readonly number[], truth: readonly number[]): number {
  const byCluster = new Map<number, Map<number, number>>()
  clusters.forEach((c, i) => {
    const m = byCluster.get(c) ?? new Map<number, number>()
    m.set(truth[i] as number, (m.get(truth[i] as number) ?? 0) + 1)
    byCluster.set(c, m)
  })
  let agree = 0
  for (const m of byCluster.values()) agree += Math.max(...m.values())
  return clusters.length === 0 ? 0 : agree / clusters.length
}
