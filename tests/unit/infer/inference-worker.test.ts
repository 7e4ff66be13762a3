/**
 * Inference in the engine worker (issue 4, item 2): a run's checkpoint predicts images of any size
 * (non-square, odd, portrait) at their ORIGINAL size; `<name>.png` holds exactly the argmax of the
 * bilinearly upsampled logits computed independently here; `<name>_color.png` is the VOC palette
 * rendering of those indices; an unreadable image is named and skipped while the rest are written;
 * caller-given batches (the group hook) are honoured; no batch leaks tensors.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { vocPalette } from '../../../src/shared/voc'
import { selectBackend } from '../../../src/main/engine/backend'
import { createModel, applyWeights, loadNamedWeights, normalizeImages } from '../../../src/main/engine/models'
import { latestCheckpoint, parseTrainConfig, runTraining } from '../../../src/main/engine/runs'
import { chunkBatches, startInferenceWorker } from '../../../src/main/engine/api'
import type { InferProgress } from '../../../src/main/engine/infer/infer-loop'
import type { FileProblem } from '../../../src/main/engine/runs'
import { decodeRgb } from '../../../src/main/media/decode'
import { decodeLabelPng } from '../../../src/main/media/label-png'
import { predictProbabilities } from '../../../src/main/engine/infer/tta'
import { argmaxRows, crfParams, denseCrf } from '../../../src/main/engine/postprocess'

let tmp = ''
let runDir = ''
const SIZE = 32
/** [name, width, height]: square, odd non-square landscape, portrait, tiny. */
const IMAGES: [string, number, number][] = [
  ['square', 48, 48],
  ['odd', 37, 23],
  ['portrait', 19, 41],
  ['wide', 61, 9],
]

function imageFile(name: string): string {
  return path.join(tmp, 'album', `${name}.png`)
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-infer-'))
  runDir = path.join(tmp, 'run')
  await selectBackend({ force: 'wasm', env: {} })
  // A real (tiny) run: a few steps on the synthetic shapes task, so the weights are trained ones.
  const config = parseTrainConfig({
    runDir,
    seed: 3,
    steps: 6,
    batch: 2,
    size: SIZE,
    width: 16,
    checkpointEvery: 0,
    backend: 'wasm',
    lr: 0.05,
  })
  await runTraining(config, false, {
    shouldStop: () => false,
    onStarted: () => {},
    onProgress: () => {},
    onCheckpoint: () => {},
  })
  fs.mkdirSync(path.join(tmp, 'album'))
  for (const [i, [name, w, h]] of IMAGES.entries()) {
    // Smooth gradients with a bright block: varied content without JPEG loss (PNG input).
    const rgb = Buffer.alloc(w * h * 3)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 3
        const block = x > w / 3 && x < (2 * w) / 3 && y > h / 4
        rgb[o] = block ? 240 : (x * 255) / w
        rgb[o + 1] = block ? 30 : (y * 255) / h
        rgb[o + 2] = (i * 60 + x + y) % 256
      }
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toFile(imageFile(name))
  }
  fs.writeFileSync(path.join(tmp, 'album', 'broken.jpg'), 'this is not an image')
}, 120_000)

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

/** The checkpoint's model (a fresh instance). */
async function checkpointModel(): Promise<ReturnType<typeof createModel>> {
  const ckpt = latestCheckpoint(runDir)
  if (!ckpt) throw new Error('no checkpoint')
  const model = createModel('segnet', {
    backbone: { kind: 'resnet-compact', width: 16 },
    numClasses: 4,
    seed: 3,
  })
  const w = await loadNamedWeights(ckpt.dir)
  applyWeights(model.params, w.tensors, true)
  tf.dispose(Object.values(w.tensors))
  return model
}

/** Independent reference: the checkpoint's weights into a fresh model, resize, forward, upsample, argmax. */
async function referenceLabels(file: string): Promise<{ width: number; height: number; labels: Uint8Array }> {
  const ckpt = latestCheckpoint(runDir)
  if (!ckpt) throw new Error('no checkpoint')
  const model = createModel('segnet', {
    backbone: { kind: 'resnet-compact', width: 16 },
    numClasses: 4,
    seed: 3,
  })
  const w = await loadNamedWeights(ckpt.dir)
  applyWeights(model.params, w.tensors, true)
  tf.dispose(Object.values(w.tensors))
  const img = await decodeRgb(file)
  const lab = tf.tidy(() => {
    const x = tf.image.resizeBilinear(
      tf.tensor4d(img.data, [1, img.height, img.width, 3], 'int32').toFloat(),
      [SIZE, SIZE],
      false,
      true,
    )
    const logits = model.forward(normalizeImages(x), false).main
    return tf.image.resizeBilinear(logits, [img.height, img.width], true).argMax(-1).squeeze([0])
  })
  const labels = Uint8Array.from(await lab.data())
  lab.dispose()
  model.dispose()
  return { width: img.width, height: img.height, labels }
}

