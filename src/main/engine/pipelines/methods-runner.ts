/**
 * One training seed of the methods benchmark: the source model (No-DA, trained once and reused when its
 * folder already holds a checkpoint), the group-context networks' source warm-up, then any bench row
 * trained on any target scope (a user's album, the pooled albums, a sample of them, an album regrouped
 * into K clusters), each run trained once per invocation and asked to predict the albums its scope is
 * evaluated on; the inference extras (+TTA, +CRF) on top of a trained run, with their cost; and the rows
 * with their own trainer (SegSort-kNN, methods-segsort.ts), with the cost of their whole run.
 *
 * Folders, under <out>/seed-<s>/: source/, source-context-<variant>/, <row>/ (shared rows),
 * predictions/source-context-<variant>/<user>/ (the context source model's reference predictions), and per
 * scope <scope>/<row>/ (the adaptation run) with <scope>/predictions/<row>[+<extra>]/<user>/ (label PNGs).
 * Training and inference run in the engine worker; this thread loads no tfjs.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { NUM_CLASSES } from '../../../shared/voc'
import type { ContextFusion, ContextVariant } from '../models/config'
import { latestCheckpoint } from '../runs/checkpoint-files'
import { latestAdaptCheckpoint } from '../methods/adapt-run-file'
import type { AdaptConfigInput, AdaptInit, TargetItem } from '../methods/adapt-config'
import type { FileProblem, LabelledFile } from '../runs/file-dataset'
import { groupBatches } from '../runs/group-order'
import { chunkBatches } from '../infer/infer-request'
import type { InferCost } from '../infer/infer-loop'
import { startAdaptationWorker, startInferenceWorker, startTrainingWorker } from '../sessions/starters'
import {
  BENCH_ROWS,
  INFER_EXTRAS,
  rowChain,
  rowVariant,
  type BenchRow,
  type BenchRowName,
  type InferExtraName,
  type RowTrainReport,
} from './methods-rows'

export interface RunnerOptions {
  seedDir: string
  seed: number
  source: readonly LabelledFile[]
  sourceIterations: number
  adaptIterations: number
  size: number
  batch: number
  width: 16 | 32
  sourceLr: number
  ndf: number
  contextWarmup: number
  /**
   * How a group-context network gets its source model: 'warmup' = the No-DA checkpoint plus
   * `contextWarmup` source iterations (extra source budget for the context rows only); 'scratch' = trained
   * from fresh weights on the source set for `sourceIterations`, the No-DA model's own budget (docs/method.md §10
   * "Equal budgets").
   */
  contextSource?: 'warmup' | 'scratch'
  /**
   * The group context module's fusion in every group-context network the runner trains (models/config.ts;
   * default 'replace', the released code's; the CLI: 'residual', the module starting as the identity).
   */
  contextFusion?: ContextFusion
  /**
   * The source set with each image's cluster: the source batches of every group-context network
   * (docs/method.md §3, grouped source batches); absent: plain source batches for every network.
   */
  groupedSource?: readonly (LabelledFile & { group: number })[]
  /**
   * The segmenter's lr and poly horizon for every adaptation run (table rows, No-DA's extra source steps,
   * the oracle); absent: each method's registry defaults (lr 2.5e-3 decaying to 0 at the last step).
   */
  adaptSeg?: { lr: number; polyMax: number }
  /** Every user's album (personal groups): what a shared row (No-DA) predicts. */
  allUsers: { user: string; images: TargetItem[] }[]
  /** Held-out source images a shared row (No-DA) also predicts, as the album SOURCE_VAL_USER (source-val row). */
  sourceVal?: TargetItem[]
  onLog: (line: string) => void
  onProblem: (p: FileProblem) => void
}

/** Where a run trains and which albums it is evaluated on. */
export interface TargetScope {
  /** Folder of the scope's runs and predictions. */
  dir: string
  /** Label of its timings, e.g. "id1", "mixall", "id1/k10". */
  label: string
  /** The run's unlabelled target images. */
  target: TargetItem[]
  /** Albums to predict with the trained model, by user (with the groups to batch them by). */
  evaluate: { user: string; images: TargetItem[] }[]
}

