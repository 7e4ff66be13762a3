/**
 * The supervised training loop of one run: build the model (or restore it from the run's latest
 * checkpoint), then for each iteration take the batch of (seed, iteration), one `supervisedStep` at the
 * poly learning rate, report progress, and checkpoint every N iterations. It blocks its thread for the
 * length of a step, so it runs in a worker (see ../worker); between steps it yields to the event loop so
 * a cancel message can arrive, and it stops before the next step once `shouldStop()` says so.
 */
import * as tf from '@tensorflow/tfjs'
import { selectBackend, type BackendReport } from '../backend'
import { SHAPE_CLASSES, type ShapesBatch } from '../data/synthetic-shapes'
import { createModel } from '../models/registry'
import { normalizeImages } from '../models/preprocess'
import { SgdMomentum } from '../train/optimizers'
import { polyLr } from '../train/schedule'
import { supervisedStep } from '../train/steps'
import {
  checkResumable,
  latestCheckpoint,
  recordRunStart,
  removeUnfinishedCheckpoints,
  restoreCheckpoint,
  saveCheckpoint,
  writeRunFile,
  type LossPoint,
} from './checkpoint'
import { shapesBatchAt } from './data-order'
import { openFileBatchLoader } from './batch-loader'
import type { FileProblem } from './file-dataset'
import type { TrainConfig } from './train-config'

export interface TrainStarted {
  backend: BackendReport
  /** The iteration the run continues after (0 for a fresh run). */
  fromIteration: number
  /** The checkpoint folder it resumed from, if any. */
  resumedFrom: string | null
}

export interface TrainProgress {
  iteration: number
  steps: number
  loss: number
  /** Main-head cross-entropy (the loss without the aux term). */
  ceMain: number
  lr: number
  msPerStep: number
  imagesPerSecond: number
  etaSeconds: number
  /** tf.memory().numTensors before the batch was made and after it was released: equal = no leak. */
  tensorsBefore: number
  tensorsAfter: number
}

export interface TrainCheckpoint {
  iteration: number
  path: string
}

export type TrainOutcome = { status: 'done' | 'cancelled'; iteration: number; losses: LossPoint[] }

export interface TrainHooks {
  shouldStop(): boolean
  /** A training file that could not be used (it is skipped; the run trains on the rest). */
  onProblem?(p: FileProblem): void
  onStarted(s: TrainStarted): void
  onProgress(p: TrainProgress): void
  onCheckpoint(c: TrainCheckpoint): void
}

/** Steps averaged for the rate and ETA (the first steps are slower while kernels warm up). */
const RATE_WINDOW = 8

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

interface DataSource {
  numClasses: number
  batchAt(iteration: number): Promise<ShapesBatch>
  close(): Promise<void>
}

async function openData(config: TrainConfig, hooks: TrainHooks): Promise<DataSource> {
  const d = config.data
  switch (d.kind) {
    case 'shapes':
      return {
        numClasses: SHAPE_CLASSES,
        batchAt: (it) => Promise.resolve(shapesBatchAt(config.seed, it, config.batch, config.size)),
        close: () => Promise.resolve(),
      }
    case 'files': {
      // Decoding and augmentation run in a data worker, ahead of the step that needs them.
      const loader = await openFileBatchLoader({
        items: d.items,
        numClasses: d.numClasses,
        seed: config.seed,
        batch: config.batch,
        size: config.size,
      })
      for (const p of loader.problems) hooks.onProblem?.(p)
      if (loader.count === 0) {
        await loader.close()
        throw new Error(`none of the ${d.items.length} labelled images could be used (see the problems)`)
      }
      return {
        numClasses: d.numClasses,
        batchAt: (it) => loader.batchAt(it),
        close: () => loader.close(),
      }
    }
    default:
      return exhaustive(d)
  }
}

function exhaustive(x: never): never {
  throw new Error(`unknown training data ${JSON.stringify(x)}`)
}

