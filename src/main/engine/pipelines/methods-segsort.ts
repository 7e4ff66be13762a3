/**
 * The SegSort-kNN row of the methods benchmark (issue 7 item 5), measured as the studio runs it: the
 * SegSort run type's own step (project-segsort.ts, the same worker config the studio's run builds) starts
 * from the seed's No-DA source checkpoint, trains the embedding network on the source set for the bench's
 * adaptation budget, builds the memory bank from the source set's segments ONLY (no album mask: the
 * album's validation masks are what the row is scored on, so its metrics stay held out) and predicts the
 * user's album by clustering + k-NN voting into the folder the bench scores.
 * The target album is not trained on (SegSort learns from labelled images only); a run per album is what
 * the studio does, so its cost is one studio run's: training + bank + prediction.
 */
import * as path from 'node:path'
import { NUM_CLASSES } from '../../../shared/voc'
import { projectSegsortStep } from '../segsort/project-segsort'
import type { ChainProgress } from './project-run'
import type { RowTrainContext, RowTrainReport } from './methods-rows'

/** The bank key of a source file (the studio's is an image id; the bench's sets have file stems). */
export function sourceKey(image: string): string {
  return path.basename(image, path.extname(image))
}

export async function trainSegsortRow(ctx: RowTrainContext): Promise<RowTrainReport> {
  const album = ctx.predict[0]
  if (ctx.predict.length !== 1 || !album)
    throw new Error(
      `segsort-knn predicts one album per run (as the studio's SegSort run), asked for ${ctx.predict.length}`,
    )
  const images = album.images.map((i) => ({ image: i.image, name: i.name }))
  const step = projectSegsortStep({
    runDir: ctx.runDir,
    seed: ctx.seed,
    iterations: ctx.steps,
    size: ctx.size,
    batch: ctx.batch,
    width: ctx.width,
    backend: 'wasm',
    numClasses: NUM_CLASSES,
    source: [...ctx.source],
    sourceKeys: ctx.source.map((f) => sourceKey(f.image)),
    target: images,
    validationBank: null,
  })
  // Stage ends, from the step's progress: training reports its loss with each iteration, the memory bank
  // reports none (both are the chain's 'adapt' phase), prediction is the 'predict' phase. `train` counts
  // from the worker's start (backend, source weights, decoding the source set) to the last iteration.
  const start = performance.now()
  let trainEnd = start
  let bankEnd: number | null = null
  const onProgress = (p: ChainProgress): void => {
    const now = performance.now()
    if (p.phase === 'adapt' && p.loss !== null) trainEnd = now
    else if (p.phase === 'adapt') bankEnd = now
  }
  const r = await step.run(
    ctx.sourceRun,
    { outDir: album.outDir, items: images, batch: ctx.batch * 2 },
    { signal: new AbortController().signal, onProgress, onProblem: ctx.onProblem },
  )
  if (r.status !== 'done') throw new Error(`segsort-knn ended as ${r.status}`)
  const end = performance.now()
  const bank = bankEnd ?? trainEnd
  return {
    images: images.length,
    stages: {
      train: (trainEnd - start) / 1000,
      bank: (bank - trainEnd) / 1000,
      predict: (end - bank) / 1000,
    },
  }
}
