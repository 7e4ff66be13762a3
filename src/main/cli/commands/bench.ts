/**
 * `pss-studio bench methods`: the adaptation methods on the synthetic personalized benchmark (Personal
 * setting), per-user and overall mean ± std of FIoU and MIoU (both conventions) over training seeds.
 * Training runs in the engine worker; this thread loads no tfjs.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  generateSyntheticBenchmark,
  isPresetName,
  PRESET_NAMES,
  type PresetName,
} from '../../datasets/synthetic'
import { writeFileAtomic } from '../../files/atomic-file'
import {
  BENCH_METHODS,
  isBenchMethod,
  runMethodsBench,
  type AblationOptions,
  type AblationsResult,
  type BenchMethod,
  type MethodsBenchResult,
  type MethodSummary,
  type PerClassSummary,
  type Summary,
} from '../../engine/api'
import { DATA_SETTINGS, isDataSetting, type DataSetting } from '../../engine/api'
import {
  BENCH_ROWS,
  INFER_EXTRAS,
  isBenchRowName,
  isInferExtraName,
  parseBenchMethod,
  rowVariant,
  type BenchRow,
  type BenchRowName,
} from '../../engine/api'
import { CONTEXT_FUSIONS, CONTEXT_VARIANTS, type ContextFusion, type ContextVariant } from '../../engine/api'
import { ceilingsJson, type CeilingsJson } from '../../engine/api'
import {
  ablationTables,
  benchTable,
  ceilingLines,
  costLines,
  perClassTables,
  referenceTable,
} from './bench-tables'
import { EXIT_OK, UsageError, parseCommandArgs, type CliIo, type Command } from '../args'

/** The benchmark's own generator seed (fixed: seeds vary the training, not the data). */
const DATA_SEED = 1

/**
 * Iterations per preset: source (No-DA) training, then each adaptation stage. Chosen for wall time on
 * this 2-core machine (tiny: the four core methods, one seed, under 15 minutes), not tuned on scores.
 * The source lr (0.05 at 64², the No-DA demo's) was picked on the source set (see demo.ts). verdict:
 * sized from per-step costs (No-DA ≈ 0.3 s, adversarial ≈ 0.8 s at 64², batch 4, quiet machine) for
 * 3 seeds × 3 users × 8 rows within about an hour on 2 workers; one seed measured 1198 s under load
 * (docs/BENCHMARKS.md).
 */
export const BENCH_ITERATIONS: Record<PresetName, { source: number; adapt: number }> = {
  tiny: { source: 700, adapt: 80 },
  demo: { source: 3000, adapt: 300 },
  full: { source: 8000, adapt: 2000 },
  verdict: { source: 1000, adapt: 150 },
}

/**
 * The adaptation lr and poly horizon of a preset (null: each method's registry defaults, lr 2.5e-3 decaying
 * to 0 at the last step). verdict: lr 0.01 (1/5 of the source lr) held up by a horizon of 4× the steps
 * (ADVENT's MAX_ITERS > steps: the lr ends at 0.77× its start). Set once, a priori, from the source
 * schedule — not tuned on any album split (see docs/BENCHMARKS.md).
 */
export const BENCH_ADAPT_SEG: Record<PresetName, { lr: number; polyMaxFactor: number } | null> = {
  tiny: null,
  demo: null,
  full: null,
  verdict: { lr: 0.01, polyMaxFactor: 4 },
}
/**
 * Discriminator width. ADVENT's 64 costs ≈ 4.7 s per adversarial step at 64², batch 4 on this machine
 * (under load), 32 ≈ 1.3 s, 16 ≈ 0.77 s (No-DA's step: 0.30 s): the CPU presets use 16, `full` the paper's 64.
 */
export const BENCH_NDF: Record<PresetName, number> = { tiny: 16, demo: 16, full: 64, verdict: 16 }
const SIZE = 64
const BATCH = 4
const SOURCE_LR = 0.05