/** Summed inference cost of an extra (over users and seeds). */
export interface ExtraCostSum {
  images: number
  totalMs: number
  predictMs: number
  plainMs: number
  crfMs: number
  passes: number
  crf: boolean
}

export function addCost(sum: ExtraCostSum | undefined, c: InferCost, crf: boolean): ExtraCostSum {
  const s = sum ?? { images: 0, totalMs: 0, predictMs: 0, plainMs: 0, crfMs: 0, passes: c.passes, crf }
  const n = c.images
  // Without a timed plain pass (scales leaving 1 out) one pass's share stands in for it.
  const plain = c.plainMsPerImage ?? c.predictMsPerImage / Math.max(1, c.passes)
  return {
    images: s.images + n,
    totalMs: s.totalMs + c.msPerImage * n,
    predictMs: s.predictMs + c.predictMsPerImage * n,
    plainMs: s.plainMs + plain * n,
    crfMs: s.crfMs + (c.crfMsPerImage ?? 0) * n,
    passes: c.passes,
    crf,
  }
}

/** Summed cost of a row with its own trainer (over users and seeds): whole runs, stage by stage. */
export interface RunCostSum {
  runs: number
  images: number
  seconds: number
  stages: Record<string, number>
}

export function addRunCost(sum: RunCostSum | undefined, r: RowTrainReport, seconds: number): RunCostSum {
  const s = sum ?? { runs: 0, images: 0, seconds: 0, stages: {} }
  const stages = { ...s.stages }
  for (const [k, v] of Object.entries(r.stages)) stages[k] = (stages[k] ?? 0) + v
  return { runs: s.runs + 1, images: s.images + r.images, seconds: s.seconds + seconds, stages }
}

/** The "user" under which the shared rows' predictions of the held-out source images are written. */
export const SOURCE_VAL_USER = 'source-val'

/**
 * Images per prediction batch. A group-context network's output depends on its batch (the module attends
 * over the batch's regions), so it predicts in batches of its training batch size (docs/method.md §10:
 * test-time context batch = training batch); a network without one predicts each image on its own, and
 * twice the training batch only saves passes.
 */
export function predictBatch(trainBatch: number, variant: ContextVariant): number {
  return variant === 'none' ? trainBatch * 2 : trainBatch
}

/** A method config with the bench's adaptation lr / poly horizon (when set) in place of the defaults. */
export function withAdaptSeg(
  method: AdaptConfigInput['method'],
  seg: RunnerOptions['adaptSeg'],
): AdaptConfigInput['method'] {
  if (!seg) return method
  const m = method as { seg?: Record<string, unknown> }
  return {
    ...method,
    seg: { ...(m.seg ?? {}), lr: seg.lr, polyMax: seg.polyMax },
  } as AdaptConfigInput['method']
}

export class SeedRunner {
  /** Seconds per timing label (e.g. "pss-s1", "mixall:pss-s1", "pss-s1+tta"). */
  readonly seconds: Record<string, number> = {}
  readonly costs: Record<string, ExtraCostSum> = {}
  /** Cost of the rows with their own trainer, by row name. */
  readonly runCosts: Record<string, RunCostSum> = {}
  sourceSeconds = 0
  private init: AdaptInit | null = null
  private readonly contextInit = new Map<ContextVariant, AdaptInit>()
  /** Runs started in this process, by folder (or folder+extra): concurrent callers share one promise. */
  private readonly trained = new Map<string, Promise<void>>()
  private prepared: Promise<void> | null = null

  constructor(private readonly o: RunnerOptions) {}

  /** A run's group context config: the variant with the runner's fusion. */
  private contextConfig(variant: ContextVariant): { variant: ContextVariant; fusion: ContextFusion } {
    return { variant, fusion: this.o.contextFusion ?? 'replace' }
  }

  private time(label: string, s: number): void {
    this.seconds[label] = (this.seconds[label] ?? 0) + s
  }

