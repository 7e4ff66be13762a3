/**
 * The SegSort run type's step in a studio run (run-plan.ts; project-run.ts's `AdaptStep`): from the source
 * model's checkpoint (backbone + PSP weights), train the embedding network on the source set, build the
 * memory bank and predict the album by clustering + k-NN voting, all in one 'segsort' session of the given
 * host; the run then scores the predictions like any other. SegSort has no snapshots to select (it predicts
 * by k-NN, not with a checkpoint). Store-free: the app layer gives file paths and image keys.
 *
 * Memory bank: the source set's segments by default. The album's validation masks may be added as bank
 * entries (`validationBank`), but those masks are also what the run is scored on, so its metrics are then
 * NOT held out; the run record says which bank a run used.
 */
import * as path from 'node:path'
import type { BackendChoice } from '../backend/backend-choice'
import type { AdaptStep, ChainHooks, PredictStep } from '../pipelines/project-run'
import { withCancel, workerHost, type SessionHost } from '../sessions/session-host'
import { latestCheckpoint } from '../runs/checkpoint-files'
import type { LabelledFile } from '../runs/file-dataset'
import { SEGSORT_DIR } from './bank-files'
import type { BankFile, SegsortConfigInput, SegsortParams } from './segsort-config'

export interface ProjectSegsortOptions {
  /** The album run's folder: SegSort writes into <runDir>/segsort/. */
  runDir: string
  seed: number
  iterations: number
  size: number
  batch: number
  width: 16 | 32
  backend: BackendChoice
  numClasses: number
  source: LabelledFile[]
  /** The studio key (image id) of each source file, in the same order. */
  sourceKeys: string[]
  /** The album's images (name = prediction stem). */
  target: { image: string; name: string }[]
  /** Album validation images as extra bank entries (metrics then not held out), or null. */
  validationBank: BankFile[] | null
  params?: Partial<SegsortParams>
}

export function segsortDirOf(albumRunDir: string): string {
  return path.join(albumRunDir, SEGSORT_DIR)
}

/** How a run's memory bank is described in its record. */
export function bankDescription(withValidation: boolean): string {
  return withValidation
    ? 'source segments + album validation segments (the metrics are NOT held out: the bank holds the scored masks)'
    : 'source segments only (the metrics are held out)'
}

export function projectSegsortStep(o: ProjectSegsortOptions, host: SessionHost = workerHost): AdaptStep {
  if (o.sourceKeys.length !== o.source.length) {
    throw new Error(`SegSort: ${o.sourceKeys.length} source keys for ${o.source.length} source files`)
  }
  return {
    async run(sourceRunDir: string, predict: PredictStep, hooks: ChainHooks) {
      const ckpt = latestCheckpoint(sourceRunDir)
      if (!ckpt) throw new Error(`${sourceRunDir}: the source model has no checkpoint to start SegSort from`)
      const runDir = segsortDirOf(o.runDir)
      const config: SegsortConfigInput = {
        runDir,
        seed: o.seed,
        steps: o.iterations,
        batch: o.batch,
        size: o.size,
        width: o.width,
        numClasses: o.numClasses,
        backend: o.backend,
        ...(o.params ? { params: o.params } : {}),
        source: o.source,
        init: ckpt.dir,
        bank: [
          { origin: 'source', files: o.source.map((f, i) => ({ ...f, key: o.sourceKeys[i]! })) },
          ...(o.validationBank ? [{ origin: 'album-validation' as const, files: o.validationBank }] : []),
        ],
        predict: { outDir: predict.outDir, images: o.target, batch: predict.batch },
      }
      const handle = host.run('segsort', config, {
        onStarted: (s) => hooks.onBackend?.(s.backend.name),
        onProgress: (p) => {
          const rate = p.msPerItem > 0 ? 1000 / p.msPerItem : null
          hooks.onProgress({
            phase: p.stage === 'predict' ? 'predict' : 'adapt',
            done: p.done,
            total: p.total,
            loss: p.loss,
            rate,
            etaSeconds: rate ? (p.total - p.done) / rate : null,
            message:
              p.stage === 'train'
                ? `SegSort embedding iteration ${p.done}/${p.total} · loss ${(p.loss ?? NaN).toFixed(4)}`
                : p.stage === 'bank'
                  ? `memory bank: image ${p.done}/${p.total}`
                  : `clustering + k-NN: image ${p.done}/${p.total}`,
          })
        },
        onProblem: (p) => hooks.onProblem(p),
      })
      const r = await withCancel(hooks.signal, () => handle.cancel(), handle.result)
      return { runDir, status: r.status }
    },
  }
}
