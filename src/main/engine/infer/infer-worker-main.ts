/**
 * The inference branch of the engine worker (src/main/engine/worker/training-worker.ts dispatches here
 * when `workerData` is an InferWorkerData): runs the request and streams its events to the parent.
 */
import type { MessagePort } from 'node:worker_threads'
import { parseInferRequest } from './infer-request'
import { runInference } from './infer-loop'
import type { FromInferWorker, InferWorkerData } from './infer-messages'

export async function inferInWorker(
  port: MessagePort,
  data: InferWorkerData,
  shouldStop: () => boolean,
): Promise<void> {
  const send = (m: FromInferWorker): void => port.postMessage(m)
  const outcome = await runInference(parseInferRequest(data.request), {
    shouldStop,
    onStarted: (s) => send({ type: 'infer-started', ...s }),
    onProgress: (p) => send({ type: 'infer-progress', ...p }),
    onProblem: (p) => send({ type: 'problem', ...p }),
  })
  send({ type: 'infer-done', ...outcome })
}
