/**
 * Test-time augmentation (issue 7, item 1), on a compact SegNet (random init, eval mode) and images of
 * odd, non-square sizes, in batches (a batch is transformed as a whole):
 *   - scales [1] without flip IS plain inference: probabilities bit-identical to an independent
 *     softmax of the upsampled logits, labels identical to predictLabels;
 *   - flip averaging of a model that is flip-equivariant by construction equals its plain result;
 *   - with flip on, a mirrored batch gives exactly the mirrored averaged map (flip invariance);
 *   - no pass leaks a tensor.
 */
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../../src/main/engine/backend'
import { createModel, normalizeImages, type SegmentationModel } from '../../../src/main/engine/models'
import { inputBatch, predictLabels, type RgbRaster } from '../../../src/main/engine/infer/predict-labels'
import { predictProbabilities, scaledSide, type ClassProbabilities } from '../../../src/main/engine/infer/tta'
import { PLAIN_PASS, TtaOptionsSchema } from '../../../src/main/engine/infer/tta-options'
import type { InferGeometry } from '../../../src/main/engine/infer/geometry'
import { argmaxRows } from '../../../src/main/engine/postprocess'

const SIZE = 32
const CLASSES = 4
/** The old size × size geometry, asked for explicitly where a test's reference is the squashed batch. */
const SQUASH: InferGeometry = { mode: 'squash', size: null }
let model: SegmentationModel

function image(w: number, h: number, seed: number): RgbRaster {
  const data = new Uint8Array(w * h * 3)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3
      const block = x > w / 3 && x < (3 * w) / 4 && y > h / 4
      data[o] = block ? 230 : (x * 255) / w
      data[o + 1] = block ? 20 + seed * 10 : (y * 255) / h
      data[o + 2] = (seed * 70 + 3 * x + y * y) % 256
    }
  return { width: w, height: h, data }
}

function mirror(img: RgbRaster): RgbRaster {
  const data = new Uint8Array(img.data.length)
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++)
      for (let k = 0; k < 3; k++)
        data[(y * img.width + x) * 3 + k] = img.data[(y * img.width + (img.width - 1 - x)) * 3 + k]!
  return { ...img, data }
}

