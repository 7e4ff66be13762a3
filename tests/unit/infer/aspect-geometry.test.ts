/**
 * Aspect-preserving inference (issue 13 item 1; infer/geometry.ts, infer/forward-canvas.ts): non-square
 * images keep their aspect ratio through the network, the stride padding is cropped away before the
 * logits are upsampled, a group-context batch shares one canvas and a plain model's images keep their own.
 * The reference is independent: numpy (Debian's /usr/bin/python3, aspect_reference.py) builds the padded
 * canvases from the raw pixels and upsamples the network's canvas logits; only the forward pass itself is
 * shared (the same real, randomly initialised network on numpy's canvases).
 */
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createModel, normalizeImages, type SegmentationModel } from '../../../src/main/engine/models'
import { forEachImageLogits, forwardCanvases } from '../../../src/main/engine/infer/forward-canvas'
import {
  imageBox,
  paddedSide,
  resizedSize,
  resolveGeometry,
  scaleGeometry,
  InferGeometrySchema,
  TRAIN_MAX_SCALE,
} from '../../../src/main/engine/infer/geometry'
import { FILE_AUGMENT } from '../../../src/main/engine/runs/file-dataset'
import { predictLabels, type RgbRaster } from '../../../src/main/engine/infer/predict-labels'
import { useBackend } from '../engine/helpers'

const PY = '/usr/bin/python3'
const SCRIPT = path.join(__dirname, 'aspect_reference.py')
const CLASSES = 4
const LONG = 32

let tmp = ''
let plain: SegmentationModel
let grouped: SegmentationModel

/** A photo-like image with a bright vertical stripe (columns [x0, x1)) over smooth gradients. */
function stripeImage(w: number, h: number, x0: number, x1: number, seed: number): RgbRaster {
  const data = new Uint8Array(w * h * 3)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3
      const stripe = x >= x0 && x < x1
      data[o] = stripe ? 250 : (x * 200) / w
      data[o + 1] = stripe ? 240 : (y * 180) / h + seed * 9
      data[o + 2] = stripe ? 10 : (seed * 50 + 3 * x + 2 * y) % 256
    }
  return { width: w, height: h, data }
}

const BATCH = [stripeImage(37, 83, 15, 22, 1), stripeImage(75, 30, 40, 47, 2), stripeImage(40, 40, 5, 9, 3)]

function python(mode: 'canvas' | 'upsample', req: unknown): unknown {
  const inFile = path.join(tmp, `${mode}-in.json`)
  const outFile = path.join(tmp, `${mode}-out.json`)
  fs.writeFileSync(inFile, JSON.stringify(req))
  execFileSync(PY, [SCRIPT, mode, inFile, outFile])
  return JSON.parse(fs.readFileSync(outFile, 'utf8')) as unknown
}

interface Canvas {
  height: number
  width: number
  resized: [number, number]
  data: number[]
}

/** numpy canvases → the network (one pass per equal canvas, as forward-canvas does) → numpy upsample. */
async function numpyReference(
  model: SegmentationModel,
  images: readonly RgbRaster[],
  shared: boolean,
): Promise<{ logits: number[]; labels: number[] }[]> {
  const { canvases } = python('canvas', {
    longSide: LONG,
    shared,
    images: images.map((i) => ({ width: i.width, height: i.height, data: Array.from(i.data) })),
  }) as { canvases: Canvas[] }
  const items = []
  const groups = new Map<string, number[]>()
  canvases.forEach((c, i) => {
    const key = `${c.width}x${c.height}`
    groups.set(key, [...(groups.get(key) ?? []), i])
  })
  const logitsOf: { grid: number[]; data: number[] }[] = []
  for (const idx of groups.values()) {
    const out = tf.tidy(() => {
      const x = tf.concat(
        idx.map((i) =>
          tf.tensor4d(Float32Array.from(canvases[i]!.data), [1, canvases[i]!.height, canvases[i]!.width, 3]),
        ),
        0,
      )
      return model.forward(normalizeImages(x), false).main
    })
    const data = Array.from(await out.data())
    const [, gh, gw, c] = out.shape
    out.dispose()
    idx.forEach(
      (i, k) =>
        (logitsOf[i] = { grid: [gh, gw, c], data: data.slice(k * gh * gw * c, (k + 1) * gh * gw * c) }),
    )
  }
  for (const [i, img] of images.entries())
    items.push({
      grid: logitsOf[i]!.grid,
      logits: logitsOf[i]!.data,
      height: img.height,
      width: img.width,
      resized: canvases[i]!.resized,
      canvas: [canvases[i]!.height, canvases[i]!.width],
    })
  return (python('upsample', { items }) as { images: { logits: number[]; labels: number[] }[] }).images
}

async function ours(model: SegmentationModel, images: readonly RgbRaster[]): Promise<Float32Array[]> {
  const out: Float32Array[] = []
  await forEachImageLogits(model, images, { mode: 'aspect', longSide: LONG }, async (i, up) => {
    out[i] = (await up.data()) as Float32Array
  })
  return out
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-aspect-'))
  await useBackend('wasm')
  plain = createModel('segnet', {
    backbone: { kind: 'resnet-compact', width: 16 },
    numClasses: CLASSES,
    seed: 5,
  })
  grouped = createModel('segnet', {
    backbone: { kind: 'resnet-compact', width: 16 },
    numClasses: CLASSES,
    seed: 7,
    aux: true,
    context: { variant: 'ours' },
  })
}, 120_000)

