/**
 * The embedding map's layout off the caller's thread: the colour descriptors of an album's images (the
 * clustering's features) or a trained source model's encoder features (the clustering's 'encoder'
 * features), then a seeded UMAP or PCA layout in 2-D. Uses the clustering branch of the engine worker (a
 * ClusterWorkerData with `embed` set), so the built app still bundles one worker file. This module is the
 * caller's side (no tfjs); the worker's side is embed-in-worker.ts.
 */
import { z } from 'zod'
import type { ClusterWorkerData } from './cluster-messages'
import type { EmbedMethod } from './embedding'
import { spawnEngineWorker } from '../worker/spawn-engine-worker'
import type { ToWorker } from '../worker/messages'

export const EmbedImagesSchema = z.array(z.object({ id: z.number().int(), path: z.string().min(1) }).strict()).min(1)

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

export interface EmbedWorkerHandle {
  readonly result: Promise<EmbedOutcome>
  cancel(): void
}

/** Starts the layout of `images` in the engine worker. */
export function startEmbedWorker(
  images: { id: number; path: string }[],
  embed: { method: EmbedMethod; seed: number; encoder?: { runDir: string; backend: string } },
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