function mirrorProbs(p: ClassProbabilities): Float32Array {
  const { width: w, height: h, numClasses: c } = p
  const out = new Float32Array(p.data.length)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = p.data[(y * w + (w - 1 - x)) * c + k]!
  return out
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

const BATCH = [image(37, 23, 1), image(19, 41, 2), image(48, 48, 3)]

beforeAll(async () => {
  await selectBackend({ force: 'wasm', env: {} })
  model = createModel('segnet', {
    backbone: { kind: 'resnet-compact', width: 16 },
    numClasses: CLASSES,
    seed: 5,
  })
}, 120_000)

afterAll(() => model?.dispose())

describe('TTA options', () => {
  it('defaults to five scales with flip; sides stay multiples of 8', () => {
    expect(TtaOptionsSchema.parse({})).toEqual({ scales: [0.5, 0.75, 1, 1.25, 1.5], flip: true })
    expect([0.5, 0.75, 1, 1.25, 1.5].map((s) => scaledSide(64, s))).toEqual([32, 48, 64, 80, 96])
    expect(scaledSide(32, 0.5)).toBe(16)
    expect(scaledSide(32, 0.25)).toBe(16) // never below the model's minimum side
    expect(scaledSide(40, 1.05)).toBe(40) // 42 rounds to the nearest multiple of 8
    expect(() => TtaOptionsSchema.parse({ scales: [] })).toThrow()
    expect(() => TtaOptionsSchema.parse({ scales: [0] })).toThrow()
    expect(() => TtaOptionsSchema.parse({ flip: 'yes' })).toThrow()
  })
})

describe('predictProbabilities', () => {
  it('with scales [1] and no flip equals plain inference exactly (squash geometry, asked for)', async () => {
    const { probabilities, passes } = await predictProbabilities(model, BATCH, SIZE, PLAIN_PASS, SQUASH)
    expect(passes.map((p) => [p.scale, p.side, p.flip])).toEqual([[1, SIZE, false]])
    // Independent: the plain path's input batch, forward, bilinear upsample, softmax.
    const logits = tf.tidy(() => model.forward(inputBatch(BATCH, SIZE), false).main)
    const labels = await predictLabels(model, BATCH, SIZE, SQUASH)
    for (const [i, img] of BATCH.entries()) {
      const ref = tf.tidy(() =>
        tf.softmax(
          tf.image.resizeBilinear(logits.slice([i, 0, 0, 0], [1, -1, -1, -1]), [img.height, img.width], true),
          -1,
        ),
      )
      const refData = (await ref.data()) as Float32Array
      ref.dispose()
      const p = probabilities[i]!
      expect([p.width, p.height, p.numClasses]).toEqual([img.width, img.height, CLASSES])
      expect(maxDiff(p.data, refData)).toBe(0)
      expect(Array.from(argmaxRows(p.data, img.width * img.height, CLASSES))).toEqual(
        Array.from(labels[i]!.labels),
      )
    }
    logits.dispose()
  })

  it('with scales [1] and no flip gives the labels of plain inference at the default (aspect) geometry', async () => {
    const { probabilities, passes } = await predictProbabilities(model, BATCH, SIZE, PLAIN_PASS)
    // Default long side: 1.5 × the training size (infer/geometry.ts).
    expect(passes.map((p) => [p.scale, p.side, p.flip])).toEqual([[1, 48, false]])
    const labels = await predictLabels(model, BATCH, SIZE)
    const squashed = await predictLabels(model, BATCH, SIZE, SQUASH)
    let differs = false
    for (const [i, img] of BATCH.entries()) {
      const p = probabilities[i]!
      expect([p.width, p.height]).toEqual([img.width, img.height])
      expect(Array.from(argmaxRows(p.data, img.width * img.height, CLASSES))).toEqual(
        Array.from(labels[i]!.labels),
      )
      if (!Buffer.from(labels[i]!.labels).equals(Buffer.from(squashed[i]!.labels))) differs = true
    }
    // The non-square images go through another geometry than the squash: their labels differ.
    expect(differs).toBe(true)
  })

  it('flip averaging of a flip-equivariant model equals its plain result', async () => {
    // Symmetrised model: (m(x) + flip(m(flip(x)))) / 2 is flip-equivariant by construction.
    const sym: SegmentationModel = {
      config: model.config,
      params: model.params,
      forward(x, training) {
        const main = tf.tidy(() => {
          const a = model.forward(x, training).main
          const b = model.forward(tf.reverse(x, 2), training).main
          return tf.div<tf.Tensor4D>(tf.add(a, tf.reverse(b, 2)), 2)
        })
        return { main, aux: null }
      },
      dispose() {},
    }
    // Squash geometry: with the aspect kept the stride padding sits right of the image in both passes, so
    // the mirrored pass sees another canvas and a flip-equivariant model is not expected to agree.
    const plain = await predictProbabilities(sym, BATCH, SIZE, PLAIN_PASS, SQUASH)
    const flipped = await predictProbabilities(sym, BATCH, SIZE, { scales: [1], flip: true }, SQUASH)
    expect(flipped.passes).toHaveLength(2)
    // The input resize of a mirrored image is the mirror of the resize up to float rounding.
    for (const [i, p] of plain.probabilities.entries())
      expect(maxDiff(flipped.probabilities[i]!.data, p.data)).toBeLessThan(1e-5)
    // Control: the same averaging of the raw (not symmetric) model does change its output.
    const raw = await predictProbabilities(model, BATCH, SIZE, PLAIN_PASS)
    const rawFlip = await predictProbabilities(model, BATCH, SIZE, { scales: [1], flip: true })
    const changed = raw.probabilities.map((p, i) => maxDiff(p.data, rawFlip.probabilities[i]!.data))
    expect(Math.max(...changed)).toBeGreaterThan(1e-3)
  })

  it('with flip on, a mirrored batch gives exactly the mirrored averaged map', async () => {
    const tta = TtaOptionsSchema.parse({})
    const a = await predictProbabilities(model, BATCH, SIZE, tta)
    const b = await predictProbabilities(model, BATCH.map(mirror), SIZE, tta)
    // Long sides: the default 1.5 × 32 = 48 times each scale.
    expect(a.passes.map((p) => p.side)).toEqual([24, 24, 36, 36, 48, 48, 60, 60, 72, 72])
    for (const [i, p] of a.probabilities.entries()) {
      expect(maxDiff(mirrorProbs(b.probabilities[i]!), p.data)).toBe(0)
      // Still a probability map.
      for (let px = 0; px < p.width * p.height; px += 97) {
        let s = 0
        for (let k = 0; k < CLASSES; k++) s += p.data[px * CLASSES + k]!
        expect(s).toBeCloseTo(1, 5)
      }
    }
    // …and differs from plain inference (TTA did something).
    const plain = await predictProbabilities(model, BATCH, SIZE, PLAIN_PASS)
    expect(maxDiff(plain.probabilities[0]!.data, a.probabilities[0]!.data)).toBeGreaterThan(1e-3)
  })

  it('leaves no tensor behind', async () => {
    await predictProbabilities(model, BATCH, SIZE, TtaOptionsSchema.parse({})) // warm-up allocations
    const before = tf.memory().numTensors
    await predictProbabilities(model, BATCH, SIZE, TtaOptionsSchema.parse({}))
    await predictProbabilities(model, BATCH, SIZE, PLAIN_PASS)
    await predictProbabilities(model, [], SIZE, PLAIN_PASS)
    expect(tf.memory().numTensors).toBe(before)
  })

  it('normalises a batch as plain inference does', () => {
    // Guard for the equality above: the plain path is resize(int→float) → normalise, as TTA's pass.
    const x = tf.tidy(() => {
      const r = BATCH.map((img) =>
        tf.image.resizeBilinear(
          tf.tensor4d(img.data, [1, img.height, img.width, 3], 'int32').toFloat(),
          [SIZE, SIZE],
          false,
          true,
        ),
      )
      return normalizeImages(tf.concat(r, 0))
    })
    const y = inputBatch(BATCH, SIZE)
    expect(tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]).toBe(0)
    tf.dispose([x, y])
  })
})
