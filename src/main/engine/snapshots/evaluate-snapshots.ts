/**
 * Snapshot work on the engine worker's thread (see snapshot-request.ts). Evaluation predicts only the
 * album batches that hold a validation image, but cuts the batches from the whole album exactly as the
 * run's album prediction does (albumBatches): a group-context model takes its context from the test
 * batch, so a validation image sees the same batch here as in the run's predictions, and the last
 * snapshot's scores equal the run's. Decoded images are kept between snapshots up to a memory budget.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { decodeRgb } from '../../media/decode'
import { decodeLabelPng, encodeLabelPng, type LabelMap } from '../../media/label-png'
import { writeFileAtomic } from '../../files/atomic-file'
import type { SnapshotScore } from '../../../shared/snapshots'
import { pct } from '../../../shared/results-format'
import { selectBackend } from '../backend/select-backend'
import { UserEvaluation, type UserMetrics } from '../eval/user-metrics'
import { resizeLabelsNearest } from '../eval/resize-nearest'
import { predictLabels, type RgbRaster } from '../infer/predict-labels'
import { writePrediction } from '../infer/write-prediction'
import { albumBatches } from '../methods/predict-album'
import type { FileProblem } from '../runs/file-dataset'
import { snapshotDirName } from './list-snapshots'
import { buildStageModel, loadSnapshot } from './load-snapshot'
import type { SnapshotEvaluated } from './snapshot-request'
import type { SnapshotRequest } from './snapshot-request'
import { makeDirSync } from '../../files/make-dir'

/** Decoded album images kept between snapshots (bytes of RGB). */
const DECODE_CACHE_BYTES = 256 * 1024 * 1024

export interface SnapshotHooks {
  shouldStop(): boolean
  onStarted?(s: { backend: string; kind: 'train' | 'adapt'; inputSize: number }): void
  onProgress?(p: { done: number; total: number; message: string }): void
  onEvaluated?(e: SnapshotEvaluated): void
  onProblem?(p: FileProblem): void
}

export interface SnapshotOutcome {
  status: 'done' | 'cancelled'
  /** Label PNGs written. */
  predicted: number
}

type AlbumImage = SnapshotRequest['album'][number]

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

export function toScore(m: UserMetrics): SnapshotScore {
  return {
    fiou: m.fiou,
    miouAll21: m.miouAll21,
    miouPresent: Number.isNaN(m.miouPresent) ? null : m.miouPresent,
    images: m.images,
  }
}

class Decoder {
  private readonly cache = new Map<string, RgbRaster>()
  private bytes = 0
  private readonly failed = new Set<string>()

  constructor(private readonly onProblem?: (p: FileProblem) => void) {}

  async decode(items: readonly AlbumImage[]): Promise<{ item: AlbumImage; image: RgbRaster }[]> {
    const out: { item: AlbumImage; image: RgbRaster }[] = []
    for (const item of items) {
      if (this.failed.has(item.image)) continue
      let image = this.cache.get(item.image)
      if (!image) {
        try {
          image = await decodeRgb(item.image)
        } catch (e) {
          this.failed.add(item.image)
          this.onProblem?.({ file: item.image, reason: `cannot decode the image: ${message(e)}` })
          continue
        }
        if (this.bytes + image.data.length <= DECODE_CACHE_BYTES) {
          this.cache.set(item.image, image)
          this.bytes += image.data.length
        }
      }
      out.push({ item, image })
    }
    return out
  }
}

