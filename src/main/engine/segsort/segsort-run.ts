/**
 * One SegSort run in the engine worker (Hwang et al. 2019):
 *   1. train the embedding network on the labelled source set with the segment-sorting loss (segments =
 *      ground-truth classes ∩ a grid or k-means oversegmentation), starting from the source model's
 *      backbone + PSP weights when given;
 *   2. build the memory bank: every annotated image (the source set; optionally the album's validation
 *      masks) is cut into segments (spherical k-means of its embeddings ∩ its ground truth), one entry per
 *      segment (unit prototype, class, image key, box);
 *   3. predict the album: cluster each image's embeddings into segments, label each by the k-NN vote of its
 *      prototype in the bank, write the prediction (PIS layout) and the explain files.
 * Embeddings are computed at the network's square input size (as the other run types predict); label and
 * segment maps are brought to each image's original size by nearest resizing.
 * A cancel stops before the next step or image. There is no mid-run resume: a run interrupted here starts
 * this stage over (it is short next to the source model, which keeps its own checkpoints).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { decodeRgb } from '../../media/decode'
import { decodeLabelPng } from '../../media/label-png'
import { writeFileAtomic } from '../../files/atomic-file'
import { selectBackend, type BackendReport } from '../backend/select-backend'
import { resizeLabelsNearest } from '../eval/resize-nearest'
import { inputBatch, type RgbRaster } from '../infer/predict-labels'
import { writePrediction } from '../infer/write-prediction'
import { BatchStream, loadLabelledFiles } from '../methods/adapt-data'
import { normalizeImages } from '../models/preprocess'
import { applyWeights, loadNamedWeights, saveParams } from '../models/weights-io'
import type { FileProblem } from '../runs/file-dataset'
import { SgdMomentum } from '../train/optimizers'
import { polyLr } from '../train/schedule'
import { namedGrads } from '../train/steps'
import {
  EXPLAIN_DIR,
  MODEL_DIR,
  writeBank,
  writeExplain,
  type BankEntry,
  type ExplainSegment,
} from './bank-files'
import { EmbedNet } from './embed-net'
import { imageSegments, scaleBox, type Box } from './image-segments'
import { knnVote } from './knn-vote'
import type { BankOrigin, SegsortConfig } from './segsort-config'
import { buildSegments, gridRegions } from './segments'
import { segsortLossMap } from './segsort-loss'
import { sphericalKMeans } from './spherical-kmeans'
import { makeDirSync } from '../../files/make-dir'

export interface SegsortStarted {
  backend: BackendReport
  sourceImages: number
  /** Parameters the init checkpoint did not have (the embedding head), or null without init. */
  initMissing: number | null
}

export interface SegsortProgress {
  stage: 'train' | 'bank' | 'predict'
  done: number
  total: number
  /** Training loss (train stage), else null. */
  loss: number | null
  msPerItem: number
}

export interface SegsortOutcome {
  status: 'done' | 'cancelled'
  losses: { iteration: number; loss: number }[]
  bankEntries: number
  predicted: number
}

