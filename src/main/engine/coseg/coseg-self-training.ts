/**
 * Tag-proposal self-training, the "initial mask generator → final model" path of tag co-segmentation:
 * the source model is fine-tuned on the labelled source set PLUS the album's tag co-segmentation
 * proposals as pseudo-labelled images (their 255 pixels are ignored by the cross-entropy, as in every
 * source batch), then the fine-tuned model predicts the album.
 *
 * One stage of the adaptation worker with the source-only kind ('noda': source cross-entropy only, the
 * adaptation methods' segmenter SGD) from the source model's latest checkpoint, target list empty: the
 * proposals ride in the source list, so they are drawn in the same seeded order as the labelled images
 * (each labelled image and each proposal equally often). Store-free: the app layer picks the files
 * (src/main/app/coseg-training.ts), and keeps validation images' proposals out. The album is not predicted
 * here: the run (pipelines/run-plan.ts) selects among the stage's snapshots and predicts with the choice.
 *
 * The stage lives in <album run>/adapt/coseg-st/ like the adaptive methods' stages, so its loss curve,
 * its snapshots and snapshot selection work the same way.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { BackendChoice } from '../backend/backend-choice'
import type { AdaptConfigInput } from '../methods/adapt-config'
import { NodaMethodSchema } from '../methods/registry'
import type { ChainHooks } from '../pipelines/project-run'
import { latestCheckpoint } from '../runs/checkpoint-files'
import type { LabelledFile } from '../runs/file-dataset'
import { withCancel, type SessionHost } from '../sessions/session-host'
import { makeDirSync } from '../../files/make-dir'

/** The stage's name (its folder under <run>/adapt/ and the stage snapshots are selected from). */
export const COSEG_ST_STAGE = 'coseg-st'

/** The segmenter's learning rate of the fine-tuning: the adaptation methods' default (PSS code, 2.5e-3). */
export const COSEG_ST_LR = NodaMethodSchema.parse({ kind: 'noda' }).seg.lr

export function cosegStStageDir(runDir: string): string {
  return path.join(runDir, 'adapt', COSEG_ST_STAGE)
}

export interface CosegSelfTrainingOptions {
  /** The album run's folder: the stage trains in <runDir>/adapt/coseg-st/. */
  runDir: string
  seed: number
  iterations: number
  size: number
  batch: number
  width: 16 | 32
  backend: BackendChoice
  numClasses: number
  /** The labelled source set. */
  source: LabelledFile[]
  /** The album's proposals (image + proposal PNG, 255 = no label): never a validation image's. */
  pseudo: LabelledFile[]
  /** Keep a snapshot every this many iterations (0: only the last). */
  snapshotEvery: number
}

/** The adaptation config of the stage, from the source model's checkpoint folder. */
export function cosegSelfTrainingConfig(
  o: CosegSelfTrainingOptions,
  sourceCheckpointDir: string,
): AdaptConfigInput {
  if (o.pseudo.length === 0)
    throw new Error('tag-proposal self-training needs at least one proposal to train on')
  return {
    runDir: cosegStStageDir(o.runDir),
    seed: o.seed,
    steps: o.iterations,
    batch: o.batch,
    size: o.size,
    width: o.width,
    numClasses: o.numClasses,
    backend: o.backend,
    checkpointEvery: o.snapshotEvery,
    method: { kind: 'noda', seg: { lr: COSEG_ST_LR } },
    source: [...o.source, ...o.pseudo],
    target: [],
    init: { kind: 'checkpoint', dir: sourceCheckpointDir },
  }
}

/** Fine-tunes the source run's latest checkpoint on the source set + the proposals (one 'adapt' session). */
export async function runCosegSelfTraining(
  o: CosegSelfTrainingOptions,
  sourceRunDir: string,
  hooks: ChainHooks,
  host: SessionHost,
): Promise<{ status: 'done' | 'cancelled' }> {
  const ckpt = latestCheckpoint(sourceRunDir)
  if (!ckpt) throw new Error(`${sourceRunDir}: the source model has no checkpoint to fine-tune from`)
  const config = cosegSelfTrainingConfig(o, ckpt.dir)
  const stageDir = cosegStStageDir(o.runDir)
  // A resumed run starts the stage over (as the adaptive methods' stages do).
  fs.rmSync(stageDir, { recursive: true, force: true })
  makeDirSync(path.dirname(stageDir))
  const handle = host.run(
    'adapt',
    { config },
    {
      onStarted: (s) => {
        hooks.onBackend?.(s.backend.name)
        hooks.onProgress({
          phase: 'adapt',
          done: s.fromIteration,
          total: o.iterations,
          loss: null,
          rate: null,
          etaSeconds: null,
          message: `fine-tuning on ${o.source.length} labelled source images + ${o.pseudo.length} tag proposals`,
        })
      },
      onProgress: (p) =>
        hooks.onProgress({
          phase: 'adapt',
          done: p.iteration,
          total: p.steps,
          loss: p.loss,
          rate: p.msPerStep > 0 ? 1000 / p.msPerStep : null,
          etaSeconds: p.etaSeconds,
          message: `${COSEG_ST_STAGE} iteration ${p.iteration}/${p.steps} · loss ${p.loss.toFixed(4)}`,
        }),
      onProblem: (p) => hooks.onProblem(p),
    },
  )
  const { status } = await withCancel(hooks.signal, () => handle.cancel(), handle.result)
  return { status: status === 'done' ? 'done' : 'cancelled' }
}
