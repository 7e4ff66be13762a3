/**
 * The co-segmentation branch of the engine worker (src/main/engine/worker/training-worker.ts dispatches
 * here when `workerData` is a CosegWorkerData): runs the request and streams each group's proposals.
 */
import type { MessagePort } from 'node:worker_threads'
import { runCoseg } from './coseg-loop'
import type { CosegWorkerData, FromCosegWorker } from './coseg-messages'
import { parseCosegRequest } from './coseg-request'

export async function cosegInWorker(
  port: MessagePort,
  data: CosegWorkerData,
  shouldStop: () => boolean,
): Promise<void> {
  const send = (m: FromCosegWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer)
  const outcome = await runCoseg(parseCosegRequest(data.request), {
    shouldStop,
    // The PNG bytes are moved, not copied, to the main thread.
    onGroup: (g) => send({ type: 'coseg-group', ...g }, g.proposals.map((p) => p.png.buffer as ArrayBuffer)),
    onProgress: (p) => send({ type: 'coseg-progress', ...p }),
    onProblem: (p) => send({ type: 'problem', ...p }),
  })
  send({ type: 'coseg-done', ...outcome })
}