export interface SegsortHooks {
  shouldStop(): boolean
  onStarted?(s: SegsortStarted): void
  onProgress?(p: SegsortProgress): void
  onProblem?(p: FileProblem): void
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Per-image seed of the k-means (reproducible, different per image). */
function imageSeed(seed: number, index: number): number {
  return (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/**
 * Regions of the training oversegmentation for the n images of a batch (n·size² ids): a fixed grid, or
 * spherical k-means of the detached embeddings `values` (n·size²·dim) of each image.
 */
function trainingRegions(
  c: SegsortConfig,
  n: number,
  size: number,
  values: Float32Array | null,
  iteration: number,
): Int32Array {
  const hw = size * size
  const out = new Int32Array(n * hw)
  if (c.params.oversegment === 'grid' || !values) {
    const g = gridRegions(size, size, c.params.regions)
    for (let b = 0; b < n; b++) out.set(g, b * hw)
    return out
  }
  const d = c.params.dim
  for (let b = 0; b < n; b++) {
    const one = values.subarray(b * hw * d, (b + 1) * hw * d)
    out.set(
      sphericalKMeans(one, hw, d, c.params.regions, imageSeed(c.seed + iteration, b), 10).assignments,
      b * hw,
    )
  }
  return out
}

/**
 * Side of the map the loss is computed on: the input size, halved until the batch has at most
 * LOSS_PIXELS pixels — the loss holds two pixels × segments matrices, so this bounds its memory at any
 * crop size (at the paper's 320² crops it is the network's own stride-8 map, where SegSort computes it).
 */
export const LOSS_PIXELS = 16384

export function lossSide(batch: number, size: number): number {
  let side = size
  while (batch * side * side > LOSS_PIXELS && side % 2 === 0 && side / 2 >= size / 8) side /= 2
  return side
}

/** Nearest (centre-sampled) labels of n size×size maps on a side×side grid. */
export function downsampleLabels(labels: Int32Array, n: number, size: number, side: number): Int32Array {
  if (side === size) return labels
  const out = new Int32Array(n * side * side)
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < side; y++) {
      const sy = Math.min(size - 1, Math.floor(((y + 0.5) * size) / side))
      for (let x = 0; x < side; x++) {
        const sx = Math.min(size - 1, Math.floor(((x + 0.5) * size) / side))
        out[b * side * side + y * side + x] = labels[b * size * size + sy * size + sx]!
      }
    }
  }
  return out
}

async function train(
  c: SegsortConfig,
  net: EmbedNet,
  hooks: SegsortHooks,
): Promise<SegsortOutcome['losses'] | null> {
  const src = await loadLabelledFiles(c.source, c.numClasses)
  for (const p of src.problems) hooks.onProblem?.(p)
  if (src.items.length === 0) throw new Error(`none of the ${c.source.length} source images could be used`)
  const stream = new BatchStream(src.items, c.seed, c.batch, c.size, null)
  const side = lossSide(c.batch, c.size)
  const opt = new SgdMomentum({ momentum: c.params.momentum, weightDecay: c.params.weightDecay })
  const losses: SegsortOutcome['losses'] = []
  try {
    for (let it = 1; it <= c.steps; it++) {
      await yieldToEventLoop()
      if (hooks.shouldStop()) return null
      const t0 = performance.now()
      const raw = stream.batchAt(it)
      const images = tf.tidy(() => normalizeImages(tf.tensor4d(raw.images, [raw.n, raw.size, raw.size, 3])))
      let loss: number
      try {
        // The k-means oversegmentation sees detached embeddings (the clustering is not differentiated).
        let values: Float32Array | null = null
        if (c.params.oversegment === 'kmeans') {
          const detached = tf.tidy(() => net.embedAt(images, side, side, false))
          values = Float32Array.from(await detached.data())
          detached.dispose()
        }
        const reg = trainingRegions(c, raw.n, side, values, it)
        const seg = buildSegments(
          downsampleLabels(raw.labels, raw.n, raw.size, side),
          reg,
          raw.n,
          side * side,
        )
        const vars = net.params.trainableVariables()
        const r = namedGrads(
          () => segsortLossMap(net.embedAt(images, side, side, true), seg, c.params.kappa),
          vars,
        )
        opt.apply(vars, r.grads, polyLr(c.params.lr, it - 1, c.steps, 0.9))
        loss = r.value.dataSync()[0] as number
        tf.dispose([r.value, ...Object.values(r.grads)])
      } finally {
        images.dispose()
      }
      if (!Number.isFinite(loss))
        throw new Error(`SegSort training diverged: loss ${loss} at iteration ${it}`)
      losses.push({ iteration: it, loss })
      hooks.onProgress?.({
        stage: 'train',
        done: it,
        total: c.steps,
        loss,
        msPerItem: performance.now() - t0,
      })
    }
    return losses
  } finally {
    opt.dispose()
  }
}

interface Decoded {
  image: RgbRaster
  /** Ground truth at the original size (bank images), or null. */
  labels: Uint8Array | null
}

/** Unit embeddings at the input size of each image of a chunk, as plain arrays (size²·dim each). */
async function embedChunk(
  net: EmbedNet,
  images: readonly RgbRaster[],
  size: number,
): Promise<Float32Array[]> {
  const emb = tf.tidy(() => net.embedFull(inputBatch(images, size), false))
  try {
    const all = (await emb.data()) as Float32Array
    const per = size * size * net.config.dim
    return images.map((_, i) => all.slice(i * per, (i + 1) * per))
  } finally {
    emb.dispose()
  }
}

function chunks<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n))
  return out
}

