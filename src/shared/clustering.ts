/** Album clusterings as the API returns them (no Node imports: bundled into main and renderer). */

export const CLUSTER_FEATURES = ['color', 'encoder'] as const
export type ClusterFeatures = (typeof CLUSTER_FEATURES)[number]

export interface ClusteringInfo {
  id: number
  albumId: number
  name: string
  /** Number of groups (largest group index + 1). */
  k: number
  createdAt: string
  /** Images per group, index = group. */
  sizes: number[]
  /**
   * How it was made: for studio clusterings {method, features: {kind, …}, kRequested, k, seed, restarts,
   * inertia, silhouette, images, skipped, seconds}; imports (PIS train_cluster*.txt) record their file.
   */
  meta: Record<string, unknown>
}