  /** The seed's source (No-DA) run folder. */
  get sourceRun(): string {
    return path.join(this.o.seedDir, 'source')
  }

  /** The source (No-DA) model, once per process: trained unless its folder already holds a checkpoint. */
  ensureSource(): Promise<void> {
    return this.once('source', () => this.trainSource())
  }

  /**
   * The source model of a group-context variant, once (see RunnerOptions.contextSource): from scratch it
   * does not need the No-DA model, so both can train at once on two workers.
   */
  ensureContext(variant: ContextVariant): Promise<void> {
    if (variant === 'none') return Promise.resolve()
    if (this.o.contextSource === 'scratch')
      return this.once(`context:${variant}`, () => this.contextFromScratch(variant))
    if (this.o.contextWarmup === 0) return this.ensureSource()
    return this.once(`context:${variant}`, async () => {
      await this.ensureSource()
      await this.contextWarmupRun(variant)
    })
  }

  /** The predictions of a group-context network's own source model for `user` (reference rows). */
  contextSourcePredDir(variant: ContextVariant, user: string): string {
    return path.join(this.o.seedDir, 'predictions', `source-context-${variant}`, user)
  }

  /**
   * The reference rows of a group-context network's own source model (issue 13: is it already
   * background-only before any adaptation?): it predicts every album (grouped, batches of the training
   * batch) and the held-out source images (ungrouped, as its source batches were). False when the variant
   * has no source model of its own (warm-up mode with 0 warm-up iterations adapts from No-DA's).
   */
  async ensureContextReference(variant: ContextVariant): Promise<boolean> {
    if (variant === 'none') return false
    await this.ensureContext(variant)
    if (!this.contextInit.has(variant)) return false
    const runDir = path.join(this.o.seedDir, `source-context-${variant}`)
    await this.once(`${runDir}:predictions`, () => this.predictContextSource(variant, runDir))
    return true
  }

  private async predictContextSource(variant: ContextVariant, runDir: string): Promise<void> {
    const o = this.o
    const start = performance.now()
    const batch = predictBatch(o.batch, variant)
    const plain = (images: readonly TargetItem[]): { image: string; name: string }[] =>
      images.map((i) => ({ image: i.image, name: i.name }))
    const albums = o.allUsers.map((u) => ({
      outDir: this.contextSourcePredDir(variant, u.user),
      batches: u.images.every((i) => i.group !== undefined)
        ? groupBatches(u.images, (i) => i.group ?? null, batch).map(plain)
        : chunkBatches(plain(u.images), batch),
    }))
    if (o.sourceVal?.length)
      albums.push({
        outDir: this.contextSourcePredDir(variant, SOURCE_VAL_USER),
        batches: chunkBatches(plain(o.sourceVal), batch),
      })
    const r = await startInferenceWorker({ runDir, backend: 'wasm', albums }, { onProblem: o.onProblem })
      .result
    if (r.status !== 'done') throw new Error(`source-context-${variant} inference ended as ${r.status}`)
    const s = (performance.now() - start) / 1000
    this.time(`source-context-${variant}:predict`, s)
    o.onLog(`  source-context-${variant}: predicted the albums and source-val in ${s.toFixed(1)} s`)
  }

  /** The source model, then the source model of each group-context variant that will be trained. */
  async prepare(variants: Iterable<ContextVariant>): Promise<void> {
    await this.ensureSource()
    for (const variant of new Set(variants)) await this.ensureContext(variant)
  }

