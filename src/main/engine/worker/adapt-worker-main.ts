/**
 * The adaptation branch of the engine worker (training-worker.ts dispatches here when `workerData` is an
 * AdaptWorkerData): runs the adaptation loop, then predicts the requested albums with the final model.
 */
import type { MessagePort } from 'node:worker_threads'
import { parseAdaptConfig } from '../methods/adapt-config'
import { runAdaptation } from '../methods/adapt-loop'
import { writeAlbumPredictions } from '../methods/predict-album'
import type { AdaptWorkerData, FromAdaptWorker } from './adapt-messages'

export async function adaptInWorker(
  port: MessagePort,
  data: AdaptWorkerData,
  shouldStop: () => boolean,
): Promise<void> {
  const send = (m: FromAdaptWorker): void => port.postMessage(m)
  const config = parseAdaptConfig(data.config)
  const outcome = await runAdaptation(config, data.resume, {
    shouldStop,
    onStarted: (s) => send({ type: 'adapt-started', ...s }),
    onProgress: (p) => send({ type: 'adapt-progress', ...p }),
    onCheckpoint: (c) => send({ type: 'adapt-checkpoint', ...c }),
    onPseudo: (summary) => send({ type: 'adapt-pseudo', summary }),
    onProblem: (p) => send({ type: 'problem', ...p }),
    afterTraining: async (model) => {
      for (const album of data.predict?.albums ?? []) {
        if (shouldStop()) return
        const n = await writeAlbumPredictions(
          model,
          album.images,
          config.size,
          data.predict!.batch,
          album.outDir,
          (p) => send({ type: 'problem', ...p }),
        )
        send({ type: 'adapt-predicted', outDir: album.outDir, images: n })
      }
    },
  })
  send({ type: 'adapt-done', ...outcome })
}
