/**
 * Worker-thread entry of a training run. Runs `runTraining` with the config from `workerData`, streams
 * progress and checkpoints to the parent, and stops before the next step after a 'cancel' message (the
 * loop yields to the event loop between steps, which is when the message is delivered).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { parseTrainConfig } from '../runs/train-config'
import { runTraining } from '../runs/train-loop'
import { isToWorker, type FromWorker, type TrainingWorkerData } from './messages'

const port = parentPort
if (!port) throw new Error('training-worker must be started as a worker thread')

let stopRequested = false
port.on('message', (m: unknown) => {
  if (isToWorker(m)) stopRequested = true
})

function send(m: FromWorker): void {
  port?.postMessage(m)
}

async function main(): Promise<void> {
  const data = workerData as TrainingWorkerData
  const config = parseTrainConfig(data.config)
  const outcome = await runTraining(config, data.resume === true, {
    shouldStop: () => stopRequested,
    onStarted: (s) => send({ type: 'started', ...s }),
    onProgress: (p) => send({ type: 'progress', ...p }),
    onCheckpoint: (c) => send({ type: 'checkpoint', ...c }),
    onProblem: (p) => send({ type: 'problem', ...p }),
  })
  send({ type: 'done', ...outcome })
}

main().catch((e: unknown) => {
  send({
    type: 'error',
    message: e instanceof Error ? e.message : String(e),
    stack: e instanceof Error ? e.stack : undefined,
  })
})
