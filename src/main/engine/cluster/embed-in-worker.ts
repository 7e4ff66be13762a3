/**
 * The body of the embedding session (../sessions/embed.ts, run by ../worker/session-bodies.ts): the
 * album images' colour descriptors or a trained run's encoder features, then the seeded 2-D layout.
 */
import type { EmbedEvent, EmbedOutcome, EmbedRequest } from '../sessions/embed'
import type { SessionContext } from '../sessions/session'
import { colorFeatures } from './cluster-album'
import { COLOR_FEATURES_VERSION } from './color-features'
import { embed2d } from './embedding'
import { encoderFeatures } from './encoder-features'

export async function runEmbedding(
  request: EmbedRequest,
  { shouldStop, emit }: SessionContext<EmbedEvent>,
): Promise<EmbedOutcome> {
  const t0 = performance.now()
  const images = request.images
  const hooks = {
    onProgress: (done: number): void => {
      if (done % 16 === 0 || done === images.length) emit({ type: 'progress', done, total: images.length })
    },
    onProblem: (file: string, reason: string): void => emit({ type: 'problem', file, reason }),
    shouldStop,
  }
  const encoder = request.encoder
  const got = encoder
    ? await encoderFeatures(images, encoder.runDir, encoder.backend, hooks)
    : await colorFeatures(images, hooks)
  const cancelled: EmbedOutcome = {
    status: 'cancelled',
    method: request.method,
    features: '',
    ids: [],
    x: [],
    y: [],
    seconds: 0,
  }
  if (!got) return cancelled
  const ids = images.map((i) => i.id).filter((id) => got.features.has(id))
  const layout = await embed2d(
    ids.map((id) => got.features.get(id)!),
    { method: request.method, seed: request.seed, shouldStop },
  )
  if (!layout) return cancelled
  return {
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
  }
}
