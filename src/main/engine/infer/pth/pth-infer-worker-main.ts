/** The `.pth` prediction branch of the engine worker (training-worker.ts dispatches here). */
import type { MessagePort } from 'node:worker_threads'
import { parsePthInferRequest } from './pth-infer-request'
import { runPthInference } from './pth-infer-loop'
import type { FromPthInferWorker, PthInferWorkerData } from './pth-infer-messages'

export async function pthInferInWorker(
  port: MessagePort,
  data: PthInferWorkerData,
  shouldStop: () => boolean,
): Promise<void> {
  const send = (m: FromPthInferWorker): void => port.postMessage(m)
  const outcome = await runPthInference(parsePthInferRequest(data.request), {
    shouldStop,
    onStarted: (s) => send({ type: 'pth-started', ...s }),
    onProgress: (p) => send({ type: 'pth-progress', ...p }),
    onProblem: (p) => send({ type: 'problem', ...p }),
  })
  send({ type: 'pth-done', ...outcome })
}