/**
 * Trains `config`. With `resume`, continues from the run folder's latest checkpoint (a run folder with
 * none yet starts from iteration 0, the same as a fresh run).
 */
export async function runTraining(
  config: TrainConfig,
  resume: boolean,
  hooks: TrainHooks,
): Promise<TrainOutcome> {
  // Check the run folder first: a wrong resume fails before the backend and model are built.
  if (resume) checkResumable(config)
  else writeRunFile(config)
  removeUnfinishedCheckpoints(config.runDir)
  const backend = await selectBackend({ force: config.backend, env: process.env })
  const data = await openData(config, hooks)
  let model: ReturnType<typeof createModel>
  try {
    model = createModel('segnet', {
      backbone: { kind: 'resnet-compact', width: config.width },
      numClasses: data.numClasses,
      seed: config.seed,
    })
  } catch (e) {
    await data.close()
    throw e
  }
  const optimizer = new SgdMomentum({ momentum: config.momentum, weightDecay: config.weightDecay })
  try {
    let iteration = 0
    let losses: LossPoint[] = []
    const ckpt = resume ? latestCheckpoint(config.runDir) : null
    if (ckpt) {
      await restoreCheckpoint(ckpt.dir, ckpt.state, model, optimizer)
      iteration = ckpt.state.iteration
      losses = ckpt.state.losses.filter((l) => l.iteration <= iteration)
    }
    recordRunStart(config.runDir, { at: new Date().toISOString(), fromIteration: iteration, backend })
    hooks.onStarted({ backend, fromIteration: iteration, resumedFrom: ckpt?.dir ?? null })

    const recentMs: number[] = []
    while (iteration < config.steps) {
      await yieldToEventLoop()
      if (hooks.shouldStop()) return { status: 'cancelled', iteration, losses }
      const it = iteration + 1
      const t0 = performance.now()
      const raw = await data.batchAt(it)
      const tensorsBefore = tf.memory().numTensors
      const batch = tf.tidy(() => ({
        images: normalizeImages(tf.tensor4d(raw.images, [raw.n, raw.size, raw.size, 3])),
        labels: tf.tensor3d(raw.labels, [raw.n, raw.size, raw.size], 'int32'),
      }))
      const lr = polyLr(config.lr, it - 1, config.steps)
      let r: ReturnType<typeof supervisedStep>
      try {
        r = supervisedStep(model, optimizer, batch, lr)
      } finally {
        tf.dispose([batch.images, batch.labels])
      }
      const tensorsAfter = tf.memory().numTensors
      if (!Number.isFinite(r.loss)) throw new Error(`training diverged: loss ${r.loss} at iteration ${it}`)
      iteration = it
      losses.push({ iteration: it, loss: r.loss })
      const ms = performance.now() - t0
      recentMs.push(ms)
      if (recentMs.length > RATE_WINDOW) recentMs.shift()
      const avgMs = recentMs.reduce((a, b) => a + b, 0) / recentMs.length
      hooks.onProgress({
        iteration: it,
        steps: config.steps,
        loss: r.loss,
        ceMain: r.ceMain,
        lr,
        msPerStep: ms,
        imagesPerSecond: (config.batch * 1000) / avgMs,
        etaSeconds: ((config.steps - it) * avgMs) / 1000,
        tensorsBefore,
        tensorsAfter,
      })
      const due = config.checkpointEvery > 0 && it % config.checkpointEvery === 0
      if (due || it === config.steps) {
        const dir = await saveCheckpoint({
          runDir: config.runDir,
          model,
          optimizer,
          state: {
            version: 1,
            iteration: it,
            optimizer: { kind: 'sgd', step: optimizer.iterations },
            rng: { seed: config.seed, nextIteration: it + 1 },
            losses,
          },
        })
        hooks.onCheckpoint({ iteration: it, path: dir })
      }
    }
    return { status: 'done', iteration, losses }
  } finally {
    optimizer.dispose()
    model.dispose()
    await data.close()
  }
}
