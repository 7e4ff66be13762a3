/**
 * The worker's side of the embedding map (see embed-worker.ts for the caller's side): the album images'
 * colour descriptors or a trained run's encoder features, then the seeded 2-D layout. Imported only by
 * the engine worker (cluster-worker-main.ts), which loads tfjs anyway for the encoder.
 */
import type { MessagePort } from 'node:worker_threads'
import { colorFeatures } from './cluster-album'
import type { ClusterWorkerData } from './cluster-messages'
import { COLOR_FEATURES_VERSION } from './color-features'
import { EmbedImagesSchema, type FromEmbedWorker } from './embed-worker'
import { embed2d } from './embedding'
import { encoderFeatures } from './encoder-features'

export async function embedInWorker(port: MessagePort, data: ClusterWorkerData, shouldStop: () => boolean): Promise<void> {
  const send = (m: FromEmbedWorker): void => port.postMessage(m)
  const t0 = performance.now()
  const images = EmbedImagesSchema.parse(data.request)
  const embed = data.embed!
  const hooks = {
    onProgress: (done: number): void => {
      if (done % 16 === 0 || done === images.length) send({ type: 'embed-progress', done, total: images.length })
    },
    onProblem: (file: string, reason: string): void => send({ type: 'problem', file, reason }),
    shouldStop,
  }
  const encoder = embed.encoder
  const got = encoder
    ? await encoderFeatures(images, encoder.runDir, encoder.backend, hooks)
    : await colorFeatures(images, hooks)
  const cancelled = (): void =>
    send({ type: 'embed-done', status: 'cancelled', method: embed.method, features: '', ids: [], x: [], y: [], seconds: 0 })
  if (!got) return cancelled()
  const ids = images.map((i) => i.id).filter((id) => got.features.has(id))
  const layout = await embed2d(
    ids.map((id) => got.features.get(id)!),
    { method: embed.method, seed: embed.seed, shouldStop },
  )
  if (!layout) return cancelled()
  send({
    type: 'embed-done',
    status: 'done',
    method: layout.method,
    features:
      got.record.kind === 'encoder'
        ? `encoder (checkpoint iteration ${got.record.iteration}, ${got.record.length}-d, ${got.record.inputSize}² input)`
        : `color ${COLOR_FEATURES_VERSION}`,
    ids,
    x: Array.from(layout.x),
    y: Array.from(layout.y),
    seconds: (performance.now() - t0) / 1000,
  })
}