export const DEFAULT_BENCH_METHODS: readonly BenchMethod[] = ['noda', 'advent', 'pss-s1', 'pss-s2']
/** The verdict preset's rows (issue 13), besides the reference rows source-val and oracle. */
export const VERDICT_BENCH_METHODS: readonly BenchMethod[] = [
  'noda',
  'bn-only',
  'minent',
  'advent',
  'pss-s1',
  'pss-s2',
]

function parseCount(v: string | undefined, flag: string, fallback: number, max: number): number {
  if (v === undefined) return fallback
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max)
    throw new UsageError(`--${flag} must be an integer from 1 to ${max}, got "${v}"`)
  return Number(v)
}

export function parseMethods(v: string | undefined): BenchMethod[] {
  if (v === undefined) return [...DEFAULT_BENCH_METHODS]
  const list =
    v === 'all'
      ? [...BENCH_METHODS]
      : v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
  const bad = list.filter((m) => !isBenchMethod(m))
  if (bad.length || list.length === 0)
    throw new UsageError(
      `--methods takes a comma list of ${BENCH_METHODS.join(', ')} (or all); bad: ${bad.join(', ') || '(empty)'}`,
    )
  // A `<row>+<extra>` row is read against its plain row: list the plain row first.
  const withBase = list.flatMap((m) => {
    const p = parseBenchMethod(m)
    return p?.extra ? [p.row, m] : [m]
  })
  return [...new Set(withBase)]
}

/**
 * `--extras tta,crf`: the listed methods each get `<m>+<extra>` rows after them (not a row with its own
 * trainer, e.g. segsort-knn: the inference worker loads adaptation runs only).
 */
export function withExtras(methods: readonly BenchMethod[], v: string | undefined): BenchMethod[] {
  if (v === undefined) return [...methods]
  const extras = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const bad = extras.filter((x) => !isInferExtraName(x))
  if (bad.length || extras.length === 0)
    throw new UsageError(
      `--extras takes a comma list of ${Object.keys(INFER_EXTRAS).join(', ')}; bad: ${bad.join(', ') || '(empty)'}`,
    )
  return [
    ...new Set(
      methods.flatMap((m) =>
        parseBenchMethod(m)?.extra || hasOwnTrainer(m) ? [m] : [m, ...extras.map((x) => `${m}+${x}`)],
      ),
    ),
  ]
}

function hasOwnTrainer(m: string): boolean {
  return isBenchRowName(m) && (BENCH_ROWS[m] as BenchRow).train !== undefined
}

function commaList(v: string, flag: string): string[] {
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (list.length === 0) throw new UsageError(`--${flag} needs a comma list`)
  return [...new Set(list)]
}

/** The ablations asked for (null: none), validated. */
export function parseAblations(opts: {
  table5?: boolean | undefined
  data?: string | undefined
  k?: string | undefined
  context?: string | undefined
  'ablation-method'?: string | undefined
}): AblationOptions | null {
  let data: DataSetting[] = []
  if (opts.table5) data = [...DATA_SETTINGS]
  if (opts.data !== undefined) {
    const list = commaList(opts.data, 'data')
    const bad = list.filter((d) => !isDataSetting(d))
    if (bad.length)
      throw new UsageError(`--data takes a comma list of ${DATA_SETTINGS.join(', ')}; bad: ${bad.join(', ')}`)
    data = [...new Set([...data, ...(list as DataSetting[])])]
  }
  let k: number[] = []
  if (opts.k !== undefined) {
    const list = commaList(opts.k, 'k')
    const bad = list.filter((x) => !/^\d+$/.test(x) || Number(x) < 1 || Number(x) > 100_000)
    if (bad.length)
      throw new UsageError(
        `--k takes a comma list of integers ≥ 1 (e.g. 1,10,80,200); bad: ${bad.join(', ')}`,
      )
    k = list.map(Number)
  }
  let context: ContextVariant[] = []
  if (opts.context !== undefined) {
    const list = commaList(opts.context, 'context')
    const bad = list.filter((c) => !(CONTEXT_VARIANTS as readonly string[]).includes(c))
    if (bad.length)
      throw new UsageError(
        `--context takes a comma list of ${CONTEXT_VARIANTS.join(', ')}; bad: ${bad.join(', ')}`,
      )
    context = list as ContextVariant[]
  }
  const method = opts['ablation-method'] ?? 'pss-s1'
  const rows = Object.keys(BENCH_ROWS).filter((r) => isBenchMethod(r))
  if (!isBenchRowName(method) || !isBenchMethod(method))
    throw new UsageError(`--ablation-method takes one of ${rows.join(', ')}, got "${method}"`)
  // SegSort learns from the labelled source set only: a target data setting or grouping changes nothing.
  if (hasOwnTrainer(method))
    throw new UsageError(
      `--ablation-method ${method}: its run does not adapt to a target, so it has no ablations`,
    )
  if (data.length === 0 && k.length === 0 && context.length === 0) {
    if (opts['ablation-method'] !== undefined)
      throw new UsageError('--ablation-method needs an ablation: --table5, --data, --k or --context')
    return null
  }
  if (k.length && rowVariant(method) === 'none')
    throw new UsageError(
      `--k sweeps the album clusters of a group-context method (pss-s1, pss-s2, …); ${method} has no group context`,
    )
  return { method: method as BenchRowName, data, k, context }
}

