/**
 * Clusters album images in the engine worker and stores the clustering: the one body behind the
 * `clusterAlbum` job and the clustering a run (or co-segmentation) does first when its album has none.
 */
import type { ClusteringMeta, ClusterRequestInput } from '../engine/api'
import { startClusterWorker } from '../engine/api'
import { withCancel } from '../engine/api'
import type { JobContext } from '../jobs/job-queue'
import type { Project } from '../project/project'

export interface StoredClustering {
  clusteringId: number
  /** image id → group index */
  assignments: Map<number, number>
  meta: ClusteringMeta
}

/** Returns null when the job was cancelled (nothing is stored then). */
export async function clusterAndStore(
  project: Project,
  albumId: number,
  request: ClusterRequestInput,
  ctx: JobContext,
  name: (meta: ClusteringMeta) => string,
): Promise<StoredClustering | null> {
  const total = request.images.length
  ctx.progress({ done: 0, total, message: 'computing features' })
  const handle = startClusterWorker(request, {
    onProgress: (p) =>
      p.phase === 'features'
        ? ctx.progress({ done: p.done, total: p.total, message: 'computing features' })
        : ctx.progress({ message: 'k-means' }),
    onProblem: (p) => ctx.problem(p),
  })
  const outcome = await withCancel(ctx.signal, () => handle.cancel(), handle.result)
  if (outcome.status !== 'done' || !outcome.meta || ctx.cancelled()) return null
  const meta = outcome.meta
  const assignments = new Map(outcome.assignments)
  const clusteringId = project.groupings.addClustering(albumId, name(meta), assignments, { ...meta })
  return { clusteringId, assignments, meta }
}
