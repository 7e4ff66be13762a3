/** The SegSort branch of the engine worker (training-worker.ts dispatches here for SegsortWorkerData). */
import type { MessagePort } from 'node:worker_threads'
import { parseSegsortConfig } from './segsort-config'
import type { FromSegsortWorker, SegsortWorkerData } from './segsort-messages'
import { runSegsort } from './segsort-run'

export async function segsortInWorker(
  port: MessagePort,
  data: SegsortWorkerData,
  shouldStop: () => boolean,
): Promise<void> {
  const send = (m: FromSegsortWorker): void => port.postMessage(m)
  const outcome = await runSegsort(parseSegsortConfig(data.config), {
    shouldStop,
    onStarted: (s) => send({ type: 'segsort-started', ...s }),
    onProgress: (p) => send({ type: 'segsort-progress', ...p }),
    onProblem: (p) => send({ type: 'problem', ...p }),
  })
  send({ type: 'segsort-done', ...outcome })
}