  private async trainSource(): Promise<void> {
    const o = this.o
    const t = performance.now()
    const sourceRun = this.sourceRun
    if (!latestCheckpoint(sourceRun)) {
      fs.rmSync(sourceRun, { recursive: true, force: true })
      o.onLog(`seed ${o.seed}: source model, ${o.sourceIterations} iterations on ${o.source.length} images`)
      const r = await startTrainingWorker(
        {
          runDir: sourceRun,
          seed: o.seed,
          steps: o.sourceIterations,
          batch: o.batch,
          size: o.size,
          width: o.width,
          lr: o.sourceLr,
          checkpointEvery: 0,
          backend: 'wasm',
          data: { kind: 'files', items: [...o.source], numClasses: NUM_CLASSES },
        },
        { onProblem: o.onProblem },
      ).result
      if (r.status !== 'done') throw new Error(`source training ended as ${r.status}`)
    }
    const ckpt = latestCheckpoint(sourceRun)
    if (!ckpt) throw new Error(`${sourceRun}: no checkpoint after training`)
    this.init = { kind: 'checkpoint', dir: ckpt.dir }
    this.sourceSeconds += (performance.now() - t) / 1000
  }

  /**
   * Warm-up mode: a group-context network has a module the No-DA model lacks (randomly initialised when
   * loaded from it): train it on the source set first, from the No-DA checkpoint, shared by users.
   */
  private async contextWarmupRun(variant: ContextVariant): Promise<void> {
    const o = this.o
    if (!this.init) throw new Error('the source model must be trained first')
    const runDir = path.join(o.seedDir, `source-context-${variant}`)
    await this.adapt(
      `source-context-${variant}`,
      runDir,
      {
        method: { kind: 'noda', seg: { lr: o.sourceLr } },
        context: this.contextConfig(variant),
        target: [],
        init: this.init,
      },
      [],
      o.contextWarmup,
    )
    const c = latestAdaptCheckpoint(runDir)
    if (!c) throw new Error(`${runDir}: no checkpoint after training`)
    this.contextInit.set(variant, { kind: 'checkpoint', dir: c.dir })
  }

  /**
   * The group-context network's own source model, trained from fresh weights for the No-DA model's
   * iterations at its lr (equal source budget); reused when a finished one is on disk (`done` marker).
   */
  private async contextFromScratch(variant: ContextVariant): Promise<void> {
    const o = this.o
    const runDir = path.join(o.seedDir, `source-context-${variant}`)
    const done = path.join(runDir, 'done')
    if (!fs.existsSync(done) || !latestAdaptCheckpoint(runDir)) {
      const t = performance.now()
      await this.adapt(
        `source-context-${variant}`,
        runDir,
        {
          method: { kind: 'noda', seg: { lr: o.sourceLr } },
          context: this.contextConfig(variant),
          target: [],
          init: null,
        },
        [],
        o.sourceIterations,
      )
      fs.writeFileSync(done, `${o.sourceIterations} source iterations from fresh weights\n`)
      this.sourceSeconds += (performance.now() - t) / 1000
    }
    const c = latestAdaptCheckpoint(runDir)
    if (!c) throw new Error(`${runDir}: no checkpoint after training`)
    this.contextInit.set(variant, { kind: 'checkpoint', dir: c.dir })
  }

  private async adapt(
    label: string,
    runDir: string,
    cfg: Pick<AdaptConfigInput, 'method' | 'context' | 'target' | 'init'>,
    predict: { outDir: string; images: TargetItem[] }[],
    steps = this.o.adaptIterations,
    source: readonly LabelledFile[] = this.o.source,
  ): Promise<void> {
    const o = this.o
    const start = performance.now()
    fs.rmSync(runDir, { recursive: true, force: true })
    let last = ''
    const kind = cfg.method.kind
    const variant = cfg.context?.variant ?? (kind === 'pss-s1' || kind === 'pss-s2' ? 'ours' : 'none')
    const r = await startAdaptationWorker(
      {
        batch: o.batch,
        size: o.size,
        width: o.width,
        ndf: o.ndf,
        backend: 'wasm',
        numClasses: NUM_CLASSES,
        ...cfg,
        runDir,
        seed: o.seed,
        steps,
        // A group-context network reads the source set in its groups, when the bench clustered it.
        source: [
          ...(variant !== 'none' && source === o.source && o.groupedSource ? o.groupedSource : source),
        ],
      },
      {
        predict: { batch: predictBatch(o.batch, variant), albums: predict },
        onProgress: (p) => {
          if (p.iteration === p.steps) {
            last = Object.entries(p.terms)
              .map(([k, v]) => `${k} ${v.toFixed(4)}`)
              .join(', ')
          }
        },
        onProblem: o.onProblem,
      },
    ).result
    if (r.status !== 'done') throw new Error(`${label} ended as ${r.status}`)
    const s = (performance.now() - start) / 1000
    this.time(label, s)
    o.onLog(`  ${label}: ${s.toFixed(1)} s; last step ${last}`)
  }