describe('inference worker', () => {
  it('writes palette + colour PNGs at the original size, equal to an independent argmax; skips a bad image', async () => {
    const out = path.join(tmp, 'pred')
    const items = IMAGES.map(([name]) => ({ image: imageFile(name), name }))
    const bad = { image: path.join(tmp, 'album', 'broken.jpg'), name: 'broken' }
    // Caller-grouped batches (the group-context hook): uneven groups, the bad image inside one.
    const batches = [
      [items[0]!, bad, items[2]!],
      ...chunkBatches(
        items.filter((_, i) => i !== 0 && i !== 2),
        1,
      ),
    ]
    const problems: FileProblem[] = []
    const progress: InferProgress[] = []
    // The old squash geometry, asked for: this test's independent reference squashes to SIZE × SIZE (the
    // default aspect-kept geometry is checked against numpy in aspect-geometry.test.ts).
    const h = startInferenceWorker(
      { runDir, backend: 'wasm', albums: [{ outDir: out, batches }], geometry: { mode: 'squash' } },
      { onProblem: (p) => problems.push(p), onProgress: (p) => progress.push(p) },
    )
    const r = await h.result
    expect(r).toMatchObject({ status: 'done', predicted: IMAGES.length, skipped: 1 })
    expect(r.geometry).toEqual({ mode: 'squash', size: SIZE })
    // Plain inference: no post-processing, one pass, its cost reported.
    expect(r.options).toEqual({ tta: null, crf: null })
    expect(r.cost.images).toBe(IMAGES.length)
    expect(r.cost.passes).toBe(1)
    expect(r.cost.crfMsPerImage).toBeNull()
    expect(r.cost.plainMsPerImage).toBe(r.cost.predictMsPerImage)
    expect(r.cost.msPerImage).toBeGreaterThanOrEqual(r.cost.predictMsPerImage)
    expect(problems).toHaveLength(1)
    expect(problems[0]!.file).toBe(bad.image)
    expect(problems[0]!.reason).toMatch(/cannot decode/)
    expect(fs.existsSync(path.join(out, 'broken.png'))).toBe(false)
    // One progress event per batch, ending at the total; every batch released its tensors.
    expect(progress.map((p) => p.done)).toEqual([3, 4, 5])
    expect(progress.at(-1)!.total).toBe(5)
    for (const p of progress) {
      expect(p.tensorsAfter).toBe(p.tensorsBefore)
      expect(p.msPerImage).toBeGreaterThan(0)
    }

    const palette = vocPalette()
    const seen = new Set<number>()
    for (const [name, w, hgt] of IMAGES) {
      const pred = decodeLabelPng(fs.readFileSync(path.join(out, `${name}.png`)))
      expect(pred.kind).toBe('palette')
      expect([pred.width, pred.height]).toEqual([w, hgt])
      const ref = await referenceLabels(imageFile(name))
      expect([ref.width, ref.height]).toEqual([w, hgt])
      expect(Buffer.from(pred.labels).equals(Buffer.from(ref.labels))).toBe(true)
      for (const v of pred.labels) {
        expect(v).toBeLessThan(4)
        seen.add(v)
      }
      const color = await sharp(path.join(out, `${name}_color.png`))
        .raw()
        .toBuffer({ resolveWithObject: true })
      expect([color.info.width, color.info.height, color.info.channels]).toEqual([w, hgt, 3])
      for (let i = 0; i < pred.labels.length; i++) {
        const c = pred.labels[i]! * 3
        if (
          color.data[i * 3] !== palette[c] ||
          color.data[i * 3 + 1] !== palette[c + 1] ||
          color.data[i * 3 + 2] !== palette[c + 2]
        )
          throw new Error(`${name}_color.png pixel ${i} is not the VOC colour of class ${pred.labels[i]}`)
      }
    }
    // Not a temp file left behind by the atomic writes.
    expect(fs.readdirSync(out).filter((f) => !/^[a-z]+(_color)?\.png$/.test(f))).toEqual([])
    expect(seen.size).toBeGreaterThanOrEqual(1)
  }, 120_000)

  it('refuses a request with a path-like output name before starting a worker', () => {
    expect(() =>
      startInferenceWorker({
        runDir,
        albums: [{ outDir: tmp, batches: [[{ image: imageFile('odd'), name: '../escape' }]] }],
      }),
    ).toThrow(/name/)
  })

  it('fails with the run folder named when it has no checkpoint', async () => {
    const empty = path.join(tmp, 'empty-run')
    fs.mkdirSync(empty)
    const h = startInferenceWorker({
      runDir: empty,
      albums: [{ outDir: path.join(tmp, 'x'), batches: [[{ image: imageFile('odd'), name: 'odd' }]] }],
    })
    await expect(h.result).rejects.toThrow(/empty-run/)
  }, 60_000)

  it('applies TTA and the dense CRF when asked, records them and their cost', async () => {
    const out = path.join(tmp, 'pred-tta-crf')
    const names = ['odd', 'portrait']
    const tta = { scales: [0.5, 1], flip: true }
    const crf = { iterations: 5, bilateral: { xyStd: 20 } }
    const h = startInferenceWorker({
      runDir,
      backend: 'wasm',
      tta,
      crf,
      albums: [{ outDir: out, batches: [names.map((name) => ({ image: imageFile(name), name }))] }],
    })
    const r = await h.result
    expect(r).toMatchObject({ status: 'done', predicted: 2, skipped: 0 })
    expect(r.options).toEqual({ tta, crf: crfParams(crf) })
    // The default geometry, recorded with its size: aspect kept at long side 1.5 × the training size.
    expect(r.geometry).toEqual({ mode: 'aspect', longSide: 48 })
    expect(r.cost.passes).toBe(4)
    expect(r.cost.crfMsPerImage).toBeGreaterThan(0)
    expect(r.cost.plainMsPerImage).toBeGreaterThan(0)
    expect(r.cost.predictMsPerImage).toBeGreaterThan(r.cost.plainMsPerImage!)
    // The worker's labels = this thread's composition of the (separately tested) pieces.
    const model = await checkpointModel()
    const images = await Promise.all(names.map((n) => decodeRgb(imageFile(n))))
    const { probabilities } = await predictProbabilities(model, images, SIZE, tta)
    model.dispose()
    let changedByCrf = 0
    for (const [i, name] of names.entries()) {
      const p = probabilities[i]!
      const n = p.width * p.height
      const q = denseCrf(p.data, images[i]!, p.numClasses, crf)
      const expected = argmaxRows(q, n, p.numClasses)
      const pred = decodeLabelPng(fs.readFileSync(path.join(out, `${name}.png`)))
      expect([pred.width, pred.height]).toEqual([p.width, p.height])
      expect(Buffer.from(pred.labels).equals(Buffer.from(expected))).toBe(true)
      const before = argmaxRows(p.data, n, p.numClasses)
      for (let k = 0; k < n; k++) if (before[k] !== expected[k]) changedByCrf++
      expect(fs.existsSync(path.join(out, `${name}_color.png`))).toBe(true)
    }
    console.log(
      `TTA+CRF worker run: ${changedByCrf} pixels relabelled by the CRF; cost ${JSON.stringify(r.cost)}`,
    )
  }, 120_000)

  it('reports no plain-pass cost when the TTA scales leave 1 out, and refuses bad options', async () => {
    const h = startInferenceWorker({
      runDir,
      tta: { scales: [0.75], flip: false },
      albums: [{ outDir: path.join(tmp, 'pred-075'), batches: [[{ image: imageFile('odd'), name: 'odd' }]] }],
    })
    const r = await h.result
    expect(r.cost.passes).toBe(1)
    expect(r.cost.plainMsPerImage).toBeNull()
    expect(r.cost.crfMsPerImage).toBeNull()
    const album = { outDir: tmp, batches: [[{ image: imageFile('odd'), name: 'odd' }]] }
    expect(() => startInferenceWorker({ runDir, albums: [album], tta: { scales: [] } })).toThrow(
      /tta\.scales/,
    )
    expect(() => startInferenceWorker({ runDir, albums: [album], crf: { iterations: -2 } })).toThrow(
      /crf\.iterations/,
    )
  }, 60_000)
})
