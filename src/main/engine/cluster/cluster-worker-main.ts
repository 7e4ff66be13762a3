/**
 * The clustering branch of the engine worker (src/main/engine/worker/training-worker.ts dispatches here
 * when `workerData` is a ClusterWorkerData): features and k-means off the caller's thread.
 */
import type { MessagePort } from 'node:worker_threads'
import { runClustering } from './cluster-album'
import type { ClusterWorkerData, FromClusterWorker } from './cluster-messages'
import { parseClusterRequest } from './cluster-request'
import { embedInWorker } from './embed-in-worker'

export async function clusterInWorker(
  port: MessagePort,
  data: ClusterWorkerData,
  shouldStop: () => boolean,
): Promise<void> {
  if (data.embed) {
    await embedInWorker(port, data, shouldStop)
    return
  }
  const send = (m: FromClusterWorker): void => port.postMessage(m)
  const outcome = await runClustering(parseClusterRequest(data.request), {
    shouldStop,
    onProgress: (p) => send({ type: 'cluster-progress', ...p }),
    onProblem: (p) => send({ type: 'problem', ...p }),
  })
  send({ type: 'cluster-done', ...outcome })
}