  /** A row with its own trainer (see RowTrainContext). */
  private async train(
    row: BenchRowName,
    label: string,
    runDir: string,
    train: NonNullable<BenchRow['train']>,
    target: TargetItem[],
    predict: { outDir: string; images: TargetItem[] }[],
  ): Promise<void> {
    if (this.init?.kind !== 'checkpoint') throw new Error('SeedRunner.prepare must run first')
    const start = performance.now()
    fs.rmSync(runDir, { recursive: true, force: true })
    const report = await train({
      runDir,
      seed: this.o.seed,
      steps: this.o.adaptIterations,
      size: this.o.size,
      batch: this.o.batch,
      width: this.o.width,
      source: this.o.source,
      sourceRun: this.sourceRun,
      sourceCheckpoint: this.init.dir,
      target,
      predict,
      onProblem: this.o.onProblem,
    })
    const s = (performance.now() - start) / 1000
    this.time(label, s)
    this.runCosts[row] = addRunCost(this.runCosts[row], report, s)
    const stages = Object.entries(report.stages)
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
      .join(', ')
    this.o.onLog(`  ${label}: ${s.toFixed(1)} s (${stages})`)
  }

  /** The run folder of a row in a scope (a shared row has one run per seed). */
  runDir(row: BenchRowName, scope: TargetScope): string {
    const shared = (BENCH_ROWS[row] as BenchRow).shared === true
    return path.join(shared ? this.o.seedDir : scope.dir, row)
  }

  /** The predictions of `<row>[+<extra>]` for `user` in a scope. */
  predDir(row: BenchRowName, extra: InferExtraName | null, scope: TargetScope, user: string): string {
    const shared = (BENCH_ROWS[row] as BenchRow).shared === true
    const name = extra ? `${row}+${extra}` : row
    return path.join(shared ? this.o.seedDir : scope.dir, 'predictions', name, user)
  }

  private evaluated(row: BenchRowName, scope: TargetScope): TargetScope['evaluate'] {
    if ((BENCH_ROWS[row] as BenchRow).shared !== true) return scope.evaluate
    const sv = this.o.sourceVal
    return sv?.length ? [...this.o.allUsers, { user: SOURCE_VAL_USER, images: sv }] : this.o.allUsers
  }

  /** The target oracle's predictions of `user`'s album in a scope. */
  oraclePredDir(scope: TargetScope, user: string): string {
    return path.join(scope.dir, 'predictions', 'oracle', user)
  }

  /**
   * The target oracle of a scope (docs/method.md §10): the same network, from the same source checkpoint, trained
   * with source-style CE on the album's own labelled non-validation images (`labelled`) for the adaptation
   * budget at the adaptation lr; predicts the scope's albums.
   */
  async ensureOracle(scope: TargetScope, labelled: readonly LabelledFile[]): Promise<void> {
    await this.ensureSource()
    const init = this.init
    if (!init) throw new Error('SeedRunner.prepare must run first')
    if (labelled.length === 0) throw new Error(`${scope.label}: the oracle has no labelled training image`)
    const runDir = path.join(scope.dir, 'oracle')
    await this.once(runDir, () =>
      this.adapt(
        `${scope.label}:oracle`,
        runDir,
        { method: withAdaptSeg({ kind: 'noda' }, this.o.adaptSeg), target: [], init },
        scope.evaluate.map((e) => ({ outDir: this.oraclePredDir(scope, e.user), images: e.images })),
        this.o.adaptIterations,
        labelled,
      ),
    )
  }

