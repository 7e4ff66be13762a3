/**
 * The No-DA chain (docs/method.md: the source-only baseline): train the compact net on the source set's
 * labelled train list with cross-entropy only (training worker), predict every image of every user's
 * album with the final checkpoint (inference worker, PIS test layout `<predictions>/id{k}/<name>.png`),
 * and score each user on its validation images, next to trivial constant predictors on the same images:
 *   - all background (class 0; its FIoU is 0 by definition: it never predicts foreground);
 *   - the majority class of the source training masks (pixels, void excluded);
 *   - the majority FOREGROUND class of those masks (a constant predictor with a non-zero FIoU).
 */
import * as path from 'node:path'
import { NUM_CLASSES } from '../../../shared/voc'
import type { BackendChoice } from '../backend/backend-choice'
import { chunkBatches } from '../infer/infer-request'
import { startInferenceWorker, startTrainingWorker } from '../sessions/starters'
import type { FileProblem } from '../runs/file-dataset'
import { meanOverUsers, type UserMetrics } from '../eval/user-metrics'
import { listPisAlbums } from './pis-albums'
import { scoreAlbum } from './score-album'
import { argmaxFrom, classPixelCounts, vocLabelledFiles } from './voc-source'
import { makeDirSync } from '../../files/make-dir'

export const NODA_METHODS = ['noda', 'trivial_background', 'trivial_majority', 'trivial_majority_fg'] as const
export type NodaMethod = (typeof NODA_METHODS)[number]

/**
 * Percent (0–100). miou_paper: the paper's Tables 2/7 (object classes in the GT, background excluded),
 * null without an object class in the GT; miou_all21: the released code's printout; miou_present: null
 * where no class is present.
 */
export interface MethodScores {
  fiou: number
  miou_paper: number | null
  miou_all21: number
  miou_present: number | null
}

export interface NodaOptions {
  /** VOC-layout root of the labelled source set. */
  sourceRoot: string
  /** PIS root (holding id{k}/ or personal/id{k}/). */
  pisRoot: string
  /** Where runs/ and predictions/ go. */
  out: string
  iterations: number
  seed?: number
  /** Training crop and inference input side (multiple of 8). */
  size?: number
  batch?: number
  width?: 16 | 32
  /** Base learning rate of the poly schedule (default: the training default). */
  lr?: number
  /** Images per inference batch (default grouping). */
  inferBatch?: number
  backend?: BackendChoice
  onLog?: (line: string) => void
  onProblem?: (p: FileProblem) => void
}

export interface NodaUserResult {
  id: string
  albumImages: number
  valImages: number
  methods: Record<NodaMethod, MethodScores>
}

export interface NodaResult {
  runDir: string
  predictionsDir: string
  backend: string
  majorityClass: number
  majorityForegroundClass: number
  users: NodaUserResult[]
  mean: Record<NodaMethod, MethodScores>
  seconds: { train: number; infer: number; eval: number }
  finalLoss: number | null
}

const pct = (v: number): number => v * 100
function scores(m: {
  fiou: number
  miouPaper: number
  miouAll21: number
  miouPresent: number
}): MethodScores {
  return {
    fiou: pct(m.fiou),
    miou_paper: Number.isNaN(m.miouPaper) ? null : pct(m.miouPaper),
    miou_all21: pct(m.miouAll21),
    miou_present: Number.isNaN(m.miouPresent) ? null : pct(m.miouPresent),
  }
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-')
}

export async function runNoda(o: NodaOptions): Promise<NodaResult> {
  const log = o.onLog ?? (() => {})
  const numClasses = NUM_CLASSES
  const sourceFiles = vocLabelledFiles(o.sourceRoot, 'train')
  const albums = listPisAlbums(o.pisRoot)
  const runId = `noda-${stamp()}`
  const runDir = path.join(o.out, 'runs', runId)
  const predictionsDir = path.join(o.out, 'predictions', runId)
  makeDirSync(path.dirname(runDir))

  let t = performance.now()
  let backend = o.backend ?? 'wasm'
  let finalLoss: number | null = null
  log(`training No-DA on ${sourceFiles.length} source images for ${o.iterations} iterations`)
  const training = startTrainingWorker(
    {
      runDir,
      seed: o.seed ?? 0,
      steps: o.iterations,
      batch: o.batch ?? 4,
      size: o.size ?? 64,
      width: o.width ?? 16,
      checkpointEvery: 0,
      ...(o.lr === undefined ? {} : { lr: o.lr }),
      backend,
      data: { kind: 'files', items: sourceFiles, numClasses },
    },
    {
      onStarted: (s) => {
        backend = s.backend.name
        log(`backend ${s.backend.name} (${s.backend.device})`)
      },
      onProgress: (p) => {
        finalLoss = p.loss
        if (p.iteration % 25 === 0 || p.iteration === p.steps)
          log(
            `  iteration ${p.iteration}/${p.steps} loss ${p.loss.toFixed(4)} eta ${p.etaSeconds.toFixed(0)} s`,
          )
      },
      onProblem: (p) => o.onProblem?.(p),
    },
  )
  const trained = await training.result
  if (trained.status !== 'done') throw new Error(`No-DA training ended as ${trained.status}`)
  const trainSeconds = (performance.now() - t) / 1000

  t = performance.now()
  const total = albums.reduce((s, a) => s + a.images.length, 0)
  log(`predicting ${total} album images of ${albums.length} users`)
  const inference = startInferenceWorker(
    {
      runDir,
      backend: backend as BackendChoice,
      albums: albums.map((a) => ({
        outDir: path.join(predictionsDir, a.id),
        batches: chunkBatches(
          a.images.map((i) => ({ image: i.file, name: i.name })),
          o.inferBatch ?? 8,
        ),
      })),
    },
    { onProblem: (p) => o.onProblem?.(p) },
  )
  const inferred = await inference.result
  if (inferred.status !== 'done') throw new Error(`No-DA inference ended as ${inferred.status}`)
  const inferSeconds = (performance.now() - t) / 1000

  t = performance.now()
  const counts = classPixelCounts(sourceFiles, numClasses)
  const majorityClass = argmaxFrom(counts, 0)
  const majorityForegroundClass = argmaxFrom(counts, 1)
  const perUser: Record<NodaMethod, UserMetrics>[] = []
  const users: NodaUserResult[] = albums.map((a) => {
    const s = scoreAlbum(
      a,
      { noda: path.join(predictionsDir, a.id) },
      {
        trivial_background: 0,
        trivial_majority: majorityClass,
        trivial_majority_fg: majorityForegroundClass,
      },
      numClasses,
    )
    for (const p of s.problems) o.onProblem?.(p)
    const m = s.methods as Record<NodaMethod, UserMetrics>
    perUser.push(m)
    const methods = Object.fromEntries(NODA_METHODS.map((k) => [k, scores(m[k])])) as Record<
      NodaMethod,
      MethodScores
    >
    return { id: a.id, albumImages: a.images.length, valImages: m.noda.images, methods }
  })
  const scored = perUser.filter((m) => m.noda.images > 0)
  if (scored.length === 0) throw new Error(`${o.pisRoot}: no user has a scorable validation image`)
  const mean = Object.fromEntries(
    NODA_METHODS.map((k) => [k, scores(meanOverUsers(scored.map((m) => m[k])))]),
  ) as Record<NodaMethod, MethodScores>
  return {
    runDir,
    predictionsDir,
    backend,
    majorityClass,
    majorityForegroundClass,
    users,
    mean,
    seconds: { train: trainSeconds, infer: inferSeconds, eval: (performance.now() - t) / 1000 },
    finalLoss,
  }
}