async function ensureBenchmark(dir: string, preset: PresetName, io: CliIo): Promise<void> {
  const manifest = path.join(dir, 'manifest.json')
  if (fs.existsSync(manifest)) {
    const m = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { preset?: unknown; seed?: unknown }
    if (m.preset === preset && m.seed === DATA_SEED) return
  }
  io.err(`pss-studio bench: generating the ${preset} benchmark in ${dir}`)
  await generateSyntheticBenchmark({ out: dir, preset, seed: DATA_SEED, overwrite: true, signal: io.signal })
}

export interface BenchJson {
  methods: Record<string, MethodSummary>
  /** Present when an ablation ran (Table 5 `data`, Table 4 `k`, Table 3 `context`). */
  ablations?: AblationsResult
  /** Per method: per-class IoU, both conventions, with image counts (paper Tables 7/8; methods-stats.ts). */
  perClass?: Record<string, PerClassSummary>
  /** Perfect and ideal stride-8 predictions on the same validation GT, percent (methods-ceilings.ts). */
  ceilings?: CeilingsJson
  /** Reference rows: No-DA on held-out source images; the target oracle (null when not run). */
  sourceVal?: Summary | null
  oracle?: MethodSummary | null
  /** The group-context network's own source model (before adaptation): source-val and the albums. */
  contextSourceVal?: Summary | null
  contextNoda?: MethodSummary | null
  /** Cells run now / taken from the cache. */
  cells?: { run: number; cached: number }
  wallSeconds: number
  preset: PresetName
  seeds: number
  iterations: { source: number; adapt: number; contextWarmup: number }
  ndf: number
  /** The adaptation lr / poly horizon used (null: registry defaults) and how the context rows got their source model. */
  adaptSeg?: { lr: number; polyMax: number } | null
  contextSource?: 'warmup' | 'scratch'
  /** The group context module's fusion in the OURS networks (models/config.ts). */
  contextFusion?: ContextFusion
  /** Whether the group-context networks read the source set in k-means groups (--group-source). */
  groupSource?: boolean
  workers?: number
}

/**
 * The `--json` line: the methods (plus cost of the extras), the ablations when any ran, the per-class IoU
 * of the methods when there is any, and the run's facts.
 */
