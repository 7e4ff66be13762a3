/**
 * Worker-thread entry of the data loader: decodes the labelled files once (sharp + label PNG), then
 * answers 'batch' requests with the augmented batch of an iteration, its buffers transferred, not copied.
 * It keeps decoding and augmentation off the training thread (wasm trains on one core; this uses the
 * other), and since a batch is a pure function of (seed, iteration) the batches are the ones the
 * training thread would have made itself. No tfjs here: the worker stays small.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { fileBatchAt, loadLabelledFiles, type DecodedItem } from '../runs/file-dataset'
import { isDataWorkerData, type FromDataWorker, type ToDataWorker } from './data-messages'

const port = parentPort
if (!port) throw new Error('data-worker must be started as a worker thread')
if (!isDataWorkerData(workerData)) throw new Error('data-worker: missing or malformed workerData')
const spec = workerData

function send(m: FromDataWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(m, transfer)
}

let items: DecodedItem[] = []
const pending: number[] = []
let ready = false

function serve(): void {
  while (ready && pending.length > 0) {
    const iteration = pending.shift() as number
    try {
      const b = fileBatchAt(items, spec.seed, iteration, spec.batch, spec.size)
      send({ type: 'batch', iteration, images: b.images, labels: b.labels }, [
        b.images.buffer as ArrayBuffer,
        b.labels.buffer as ArrayBuffer,
      ])
    } catch (e) {
      send({ type: 'error', message: e instanceof Error ? e.message : String(e) })
    }
  }
}

port.on('message', (m: ToDataWorker) => {
  if (m.type === 'close') {
    port.close()
    return
  }
  pending.push(m.iteration)
  serve()
})

loadLabelledFiles(spec.items, spec.numClasses).then(
  (r) => {
    items = r.items
    ready = true
    send({ type: 'ready', count: r.items.length, problems: r.problems })
    serve()
  },
  (e: unknown) => send({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
)
