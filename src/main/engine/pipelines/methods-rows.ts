/**
 * The rows of the methods benchmark, as data: each bench name says which adaptation it trains (a method
 * config of the registry, the group-context variant) and where it starts. Adding a row is one line here:
 * e.g. a registry kind 'minent' is `minent: { method: { kind: 'minent' } }`.
 *
 * A row trained by something other than the adaptation loop gives `train` instead of `method` (see
 * RowTrainContext): `'segsort-knn': { train: trainSegsortRow }` (methods-segsort.ts).
 *
 * Post-processing rows are not listed: any row name followed by `+<extra>` (see INFER_EXTRAS, e.g.
 * `pss-s2+tta`) predicts again with that row's trained models and an inference option on top.
 */
import type { CrfParamsInput } from '../postprocess/crf/crf-params'
import type { TtaOptionsInput } from '../infer/tta-options'
import type { ContextVariant } from '../models/config'
import type { MethodConfigInput } from '../methods/registry'
import type { TargetItem } from '../methods/adapt-config'
import type { FileProblem, LabelledFile } from '../runs/file-dataset'
import { trainSegsortRow } from './methods-segsort'

/** What a row with its own trainer gets: train into `runDir`, then write the predictions asked for. */
export interface RowTrainContext {
  runDir: string
  seed: number
  /** The bench's adaptation budget (iterations) and shapes. */
  steps: number
  size: number
  batch: number
  width: 16 | 32
  /**
   * The labelled source set; the source (No-DA) run folder and its latest checkpoint folder, which every
   * method starts from.
   */
  source: readonly LabelledFile[]
  sourceRun: string
  sourceCheckpoint: string
  /** The scope's unlabelled target images (a user's album, the pooled albums, …). */
  target: readonly TargetItem[]
  /** After training, write `<outDir>/<name>.png` (VOC label PNG) for every image of each album. */
  predict: readonly { outDir: string; images: readonly TargetItem[] }[]
  onProblem: (p: FileProblem) => void
}

/** What a row's own trainer reports: its predicted images and the seconds of each of its stages. */
export interface RowTrainReport {
  /** Album images predicted (over every album of `predict`). */
  images: number
  /** Seconds per stage, in run order (e.g. SegSort: train, bank, predict); they sum to the run's time. */
  stages: Record<string, number>
}

export interface BenchRow {
  /** The adaptation run of the row (a registry method config)… */
  method?: MethodConfigInput
  /** …or its own trainer (e.g. SegSort); such a row takes no `+extra` (inference loads adaptation runs). */
  train?: (ctx: RowTrainContext) => Promise<RowTrainReport>
  /** The group-context variant; default: 'ours' for the PSS kinds, none otherwise (as adapt-config). */
  context?: ContextVariant
  /**
   * One model for all users, trained without the album (No-DA): its run is shared by every user and
   * every data setting.
   */
  shared?: boolean
  /** Continues another row's run trained on the same target images (trained first when needed). */
  from?: string
  /** A helper stage (e.g. MRNet's first stage): trained when another row needs it, never a table row. */
  hidden?: boolean
}

export const BENCH_ROWS = {
  noda: { method: { kind: 'noda' }, shared: true },
  // The BatchNorm-only control (docs/method.md §10): album batches re-estimate BN statistics, zero target loss.
  'bn-only': { method: { kind: 'bn-only' } },
  minent: { method: { kind: 'minent' } },
  advent: { method: { kind: 'advent' } },
  adaptseg: { method: { kind: 'adaptseg' } },
  maxsquare: { method: { kind: 'maxsquare' } },
  fda: { method: { kind: 'fda' } },
  'mrnet-s1': { method: { kind: 'mrnet', stage: 1 }, hidden: true },
  mrnet: { method: { kind: 'mrnet', stage: 2 }, from: 'mrnet-s1' },
  'pss-s1': { method: { kind: 'pss-s1' } },
  'pss-s2': { method: { kind: 'pss-s2' }, from: 'pss-s1' },
  // SegSort (issue 7 item 5): the studio's SegSort run per album, memory bank = the source segments only.
  'segsort-knn': { train: trainSegsortRow },
  // The context ablation of stage 1 (Table 3): the same objective without / with a global context.
  'pss-s1-none': { method: { kind: 'pss-s1' }, context: 'none' },
  'pss-s1-global': { method: { kind: 'pss-s1' }, context: 'global' },
} as const satisfies Record<string, BenchRow>
export type BenchRowName = keyof typeof BENCH_ROWS