export function toBenchJson(
  r: Pick<MethodsBenchResult, 'methods' | 'ablations'> &
    Partial<
      Pick<
        MethodsBenchResult,
        'perClass' | 'ceilings' | 'sourceVal' | 'oracle' | 'cells' | 'contextSourceVal' | 'contextNoda'
      >
    >,
  meta: Omit<
    BenchJson,
    | 'methods'
    | 'ablations'
    | 'perClass'
    | 'ceilings'
    | 'sourceVal'
    | 'oracle'
    | 'cells'
    | 'contextSourceVal'
    | 'contextNoda'
  >,
): BenchJson {
  return {
    methods: r.methods,
    ...(r.ablations ? { ablations: r.ablations } : {}),
    ...(r.perClass && Object.keys(r.perClass).length ? { perClass: r.perClass } : {}),
    ...(r.ceilings ? { ceilings: ceilingsJson(r.ceilings) } : {}),
    ...(r.sourceVal !== undefined ? { sourceVal: r.sourceVal } : {}),
    ...(r.oracle !== undefined ? { oracle: r.oracle } : {}),
    ...(r.contextSourceVal ? { contextSourceVal: r.contextSourceVal } : {}),
    ...(r.contextNoda ? { contextNoda: r.contextNoda } : {}),
    ...(r.cells ? { cells: r.cells } : {}),
    ...meta,
  }
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'benchmarks: `bench methods` runs the adaptation methods on the synthetic benchmark',
  usage: `Usage: pss-studio bench methods [--preset ${PRESET_NAMES.join('|')}] [--seeds N] [--methods a,b,…|all]
                              [--out DIR] [--source-iterations N] [--adapt-iterations N] [--ndf N]
                              [--context-warmup N] [--context-fusion residual|replace] [--group-source]
                              [--extras tta,crf,tta-crf] [--workers N]
                              [--table5] [--data personal,mixall,mixsample] [--k 1,10,80,200]
                              [--context none,global,ours] [--ablation-method ROW] [--per-class] [--json]

Generates (or reuses in DIR/benchmark) the synthetic benchmark, then per training seed 1..N trains
the source model (No-DA: compact net, width 16, 64² crops, batch 4, lr 0.05) and adapts it to each
user's album with each method (Personal setting, the registry's default settings), predicts the
album (grouped batches for the group-context models) and scores its validation images. Prints
per-user and overall mean ± std of FIoU, MIoU(paper: object classes in the GT, background
excluded — the paper's Tables 2/7), MIoU(all 21: the released code's printout) and MIoU(present
classes), then the ceilings: a perfect prediction and the ideal stride-8 predictor at the
inference geometry (64² squashed input), scored on the same validation GT.

Methods: ${BENCH_METHODS.join(', ')} (default ${DEFAULT_BENCH_METHODS.join(',')}; none when only
ablations are asked for). \`<method>+<extra>\` (extras: ${Object.keys(INFER_EXTRAS).join(', ')}) predicts again with
that method's models and test-time augmentation (scales 0.5–1.5 + flip) and/or the dense CRF
(DeepLab defaults), with its cost in seconds per image; --extras x,y adds them for every listed method.
segsort-knn is the studio's SegSort run per user's album (embedding network from the No-DA checkpoint,
--adapt-iterations on the source set; memory bank = the source segments only, so the scores are held
out; clustering + k-NN voting), with its cost: seconds per run for training, bank and prediction.
Ablations (docs/method.md §7), of --ablation-method (default pss-s1):
  --table5 / --data S,…  Personal (a model per album) / MixAll (one model on every album pooled) /
                         MixSample (one model on a seeded per-user-stratified sample of the pooled images
                         of one album's size, 1/#users of them); each evaluated on every user's album.
  --k K,…                the album regrouped by k-means (colour features, seed 0) into K groups,
                         K clamped to the album size (the table says so); a group-context method only.
  --context V,…          stage 1 (pss-s1) with the group context none / global / ours (Table 3).
Iterations (source/adapt): ${Object.entries(BENCH_ITERATIONS)
    .map(([k, v]) => `${k} ${v.source}/${v.adapt}`)
    .join(', ')}.
Equal source budgets (docs/method.md §10): a group-context network (pss-*) trains its own source model from
fresh weights for the same source iterations and lr as No-DA's. --context-warmup N instead warm-starts
it from the No-DA checkpoint and trains the module N more source iterations (the older protocol: extra
source budget for the PSS rows only; 0 = adapt straight from No-DA, whose weights lack the module).
--context-fusion (default residual): how the group context module's output reaches the classifier:
'residual' = X + a branch whose last BN starts at scale 0 (the module starts as the identity, issue 13),
'replace' = the released code's fusion in place of X (trained from scratch at this budget it stays at
background: docs/BENCHMARKS.md). The context network's own source model gets reference rows too.
--group-source: cluster the source set (k-means on colour features, one cluster per 8 images) and draw
the group-context networks' source batches one group at a time (docs/method.md §3); default off.
Album groups of the group-context rows: the studio's own k-means clusters (colour features, one per 8
images), not the generator's places.
Reference rows, in every table: source-val (the No-DA row on the held-out source images: the in-domain
level) and target oracle (from the source model, source CE on the album's own labelled non-validation
images — the generator's oracle/ masks, or a PIS album's own train GT — for the adaptation budget: the
reachable top). Each method gets its paired FIoU difference to No-DA on the same validation images, per
(seed, user), with a bootstrap 95 % CI over images, and the share of the No-DA → oracle gap it closes.
The verdict preset's rows: ${VERDICT_BENCH_METHODS.join(', ')}; its adaptation runs use lr ${BENCH_ADAPT_SEG.verdict?.lr}
with a poly horizon of ${BENCH_ADAPT_SEG.verdict?.polyMaxFactor}× the steps (the lr never decays to 0 inside the run).
Cells (seed × user × row) run --workers at a time (default: os.availableParallelism(), one engine
worker each; results do not depend on it) and are cached in DIR/cells, so a rerun with the same --out
resumes where an interrupted one stopped.
Discriminator width (--ndf): ${Object.entries(BENCH_NDF)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')} (ADVENT: 64).
  --per-class  also print the per-class IoU tables (paper Tables 7/8): classes × methods, with the
           validation images containing each class (over all users); per seed the mean over users (all-21:
           a user without the class counts 0; present: over the users where the class is present), then
           mean ± std over seeds.
  --json   the LAST stdout line is {methods: {<name>: {fiou, miou_paper, miou_all21, miou_present, std, perUser,
           pairedVsNoda: {fiou: {mean, ci95: [lo, hi], strata, images, resamples}}, gapClosed[, cost]
           [, runCost]}},
           [ablations: {method, data, k, context},]
           perClass: {<name>: {seeds, users, classes: {<class>: {images, all21, all21Std, present,
           presentStd}}}}, ceilings: {perfect: {fiou, miou_paper, miou_all21, miou_present, …},
           strideIdeal: {stride, size, grid, fiou, …}}, sourceVal: {fiou, …, perUser}, oracle: {fiou, …, perUser,
           pairedVsNoda}, [contextSourceVal: {fiou, …}, contextNoda: {fiou, …, perUser, pairedVsNoda},]
           cells: {run, cached}, wallSeconds, adaptSeg, contextSource, contextFusion, groupSource, workers, …}`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const [sub, ...rest] = argv
    if (sub !== 'methods') throw new UsageError(`unknown benchmark "${sub ?? ''}"; available: methods`)
    const opts = parseCommandArgs(rest, {
      preset: { type: 'string' },
      seeds: { type: 'string' },
      methods: { type: 'string' },
      out: { type: 'string' },
      'source-iterations': { type: 'string' },
      'adapt-iterations': { type: 'string' },
      ndf: { type: 'string' },
      'context-warmup': { type: 'string' },
      'context-fusion': { type: 'string' },
      'group-source': { type: 'boolean' },
      extras: { type: 'string' },
      table5: { type: 'boolean' },
      data: { type: 'string' },
      k: { type: 'string' },
      context: { type: 'string' },
      'ablation-method': { type: 'string' },
      'per-class': { type: 'boolean' },
      workers: { type: 'string' },
      json: { type: 'boolean' },
    })
    const preset = opts.preset ?? 'tiny'
    if (!isPresetName(preset))
      throw new UsageError(`--preset must be one of ${PRESET_NAMES.join(', ')}, got "${preset}"`)
    const seeds = parseCount(opts.seeds, 'seeds', 1, 20)
    const ablations = parseAblations(opts)
    const methods = withExtras(
      opts.methods === undefined && ablations
        ? []
        : opts.methods === undefined && preset === 'verdict'
          ? [...VERDICT_BENCH_METHODS]
          : parseMethods(opts.methods),
      opts.extras,
    )
    const workers = parseCount(opts.workers, 'workers', os.availableParallelism(), 64)
    const iterations = {
      source: parseCount(
        opts['source-iterations'],
        'source-iterations',
        BENCH_ITERATIONS[preset].source,
        1_000_000,
      ),
      adapt: parseCount(
        opts['adapt-iterations'],
        'adapt-iterations',
        BENCH_ITERATIONS[preset].adapt,
        1_000_000,
      ),
    }
    const ndf = parseCount(opts.ndf, 'ndf', BENCH_NDF[preset], 128)
    // Equal source budgets (docs/method.md §10): a context network trains its own source model from fresh
    // weights for the source iterations; --context-warmup N asks for the older No-DA + N warm-up instead.
    const contextSource = opts['context-warmup'] === undefined ? 'scratch' : 'warmup'
    const contextWarmup =
      opts['context-warmup'] === undefined || opts['context-warmup'] === '0'
        ? 0
        : parseCount(opts['context-warmup'], 'context-warmup', iterations.source, 1_000_000)
    const contextFusion = opts['context-fusion'] ?? 'residual'
    if (!(CONTEXT_FUSIONS as readonly string[]).includes(contextFusion))
      throw new UsageError(
        `--context-fusion must be one of ${CONTEXT_FUSIONS.join(', ')}, got "${contextFusion}"`,
      )
    const seg = BENCH_ADAPT_SEG[preset]
    const adaptSeg = seg ? { lr: seg.lr, polyMax: seg.polyMaxFactor * iterations.adapt } : null
    const out = path.resolve(opts.out ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pss-bench-methods-')))
    const t0 = performance.now()
    const benchmark = path.join(out, 'benchmark')
    await ensureBenchmark(benchmark, preset, io)
    const r = await runMethodsBench({
      benchmark,
      out: path.join(out, 'runs'),
      methods,
      ...(ablations ? { ablations } : {}),
      seeds: Array.from({ length: seeds }, (_, i) => i + 1),
      sourceIterations: iterations.source,
      adaptIterations: iterations.adapt,
      size: SIZE,
      batch: BATCH,
      width: 16,
      sourceLr: SOURCE_LR,
      ndf,
      contextWarmup,
      contextSource,
      contextFusion: contextFusion as ContextFusion,
      groupSource: opts['group-source'] === true,
      ...(adaptSeg ? { adaptSeg } : {}),
      workers,
      references: true,
      albumClusters: 'kmeans',
      cacheDir: path.join(out, 'cells'),
      onLog: (l) => io.err(`pss-studio bench: ${l}`),
      onProblem: (p) => io.err(`pss-studio bench: skipped ${p.file}: ${p.reason}`),
    })
    const wallSeconds = (performance.now() - t0) / 1000
    const json = toBenchJson(r, {
      wallSeconds,
      preset,
      seeds,
      iterations: { ...iterations, contextWarmup },
      ndf,
      adaptSeg,
      contextSource,
      contextFusion: contextFusion as ContextFusion,
      groupSource: opts['group-source'] === true,
      workers,
    })
    writeFileAtomic(
      path.join(out, 'result.json'),
      JSON.stringify({ ...json, raw: r.raw, seconds: r.seconds }, null, 2),
    )
    const print = opts.json ? io.err : io.out
    for (const line of [
      ...benchTable(r),
      ...referenceTable(r),
      ...ceilingLines(r),
      ...costLines(r),
      ...ablationTables(r),
      ...(opts['per-class'] ? perClassTables(r) : []),
    ])
      print(line)
    print(
      `${preset}, ${seeds} seed(s), ${iterations.source} source + ${iterations.adapt} adaptation iterations: ` +
        `source ${r.seconds.source.toFixed(0)} s, ${Object.entries(r.seconds.byMethod)
          .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
          .join(', ')}; wall ${wallSeconds.toFixed(0)} s. Results: ${path.join(out, 'result.json')}`,
    )
    if (opts.json) io.out(JSON.stringify(json))
    return EXIT_OK
  },
}
