/**
 * The embedding map's layout off the caller's thread: the colour descriptors of an album's images (the
 * clustering's features), then a seeded UMAP or PCA layout in 2-D. Uses the clustering branch of the
 * engine worker (a ClusterWorkerData with `embed` set), so the built app still bundles one worker file.
 */
import type { MessagePort } from 'node:worker_threads'
import { z } from 'zod'
import { colorFeatures } from './cluster-album'
import type { ClusterWorkerData } from './cluster-messages'
import { COLOR_FEATURES_VERSION } from './color-features'
import { embed2d, type EmbedMethod } from './embedding'
import { spawnEngineWorker } from '../worker/spawn-engine-worker'
import type { ToWorker } from '../worker/messages'

const EmbedImagesSchema = z.array(z.object({ id: z.number().int(), path: z.string().min(1) }).strict()).min(1)

export interface EmbedOutcome {
  status: 'done' | 'cancelled'
  method: EmbedMethod
  features: string
  ids: number[]
  x: number[]
  y: number[]
  seconds: number
}

export type FromEmbedWorker =
  | { type: 'embed-progress'; done: number; total: number }
  | { type: 'problem'; file: string; reason: string }
  | ({ type: 'embed-done' } & EmbedOutcome)
  | { type: 'error'; message: string; stack?: string }

export async function embedInWorker(port: MessagePort, data: ClusterWorkerData, shouldStop: () => boolean): Promise<void> {
  const send = (m: FromEmbedWorker): void => port.postMessage(m)
  const t0 = performance.now()
  const images = EmbedImagesSchema.parse(data.request)
  const embed = data.embed!
  const got = await colorFeatures(images, {
    onProgress: (done) => {
      if (done % 16 === 0 || done === images.length) send({ type: 'embed-progress', done, total: images.length })
    },
    onProblem: (file, reason) => send({ type: 'problem', file, reason }),
    shouldStop,
  })
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
    features: `color ${COLOR_FEATURES_VERSION}`,
    ids,
    x: Array.from(layout.x),
    y: Array.from(layout.y),
    seconds: (performance.now() - t0) / 1000,
  })
}

export interface EmbedWorkerHandle {
  readonly result: Promise<EmbedOutcome>
  cancel(): void
}

/** Starts the layout of `images` in the engine worker. */
export function startEmbedWorker(
  images: { id: number; path: string }[],
  embed: { method: EmbedMethod; seed: number },
  opts: {
    onProgress?: (done: number, total: number) => void
    onProblem?: (p: { file: string; reason: string }) => void
    entry?: string
  } = {},
): EmbedWorkerHandle {
  const data: ClusterWorkerData = { cluster: true, request: EmbedImagesSchema.parse(images), embed }
  const worker = spawnEngineWorker(data, opts.entry)
  let settled = false
  const result = new Promise<EmbedOutcome>((resolve, reject) => {
    const finish = (f: () => void): void => {
      if (settled) return
      settled = true
      f()
      void worker.terminate()
    }
    worker.on('message', (m: FromEmbedWorker) => {
      switch (m.type) {
        case 'embed-progress':
          opts.onProgress?.(m.done, m.total)
          break
        case 'problem':
          opts.onProblem?.({ file: m.file, reason: m.reason })
          break
        case 'embed-done': {
          const { type: _t, ...outcome } = m
          finish(() => resolve(outcome))
          break
        }
        case 'error':
          finish(() => reject(new Error(`embedding failed: ${m.message}`)))
          break
        default: {
          const never: never = m
          finish(() => reject(new Error(`unexpected worker message ${JSON.stringify(never)}`)))
        }
      }
    })
    worker.on('error', (e) => finish(() => reject(e)))
    worker.on('exit', (code) => finish(() => reject(new Error(`embedding worker exited with code ${code} before finishing`))))
  })
  return {
    result,
    cancel() {
      if (!settled) worker.postMessage({ type: 'cancel' } satisfies ToWorker)
    },
  }
}
