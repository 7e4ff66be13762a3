/**
 * 'encoder' features: the global-average-pooled last backbone stage of a trained segmentation checkpoint
 * (the paper clusters on GAP ImageNet features; a source model's encoder is the studio's stand-in when no
 * ImageNet backbone is at hand). Images are resized to the run's square input side and normalised exactly
 * as for inference; the features are not L2-normalised (as the released code).
 */
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../backend/select-backend'
import { decodeRgb } from '../../media/decode'
import { inputBatch } from '../infer/predict-labels'
import { loadRunModel } from '../infer/load-run-model'
import type { FeatureRecord } from './cluster-request'

export interface FeatureHooks {
  onProgress(done: number): void
  onProblem(file: string, reason: string): void
  shouldStop(): boolean
}

const BATCH = 8

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

export async function encoderFeatures(
  images: readonly { id: number; path: string }[],
  runDir: string,
  backend: string,
  hooks: FeatureHooks,
): Promise<{ features: Map<number, Float64Array>; record: FeatureRecord } | null> {
  await selectBackend({ force: backend, env: process.env })
  const run = await loadRunModel(runDir)
  try {
    const embed = run.model.embed?.bind(run.model)
    if (!embed) throw new Error(`${runDir}: this model cannot give backbone features`)
    const features = new Map<number, Float64Array>()
    let length = 0
    for (let start = 0; start < images.length; start += BATCH) {
      await new Promise((r) => setImmediate(r)) // let a cancel message in
      if (hooks.shouldStop()) return null
      const ok: { id: number; image: { width: number; height: number; data: Uint8Array } }[] = []
      for (const img of images.slice(start, start + BATCH)) {
        try {
          ok.push({ id: img.id, image: await decodeRgb(img.path) })
        } catch (e) {
          hooks.onProblem(img.path, `cannot decode the image: ${message(e)}`)
        }
      }
      if (ok.length > 0) {
        const v = tf.tidy(() =>
          embed(
            inputBatch(
              ok.map((o) => o.image),
              run.size,
            ),
          ),
        )
        const data = await v.data()
        v.dispose()
        length = v.shape[1]
        ok.forEach((o, i) =>
          features.set(o.id, Float64Array.from(data.subarray(i * length, (i + 1) * length))),
        )
      }
      hooks.onProgress(Math.min(images.length, start + BATCH))
    }
    return {
      features,
      record: {
        kind: 'encoder',
        runDir,
        checkpointDir: run.checkpointDir,
        iteration: run.iteration,
        inputSize: run.size,
        length,
      },
    }
  } finally {
    run.model.dispose()
  }
}
