/** The snapshot branch of the engine worker (training-worker.ts dispatches here for SnapshotWorkerData). */
import type { MessagePort } from 'node:worker_threads'
import { runSnapshotRequest } from './evaluate-snapshots'
import type { FromSnapshotWorker, SnapshotWorkerData } from './snapshot-messages'
import { parseSnapshotRequest } from './snapshot-request'

export async function snapshotsInWorker(
  port: MessagePort,
  data: SnapshotWorkerData,
  shouldStop: () => boolean,
): Promise<void> {
  const send = (m: FromSnapshotWorker): void => port.postMessage(m)
  const outcome = await runSnapshotRequest(parseSnapshotRequest(data.request), {
    shouldStop,
    onStarted: (s) => send({ type: 'snap-started', ...s }),
    onProgress: (p) => send({ type: 'snap-progress', ...p }),
    onEvaluated: (e) => send({ type: 'snap-evaluated', ...e }),
    onProblem: (p) => send({ type: 'problem', ...p }),
  })
  send({ type: 'snap-done', ...outcome })
}