async function decodeBankFile(
  f: { image: string; mask: string },
  numClasses: number,
  onProblem?: (p: FileProblem) => void,
): Promise<Decoded | null> {
  let image: RgbRaster
  try {
    image = await decodeRgb(f.image)
  } catch (e) {
    onProblem?.({ file: f.image, reason: `cannot decode the image: ${message(e)}` })
    return null
  }
  try {
    const m = decodeLabelPng(fs.readFileSync(f.mask))
    if (m.width !== image.width || m.height !== image.height) {
      onProblem?.({
        file: f.mask,
        reason: `mask is ${m.width}×${m.height} but its image is ${image.width}×${image.height}`,
      })
      return null
    }
    const bad = m.labels.find((v) => v >= numClasses && v !== 255)
    if (bad !== undefined) {
      onProblem?.({
        file: f.mask,
        reason: `label ${bad} is outside 0..${numClasses - 1} (and is not the ignore label 255)`,
      })
      return null
    }
    return { image, labels: m.labels }
  } catch (e) {
    onProblem?.({ file: f.mask, reason: `cannot read the label PNG: ${message(e)}` })
    return null
  }
}

/** The memory bank: one entry per (k-means cluster ∩ ground-truth class) segment of every annotated image. */
async function buildBank(
  c: SegsortConfig,
  net: EmbedNet,
  hooks: SegsortHooks,
): Promise<{ entries: BankEntry[]; prototypes: Float32Array } | null> {
  const { size } = c
  const dim = c.params.dim
  const files = c.bank.flatMap((b) => b.files.map((f) => ({ ...f, origin: b.origin as BankOrigin })))
  const entries: BankEntry[] = []
  const protos: Float32Array[] = []
  let done = 0
  for (const chunk of chunks(files, c.predict.batch)) {
    await yieldToEventLoop()
    if (hooks.shouldStop()) return null
    const t0 = performance.now()
    const decoded: { f: (typeof files)[number]; d: Decoded }[] = []
    for (const f of chunk) {
      const d = await decodeBankFile(f, c.numClasses, hooks.onProblem)
      if (d) decoded.push({ f, d })
    }
    const embs = await embedChunk(
      net,
      decoded.map((x) => x.d.image),
      size,
    )
    decoded.forEach(({ f, d }, k) => {
      const gt = resizeLabelsNearest(
        { width: d.image.width, height: d.image.height, labels: d.labels! },
        size,
        size,
      )
      const segs = imageSegments(
        embs[k]!,
        size,
        size,
        dim,
        c.params.clusters,
        imageSeed(c.seed, done + k),
        gt.labels,
      )
      for (let s = 0; s < segs.count; s++) {
        const pixels = segs.pixels[s]!
        if (pixels < c.params.minSegmentPixels) continue
        entries.push({
          origin: f.origin,
          key: f.key,
          label: segs.classes[s]!,
          pixels,
          bbox: scaleBox(segs.boxes[s]!, size, size, d.image.height, d.image.width),
          imageWidth: d.image.width,
          imageHeight: d.image.height,
        })
        protos.push(segs.prototypes.slice(s * dim, (s + 1) * dim))
      }
    })
    done += chunk.length
    hooks.onProgress?.({
      stage: 'bank',
      done,
      total: files.length,
      loss: null,
      msPerItem: (performance.now() - t0) / chunk.length,
    })
  }
  const prototypes = new Float32Array(protos.length * dim)
  protos.forEach((p, i) => prototypes.set(p, i * dim))
  return { entries, prototypes }
}

/** Boxes [x0, y0, x1, y1) of each segment id of a map. */
function boxesOfMap(
  labels: Uint8Array,
  width: number,
  height: number,
  count: number,
): { boxes: Box[]; pixels: number[] } {
  const boxes: Box[] = Array.from({ length: count }, () => [width, height, -1, -1] as Box)
  const pixels = new Array<number>(count).fill(0)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = labels[y * width + x]!
      const b = boxes[s]!
      pixels[s]!++
      if (x < b[0]) b[0] = x
      if (y < b[1]) b[1] = y
      if (x >= b[2]) b[2] = x + 1
      if (y >= b[3]) b[3] = y + 1
    }
  }
  return { boxes: boxes.map((b) => (b[2] < 0 ? [0, 0, 0, 0] : b)), pixels }
}