/** Inference options applied on top of a trained row (`<row>+<extra>`), issue 7 items 1–2. */
export interface InferExtra {
  title: string
  tta: TtaOptionsInput | null
  crf: CrfParamsInput | null
}

export const INFER_EXTRAS = {
  /** Multi-scale 0.5…1.5 and flip averaging (tta-options.ts defaults). */
  tta: { title: '+TTA', tta: {}, crf: null },
  /** Dense CRF with the DeepLab defaults (crf-params.ts). */
  crf: { title: '+CRF', tta: null, crf: {} },
  'tta-crf': { title: '+TTA+CRF', tta: {}, crf: {} },
} as const satisfies Record<string, InferExtra>
export type InferExtraName = keyof typeof INFER_EXTRAS

export function isBenchRowName(x: string): x is BenchRowName {
  return Object.hasOwn(BENCH_ROWS, x)
}

export function isInferExtraName(x: string): x is InferExtraName {
  return Object.hasOwn(INFER_EXTRAS, x)
}

export function benchRow(name: BenchRowName): BenchRow {
  return BENCH_ROWS[name]
}

/** The table rows (helper stages left out), in table order. */
export const BENCH_METHODS = (Object.keys(BENCH_ROWS) as BenchRowName[]).filter(
  (n) => !(BENCH_ROWS[n] as BenchRow).hidden,
)

/** A bench method: a row, or a row with an inference extra on top (`pss-s2+tta`). */
export type BenchMethod = string

export interface ParsedBenchMethod {
  row: BenchRowName
  extra: InferExtraName | null
}

/** `pss-s2+tta` → {row: 'pss-s2', extra: 'tta'}; null when it names no row (or a helper stage). */
export function parseBenchMethod(name: string): ParsedBenchMethod | null {
  const plus = name.indexOf('+')
  const row = plus < 0 ? name : name.slice(0, plus)
  const extra = plus < 0 ? null : name.slice(plus + 1)
  if (!isBenchRowName(row) || (BENCH_ROWS[row] as BenchRow).hidden) return null
  if (extra === null) return { row, extra: null }
  // The inference worker loads training and adaptation runs only: no extra on a row's own trainer.
  if ((BENCH_ROWS[row] as BenchRow).train) return null
  return isInferExtraName(extra) ? { row, extra } : null
}

export function isBenchMethod(x: string): boolean {
  return parseBenchMethod(x) !== null
}

/** The group-context variant a row's model has. */
export function rowVariant(name: BenchRowName): ContextVariant {
  const r: BenchRow = BENCH_ROWS[name]
  if (r.context) return r.context
  const k = r.method?.kind
  return k === 'pss-s1' || k === 'pss-s2' ? 'ours' : 'none'
}

/** The row and every stage it continues from, first stage first. */
export function rowChain(name: BenchRowName): BenchRowName[] {
  const chain: BenchRowName[] = []
  let cur: BenchRowName | undefined = name
  while (cur !== undefined) {
    if (chain.includes(cur)) throw new Error(`bench row ${name}: its stages form a loop`)
    chain.unshift(cur)
    const from: string | undefined = (BENCH_ROWS[cur] as BenchRow).from
    if (from !== undefined && !isBenchRowName(from))
      throw new Error(`bench row ${cur} continues from unknown row ${from}`)
    cur = from
  }
  return chain
}

/** The rows of the context ablation (paper Table 3): stage 1 with each group-context variant. */
export const CONTEXT_ROWS = {
  none: 'pss-s1-none',
  global: 'pss-s1-global',
  ours: 'pss-s1',
} as const satisfies Record<ContextVariant, BenchRowName>
