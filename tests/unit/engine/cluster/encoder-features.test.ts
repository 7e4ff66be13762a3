/**
 * 'encoder' clustering features: the GAP of a trained checkpoint's last backbone stage, recorded with the
 * checkpoint used; each feature is checked against the embedding of its image computed alone.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encoderFeatures } from '../../../../src/main/engine/cluster/encoder-features'
import { runClustering } from '../../../../src/main/engine/cluster/cluster-album'
import { parseClusterRequest } from '../../../../src/main/engine/cluster/cluster-request'
import { inputBatch } from '../../../../src/main/engine/infer/predict-labels'
import { loadRunModel } from '../../../../src/main/engine/infer/load-run-model'
import { decodeRgb } from '../../../../src/main/media/decode'
import { trainTinyRun } from '../helpers'

let tmp = ''
let runDir = ''
const images: { id: number; path: string }[] = []

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-cluster-enc-'))
  runDir = path.join(tmp, 'run')
  await trainTinyRun(runDir, { seed: 3, steps: 2 })
  for (let i = 0; i < 6; i++) {
    const w = 40 + i * 3
    const h = 30
    const rgb = Buffer.alloc(w * h * 3)
    for (let p = 0; p < w * h; p++) {
      rgb[3 * p] = (p * (i + 1)) % 256
      rgb[3 * p + 1] = i < 3 ? 200 : 20
      rgb[3 * p + 2] = (p >> 3) % 256
    }
    const file = path.join(tmp, `img${i}.png`)
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toFile(file)
    images.push({ id: 10 + i, path: file })
  }
}, 120_000)

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('encoder features', () => {
  it('are the GAP of the checkpoint backbone, recorded with the checkpoint', async () => {
    const got = await encoderFeatures(images, runDir, 'wasm', {
      onProgress: () => {},
      onProblem: () => {},
      shouldStop: () => false,
    })
    expect(got).not.toBeNull()
    expect(got!.record).toMatchObject({ kind: 'encoder', runDir, iteration: 2, inputSize: 32, length: 128 })
    // Each image's feature equals the checkpoint's embedding of that image alone (eval-mode BN makes it
    // batch-independent): the batching and the id mapping are right.
    const run = await loadRunModel(runDir)
    for (const img of images) {
      const raster = await decodeRgb(img.path)
      const ref = tf.tidy(() => run.model.embed!(inputBatch([raster], 32)))
      const want = await ref.data()
      ref.dispose()
      const f = got!.features.get(img.id)!
      expect(f).toHaveLength(128)
      let maxDiff = 0
      for (let j = 0; j < 128; j++) maxDiff = Math.max(maxDiff, Math.abs(f[j]! - want[j]!))
      expect(maxDiff).toBeLessThan(1e-4)
    }
    run.model.dispose()
  }, 60_000)

  it('cluster an album with them (K = 2)', async () => {
    const r = await runClustering(parseClusterRequest({ images, k: 2, features: 'encoder', runDir }), {
      shouldStop: () => false,
    })
    expect(r.status).toBe('done')
    expect(r.meta?.features.kind).toBe('encoder')
    expect(r.assignments).toHaveLength(6)
    expect(new Set(r.assignments.map(([, g]) => g)).size).toBe(2)
  }, 60_000)
})
