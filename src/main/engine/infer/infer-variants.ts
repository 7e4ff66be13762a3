/**
 * Post-processing variants of a trained run on a PIS benchmark (issue 7, items 1–2 in the demo table):
 * for each variant (+TTA, +CRF, +TTA+CRF) predict every user's album again with that option in the
 * inference worker, into `<predictionsRoot>/<variant>/id{k}/`, and score each user's validation images
 * exactly as the No-DA chain scores its plain predictions (scoreAlbum, mean over users, percent), with
 * the measured cost of the variant (wall seconds and the worker's per-image cost).
 */
import * as path from 'node:path'
import { NUM_CLASSES } from '../../../shared/voc'
import type { BackendChoice } from '../backend/backend-choice'
import { meanOverUsers, type UserMetrics } from '../eval/user-metrics'
import type { MethodScores } from '../pipelines/noda'
import { listPisAlbums } from '../pipelines/pis-albums'
import { scoreAlbum } from '../pipelines/score-album'
import type { CrfParamsInput } from '../postprocess/crf/crf-params'
import type { FileProblem } from '../runs/file-dataset'
import { chunkBatches } from './infer-request'
import type { InferCost, InferOutcome } from './infer-loop'
import { startInferenceWorker } from '../sessions/starters'
import type { TtaOptionsInput } from './tta-options'

export interface InferVariant {
  /** Method name in tables and folder name, e.g. "noda_tta". */
  name: string
  tta: TtaOptionsInput | null
  crf: CrfParamsInput | null
}

export interface VariantResult {
  name: string
  predictionsDir: string
  mean: MethodScores
  /** Wall seconds of the variant's whole inference run (all albums). */
  seconds: number
  cost: InferCost
  options: InferOutcome['options']
}

export interface VariantOptions {
  runDir: string
  /** PIS root (holding id{k}/ or personal/id{k}/). */
  pisRoot: string
  /** Each variant writes into <predictionsRoot>/<name>/id{k}/. */
  predictionsRoot: string
  variants: readonly InferVariant[]
  backend?: BackendChoice
  inferBatch?: number
  onLog?: (line: string) => void
  onProblem?: (p: FileProblem) => void
}

const pct = (v: number): number => v * 100

export async function runInferVariants(o: VariantOptions): Promise<VariantResult[]> {
  const albums = listPisAlbums(o.pisRoot)
  const out: VariantResult[] = []
  for (const v of o.variants) {
    const predictionsDir = path.join(o.predictionsRoot, v.name)
    o.onLog?.(`predicting ${albums.length} albums with ${v.name}`)
    const t0 = performance.now()
    const h = startInferenceWorker(
      {
        runDir: o.runDir,
        backend: o.backend ?? 'wasm',
        tta: v.tta,
        crf: v.crf,
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
    const r = await h.result
    if (r.status !== 'done') throw new Error(`${v.name} inference ended as ${r.status}`)
    const seconds = (performance.now() - t0) / 1000
    const users: UserMetrics[] = []
    for (const a of albums) {
      const s = scoreAlbum(a, { [v.name]: path.join(predictionsDir, a.id) }, {}, NUM_CLASSES)
      for (const p of s.problems) o.onProblem?.(p)
      const m = s.methods[v.name]!
      if (m.images > 0) users.push(m)
    }
    if (users.length === 0) throw new Error(`${o.pisRoot}: no user has a scorable validation image`)
    const mean = meanOverUsers(users)
    out.push({
      name: v.name,
      predictionsDir,
      mean: {
        fiou: pct(mean.fiou),
        miou_paper: Number.isNaN(mean.miouPaper) ? null : pct(mean.miouPaper),
        miou_all21: pct(mean.miouAll21),
        miou_present: Number.isNaN(mean.miouPresent) ? null : pct(mean.miouPresent),
      },
      seconds,
      cost: r.cost,
      options: r.options,
    })
  }
  return out
}