afterAll(() => {
  plain?.dispose()
  grouped?.dispose()
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('inference geometry (pure)', () => {
  it('keeps the aspect ratio, pads to the stride and boxes the image part of the canvas', () => {
    // Default: 1.5 × the training size, the largest training scale (kept equal to FILE_AUGMENT's).
    expect(TRAIN_MAX_SCALE).toBe(FILE_AUGMENT.maxScale)
    const g = resolveGeometry({ mode: 'aspect', longSide: null }, 64)
    expect(g).toEqual({ mode: 'aspect', longSide: 96 })
    expect(resizedSize(500, 375, g)).toEqual({ width: 96, height: 72 })
    expect(resolveGeometry({ mode: 'squash', size: null }, 64)).toEqual({ mode: 'squash', size: 64 })
    expect(resizedSize(37, 83, { mode: 'aspect', longSide: 32 })).toEqual({ width: 14, height: 32 })
    expect(resizedSize(61, 9, { mode: 'aspect', longSide: 32 })).toEqual({ width: 32, height: 5 })
    expect(resizedSize(61, 9, { mode: 'squash', size: 32 })).toEqual({ width: 32, height: 32 })
    expect([paddedSide(5), paddedSide(16), paddedSide(17), paddedSide(48)]).toEqual([16, 16, 24, 48])
    expect(imageBox({ width: 14, height: 32 }, { width: 16, height: 32 })).toEqual([0, 0, 1, 13 / 15])
    expect(() => imageBox({ width: 20, height: 8 }, { width: 16, height: 16 })).toThrow(/does not fit/)
    expect(scaleGeometry({ mode: 'aspect', longSide: 64 }, 0.75)).toEqual({ mode: 'aspect', longSide: 48 })
    expect(scaleGeometry({ mode: 'squash', size: 64 }, 0.5)).toEqual({ mode: 'squash', size: 32 })
    expect(InferGeometrySchema.parse({ mode: 'aspect' })).toEqual({ mode: 'aspect', longSide: null })
    expect(InferGeometrySchema.safeParse({ mode: 'squash', size: 30 }).success).toBe(false)
  })
})

describe('aspect-preserving inference against numpy', () => {
  it('a plain model: each image on its own stride-padded canvas, padding cropped before the upsample', async () => {
    const raws = BATCH.map((i) => tf.tensor4d(i.data, [1, i.height, i.width, 3], 'int32'))
    const passes = forwardCanvases(plain, raws, { mode: 'aspect', longSide: LONG })
    // Portrait 14×32 → 16×32 canvas, landscape 32×13 → 32×16, square 32×32: three passes, never squashed.
    expect(passes.map((p) => [p.indices, p.logits.shape.slice(1, 3)])).toEqual([
      [[0], [4, 2]],
      [[1], [2, 4]],
      [[2], [4, 4]],
    ])
    for (const p of passes) p.logits.dispose()
    tf.dispose(raws)

    const ref = await numpyReference(plain, BATCH, false)
    const got = await ours(plain, BATCH)
    const labels = await predictLabels(plain, BATCH, LONG, { mode: 'aspect', longSide: LONG })
    for (const [i, img] of BATCH.entries()) {
      const r = Float32Array.from(ref[i]!.logits)
      expect(got[i]!.length).toBe(img.width * img.height * CLASSES)
      let scale = 0
      let diff = 0
      for (let k = 0; k < r.length; k++) {
        scale = Math.max(scale, Math.abs(r[k]!))
        diff = Math.max(diff, Math.abs(r[k]! - got[i]![k]!))
      }
      expect(diff / scale).toBeLessThan(1e-4)
      let same = 0
      ref[i]!.labels.forEach((l, k) => (same += l === labels[i]!.labels[k] ? 1 : 0))
      expect(same / ref[i]!.labels.length).toBeGreaterThanOrEqual(0.999)
      expect([labels[i]!.width, labels[i]!.height]).toEqual([img.width, img.height])
    }
  }, 120_000)

  it('a group-context model: the whole batch on one canvas (the largest), each image cropped back', async () => {
    const raws = BATCH.map((i) => tf.tensor4d(i.data, [1, i.height, i.width, 3], 'int32'))
    const passes = forwardCanvases(grouped, raws, { mode: 'aspect', longSide: LONG })
    expect(passes).toHaveLength(1)
    expect(passes[0]!.indices).toEqual([0, 1, 2])
    expect(passes[0]!.logits.shape.slice(0, 3)).toEqual([3, 4, 4])
    expect(passes[0]!.boxes).toEqual([
      [0, 0, 1, 13 / 31],
      [0, 0, 12 / 31, 1],
      [0, 0, 1, 1],
    ])
    passes[0]!.logits.dispose()
    tf.dispose(raws)

    const ref = await numpyReference(grouped, BATCH, true)
    const got = await ours(grouped, BATCH)
    for (const [i] of BATCH.entries()) {
      const r = Float32Array.from(ref[i]!.logits)
      let scale = 0
      let diff = 0
      for (let k = 0; k < r.length; k++) {
        scale = Math.max(scale, Math.abs(r[k]!))
        diff = Math.max(diff, Math.abs(r[k]! - got[i]![k]!))
      }
      expect(diff / scale).toBeLessThan(1e-4)
    }
  }, 120_000)

  it('leaves no tensor behind', async () => {
    const before = tf.memory().numTensors
    await predictLabels(grouped, BATCH, LONG)
    await predictLabels(plain, BATCH, LONG, { mode: 'squash', size: null })
    expect(tf.memory().numTensors).toBe(before)
  }, 120_000)
})