/** Predicts every album image by clustering + k-NN voting; writes the PIS prediction and explain files. */
async function predictAlbum(
  c: SegsortConfig,
  net: EmbedNet,
  bank: { entries: BankEntry[]; prototypes: Float32Array },
  hooks: SegsortHooks,
): Promise<number | null> {
  const { size } = c
  const dim = c.params.dim
  const vectors = { dim, prototypes: bank.prototypes, labels: bank.entries.map((e) => e.label) }
  const segsortDir = c.runDir
  makeDirSync(c.predict.outDir)
  makeDirSync(path.join(segsortDir, EXPLAIN_DIR))
  let done = 0
  let written = 0
  const total = c.predict.images.length
  for (const chunk of chunks(c.predict.images, c.predict.batch)) {
    await yieldToEventLoop()
    if (hooks.shouldStop()) return null
    const t0 = performance.now()
    const decoded: { item: (typeof chunk)[number]; image: RgbRaster }[] = []
    for (const item of chunk) {
      try {
        decoded.push({ item, image: await decodeRgb(item.image) })
      } catch (e) {
        hooks.onProblem?.({ file: item.image, reason: `cannot decode the image: ${message(e)}` })
      }
    }
    const embs = await embedChunk(
      net,
      decoded.map((d) => d.image),
      size,
    )
    for (const [k, { item, image }] of decoded.entries()) {
      const segs = imageSegments(
        embs[k]!,
        size,
        size,
        dim,
        c.params.clusters,
        imageSeed(c.seed ^ 0x51ed27, done + k),
      )
      const votes = Array.from({ length: segs.count }, (_, s) =>
        knnVote(vectors, segs.prototypes.subarray(s * dim, (s + 1) * dim), c.params.knn),
      )
      const small = { width: size, height: size, labels: Uint8Array.from(segs.segmentOf) }
      const segmentMap = resizeLabelsNearest(small, image.width, image.height)
      const labels = new Uint8Array(segmentMap.labels.length)
      for (let i = 0; i < labels.length; i++) labels[i] = votes[segmentMap.labels[i]!]!.label
      await writePrediction(c.predict.outDir, item.name, { width: image.width, height: image.height, labels })
      const { boxes, pixels } = boxesOfMap(segmentMap.labels, image.width, image.height, segs.count)
      const segments: ExplainSegment[] = votes.map((v, s) => ({
        id: s,
        label: v.label,
        pixels: pixels[s]!,
        bbox: boxes[s]!,
        votes: Object.fromEntries(Object.entries(v.votes).map(([cls, n]) => [cls, n])),
        neighbours: v.neighbours.map((n) => ({ index: n.index, similarity: n.similarity })),
      }))
      writeExplain(
        segsortDir,
        {
          version: 1,
          name: item.name,
          width: image.width,
          height: image.height,
          knn: c.params.knn,
          segments,
        },
        segmentMap,
      )
      written++
    }
    done += chunk.length
    hooks.onProgress?.({
      stage: 'predict',
      done,
      total,
      loss: null,
      msPerItem: (performance.now() - t0) / chunk.length,
    })
  }
  return written
}

export async function runSegsort(c: SegsortConfig, hooks: SegsortHooks): Promise<SegsortOutcome> {
  makeDirSync(c.runDir)
  writeFileAtomic(
    path.join(c.runDir, 'run.json'),
    JSON.stringify({ version: 1, kind: 'segsort', config: c }, null, 1),
  )
  const backend = await selectBackend({ force: c.backend, env: process.env })
  const net = new EmbedNet({ width: c.width, dim: c.params.dim, seed: c.seed })
  try {
    let initMissing: number | null = null
    if (c.init) {
      // The source model's backbone + PSP load by name; its classifier and aux head have no place here.
      const w = await loadNamedWeights(c.init)
      try {
        initMissing = applyWeights(net.params, w.tensors, false).missing.length
      } finally {
        tf.dispose(Object.values(w.tensors))
      }
    }
    hooks.onStarted?.({ backend, sourceImages: c.source.length, initMissing })
    const losses = await train(c, net, hooks)
    if (!losses) return { status: 'cancelled', losses: [], bankEntries: 0, predicted: 0 }
    await saveParams(path.join(c.runDir, MODEL_DIR), net.params, {
      kind: 'segsort-embedding',
      dim: c.params.dim,
      width: c.width,
    })
    const bank = await buildBank(c, net, hooks)
    if (!bank) return { status: 'cancelled', losses, bankEntries: 0, predicted: 0 }
    if (bank.entries.length === 0)
      throw new Error('the memory bank is empty: no annotated segment could be read')
    writeBank(c.runDir, {
      dim: c.params.dim,
      size: c.size,
      origins: c.bank.map((b) => b.origin),
      entries: bank.entries,
      prototypes: bank.prototypes,
    })
    const predicted = await predictAlbum(c, net, bank, hooks)
    if (predicted === null)
      return { status: 'cancelled', losses, bankEntries: bank.entries.length, predicted: 0 }
    return { status: 'done', losses, bankEntries: bank.entries.length, predicted }
  } finally {
    net.dispose()
  }
}
