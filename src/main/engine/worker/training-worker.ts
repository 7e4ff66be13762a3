/**
 * Worker-thread entry of the engine. With `ProbeWorkerData` it only selects the backend (as a run
 * would), replies with the report and ends: the main process learns its backend without loading tfjs.
 * Otherwise it is a training run: it runs `runTraining` with the config from `workerData`, streams
 * progress and checkpoints to the parent, and stops before the next step after a 'cancel' message (the
 * loop yields to the event loop between steps, which is when the message is delivered).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { parseTrainConfig } from '../runs/train-config'
import { runTraining } from '../runs/train-loop'
import { selectBackend } from '../backend/select-backend'
import { isInferWorkerData } from '../infer/infer-messages'
import { inferInWorker } from '../infer/infer-worker-main'
import { isPthInferWorkerData } from '../infer/pth/pth-infer-messages'
import { pthInferInWorker } from '../infer/pth/pth-infer-worker-main'
import { isAdaptWorkerData } from './adapt-messages'
import { adaptInWorker } from './adapt-worker-main'
import { isClusterWorkerData } from '../cluster/cluster-messages'
import { clusterInWorker } from '../cluster/cluster-worker-main'
import { isCosegWorkerData } from '../coseg/coseg-messages'
import { cosegInWorker } from '../coseg/coseg-worker-main'
import { isSnapshotWorkerData } from '../snapshots/snapshot-messages'
import { snapshotsInWorker } from '../snapshots/snapshot-worker-main'
import { isSegsortWorkerData } from '../segsort/segsort-messages'
import { segsortInWorker } from '../segsort/segsort-worker-main'
import {
  isProbeWorkerData,
  isToWorker,
  type FromProbeWorker,
  type FromWorker,
  type TrainingWorkerData,
} from './messages'

const port = parentPort
if (!port) throw new Error('training-worker must be started as a worker thread')

let stopRequested = false
port.on('message', (m: unknown) => {
  if (isToWorker(m)) stopRequested = true
})

function send(m: FromWorker | FromProbeWorker): void {
  port?.postMessage(m)
}

async function main(): Promise<void> {
  if (isProbeWorkerData(workerData)) {
    // env {} as in runTraining: a run's backend comes from its config, so the probe reports that choice.
    send({ type: 'backend', report: await selectBackend({ force: workerData.force, env: process.env }) })
    return
  }
  if (isInferWorkerData(workerData)) {
    // An inference run (see ../infer): same worker entry, so the built app bundles one worker file.
    await inferInWorker(port as MessagePort, workerData, () => stopRequested)
    return
  }
  if (isPthInferWorkerData(workerData)) {
    // A torchvision .pth prediction (see ../infer/pth): the model's own preprocessing, one image at a time.
    await pthInferInWorker(port as MessagePort, workerData, () => stopRequested)
    return
  }
  if (isClusterWorkerData(workerData)) {
    // An album clustering (see ../cluster): features and k-means off the caller's thread.
    await clusterInWorker(port as MessagePort, workerData, () => stopRequested)
    return
  }
  if (isSnapshotWorkerData(workerData)) {
    // Snapshot evaluation / prediction with a chosen snapshot (see ../snapshots).
    await snapshotsInWorker(port as MessagePort, workerData, () => stopRequested)
    return
  }
  if (isCosegWorkerData(workerData)) {
    // A tag-driven co-segmentation (see ../coseg): mask proposals per album cluster.
    await cosegInWorker(port as MessagePort, workerData, () => stopRequested)
    return
  }
  if (isSegsortWorkerData(workerData)) {
    // A SegSort run (see ../segsort): embedding training, memory bank, clustering + k-NN predictions.
    await segsortInWorker(port as MessagePort, workerData, () => stopRequested)
    return
  }
  if (isAdaptWorkerData(workerData)) {
    // An adaptation run (see ../methods): any method of the registry, then optional album predictions.
    await adaptInWorker(port as MessagePort, workerData, () => stopRequested)
    return
  }
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