export async function runSnapshotRequest(
  req: SnapshotRequest,
  hooks: SnapshotHooks,
): Promise<SnapshotOutcome> {
  const backend = await selectBackend({ force: req.backend, env: process.env })
  const stage = buildStageModel(req.stageDir)
  try {
    hooks.onStarted?.({ backend: backend.name, kind: stage.kind, inputSize: stage.size })
    const decoder = new Decoder(hooks.onProblem)
    const batches = albumBatches(stage.model, req.album, req.batch)
    if (req.kind === 'predict') {
      await loadSnapshot(req.stageDir, req.iteration, stage.model)
      makeDirSync(req.outDir)
      let predicted = 0
      for (const b of batches) {
        await yieldToEventLoop()
        if (hooks.shouldStop()) return { status: 'cancelled', predicted }
        const ok = await decoder.decode(b)
        const labels = await predictLabels(
          stage.model,
          ok.map((o) => o.image),
          stage.size,
        )
        for (let k = 0; k < ok.length; k++) {
          await writePrediction(req.outDir, ok[k]!.item.name, labels[k]!)
          predicted++
        }
        hooks.onProgress?.({
          done: predicted,
          total: req.album.length,
          message: `snapshot ${req.iteration}: image ${predicted}/${req.album.length}`,
        })
      }
      return { status: 'done', predicted }
    }

    // Evaluation: ground truth read once; only batches holding a validation image are predicted.
    const wanted = new Map(req.validation.map((v) => [v.name, v]))
    const gts = new Map<string, LabelMap>()
    for (const v of req.validation) {
      try {
        gts.set(v.name, decodeLabelPng(fs.readFileSync(v.gtFile)))
      } catch (e) {
        hooks.onProblem?.({ file: v.gtFile, reason: `cannot read the validation mask: ${message(e)}` })
      }
    }
    const needed = batches.filter((b) => b.some((i) => gts.has(i.name)))
    const missing = [...gts.keys()].filter((n) => !req.album.some((a) => a.name === n))
    for (const n of missing)
      hooks.onProblem?.({ file: wanted.get(n)!.gtFile, reason: `validation image ${n} is not in the album` })
    let predicted = 0
    for (const [si, iteration] of req.iterations.entries()) {
      await yieldToEventLoop()
      if (hooks.shouldStop()) return { status: 'cancelled', predicted }
      await loadSnapshot(req.stageDir, iteration, stage.model)
      const outDir = path.join(req.outRoot, snapshotDirName(iteration))
      makeDirSync(outDir)
      const evals = {
        selection: new UserEvaluation(stage.numClasses),
        report: new UserEvaluation(stage.numClasses),
        full: new UserEvaluation(stage.numClasses),
      }
      const perImage: Record<string, number> = {}
      for (const b of needed) {
        await yieldToEventLoop()
        if (hooks.shouldStop()) return { status: 'cancelled', predicted }
        const ok = await decoder.decode(b)
        const labels = await predictLabels(
          stage.model,
          ok.map((o) => o.image),
          stage.size,
        )
        for (let k = 0; k < ok.length; k++) {
          const name = ok[k]!.item.name
          const gt = gts.get(name)
          if (!gt) continue
          let pred = labels[k]!
          writeFileAtomic(path.join(outDir, `${name}.png`), encodeLabelPng(pred))
          predicted++
          if (pred.width !== gt.width || pred.height !== gt.height)
            pred = resizeLabelsNearest(pred, gt.width, gt.height)
          try {
            const s = evals.full.add(name, gt.labels, pred.labels)
            evals[wanted.get(name)!.part].add(name, gt.labels, pred.labels)
            perImage[name] = s.fiou
          } catch (e) {
            hooks.onProblem?.({ file: wanted.get(name)!.gtFile, reason: `cannot score it: ${message(e)}` })
          }
        }
      }
      const parts: SnapshotEvaluated['parts'] = {}
      for (const part of ['selection', 'report', 'full'] as const) {
        const m = evals[part].result()
        if (m.images > 0) parts[part] = toScore(m)
      }
      hooks.onEvaluated?.({ iteration, parts, perImage })
      hooks.onProgress?.({
        done: si + 1,
        total: req.iterations.length,
        message: `snapshot ${iteration}: FIoU ${pct(parts.full?.fiou)} on ${parts.full?.images ?? 0} images`,
      })
    }
    return { status: 'done', predicted }
  } finally {
    stage.model.dispose()
  }
}