  /** Runs `fn` once per key in this process; concurrent callers await the same run. */
  private once(key: string, fn: () => Promise<void>): Promise<void> {
    let p = this.trained.get(key)
    if (!p) {
      p = fn()
      this.trained.set(key, p)
    }
    return p
  }

  /** Trains a row (and the stages it continues from) on a scope's target, once; returns its run folder. */
  async ensureRow(row: BenchRowName, scope: TargetScope): Promise<string> {
    for (const stage of rowChain(row)) {
      const r: BenchRow = BENCH_ROWS[stage]
      const runDir = this.runDir(stage, scope)
      await this.once(runDir, () => this.trainStage(stage, r, runDir, scope))
    }
    return this.runDir(row, scope)
  }

  private async trainStage(
    stage: BenchRowName,
    r: BenchRow,
    runDir: string,
    scope: TargetScope,
  ): Promise<void> {
    await this.ensureSource()
    if (r.from === undefined) await this.ensureContext(rowVariant(stage))
    const source = this.init
    if (!source) throw new Error('the source model must be trained first')
    const shared = r.shared === true
    const init: AdaptInit =
      r.from !== undefined
        ? { kind: 'adapt-run', runDir: this.runDir(r.from as BenchRowName, scope) }
        : (this.contextInit.get(rowVariant(stage)) ?? source)
    // A shared row (one model for every scope) predicts every user's album at once.
    const predict = r.hidden
      ? []
      : this.evaluated(stage, scope).map((e) => ({
          outDir: this.predDir(stage, null, scope, e.user),
          images: e.images,
        }))
    const label = shared ? stage : `${scope.label}:${stage}`
    if (r.train) await this.train(stage, label, runDir, r.train, scope.target, predict)
    else if (r.method)
      await this.adapt(
        label,
        runDir,
        {
          method: withAdaptSeg(r.method, this.o.adaptSeg),
          ...(r.context || rowVariant(stage) !== 'none'
            ? { context: this.contextConfig(rowVariant(stage)) }
            : {}),
          target: shared ? [] : scope.target,
          init,
        },
        predict,
      )
    else throw new Error(`bench row ${stage} has neither a method nor a trainer`)
  }

  /** Predicts a scope's albums again with a trained row and an inference extra (TTA / CRF). */
  async ensureExtra(row: BenchRowName, extra: InferExtraName, scope: TargetScope): Promise<void> {
    const runDir = await this.ensureRow(row, scope)
    await this.once(`${runDir}+${extra}`, () => this.predictExtra(row, extra, scope, runDir))
  }

  private async predictExtra(
    row: BenchRowName,
    extra: InferExtraName,
    scope: TargetScope,
    runDir: string,
  ): Promise<void> {
    const x = INFER_EXTRAS[extra]
    const grouped = rowVariant(row) !== 'none'
    const start = performance.now()
    const r = await startInferenceWorker(
      {
        runDir,
        backend: 'wasm',
        tta: x.tta,
        crf: x.crf,
        albums: this.evaluated(row, scope).map((e) => {
          const items = e.images.map((i) => ({ image: i.image, name: i.name }))
          // A group-context model predicts a group together, as in training (and as the plain predictions).
          const batches =
            grouped && e.images.every((i) => i.group !== undefined)
              ? groupBatches(e.images, (i) => i.group ?? null, predictBatch(this.o.batch, 'ours')).map((b) =>
                  b.map((i) => ({ image: i.image, name: i.name })),
                )
              : chunkBatches(items, this.o.batch * 2)
          return { outDir: this.predDir(row, extra, scope, e.user), batches }
        }),
      },
      { onProblem: this.o.onProblem },
    ).result
    if (r.status !== 'done') throw new Error(`${row}+${extra} inference ended as ${r.status}`)
    const name = `${row}+${extra}`
    this.costs[name] = addCost(this.costs[name], r.cost, x.crf !== null)
    const s = (performance.now() - start) / 1000
    this.time(name, s)
    this.o.onLog(
      `  ${scope.label}:${name}: ${s.toFixed(1)} s, ${(r.cost.msPerImage / 1000).toFixed(3)} s/image`,
    )
  }
}
