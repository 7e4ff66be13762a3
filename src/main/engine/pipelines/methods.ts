/**
 * The methods benchmark on a synthetic (or any VOC + PIS layout) benchmark: per training seed,
 *   1. train the source model once (No-DA, source CE) for `sourceIterations`;
 *   2. for each method and each user, adapt from that checkpoint for `adaptIterations` (Personal setting:
 *      one model per user's album) — No-DA gets the same extra source-only iterations (one model, shared
 *      by all users, as it never sees an album), so every method has equal compute after the source model;
 *      the two-stage methods (pss-s2, mrnet) train their second stage for another `adaptIterations` from
 *      their stage-1 run; `<row>+tta` / `<row>+crf` predict again with that row's models and the option;
 *      SegSort-kNN runs the studio's SegSort run per user (methods-segsort.ts) for the same budget;
 *   3. the ablations (docs/method.md §7) of one row: data setting Personal / MixAll / MixSample (Table 5), the K
 *      sweep (Table 4), the context variant None / Global / Ours (Table 3);
 *   4. predict the albums (grouped batches for the group-context models) and score each user's validation
 *      images with score-album.ts (FIoU, MIoU in the three conventions), and the ceilings of the same
 *      validation GT at the inference geometry (methods-ceilings.ts).
 * Groups for the PSS methods: the album's `train_cluster<K>.txt` (the synthetic generator writes one);
 * the K sweep clusters each album itself (ablations-data.ts). A run shared by two entries (pss-s1 in the
 * table, in the Personal column and as context "ours") is trained once.
 * Results: per user and overall (mean over users per seed), mean ± std over seeds.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { NUM_CLASSES } from '../../../shared/voc'
import type { ContextFusion, ContextVariant } from '../models/config'
import type { TargetItem } from '../methods/adapt-config'
import type { FileProblem, LabelledFile } from '../runs/file-dataset'
import { engineCodeVersion, readCell, runPool, stableHash, writeCell } from './methods-cells'
import { pairedBootstrap, pairedDiffs } from './paired-bootstrap'
import { clampK, clusterItems, mixSample, poolTargets, type DataSetting } from './ablations-data'
import type { Ceilings } from '../eval/ceilings'
import { benchCeilings } from './methods-ceilings'
import { readAlbumClusters } from './methods-clusters'
import {
  CONTEXT_ROWS,
  parseBenchMethod,
  rowChain,
  rowVariant,
  type BenchMethod,
  type BenchRowName,
  type InferExtraName,
} from './methods-rows'
import {
  SeedRunner,
  SOURCE_VAL_USER,
  type ExtraCostSum,
  type RunCostSum,
  type TargetScope,
} from './methods-runner'
import {
  classScoresOf,
  scoresOf as scoresOfUser,
  summarize,
  summarizePerClass,
  type PerClassSummary,
  type RawScore,
  type Summary,
} from './methods-stats'
import { listPisAlbums, type PisAlbum } from './pis-albums'
import { scoreAlbum } from './score-album'
import { vocLabelledFiles } from './voc-source'

export { BENCH_METHODS, isBenchMethod, type BenchMethod } from './methods-rows'
export {
  aggregate,
  type ClassSummary,
  type MeanStd,
  type PerClassSummary,
  type Scores,
  type Summary,
} from './methods-stats'

export interface AblationOptions {
  /** The row the data-setting and K ablations train (the context ablation is stage 1's, Table 3). */
  method: BenchRowName
  data: readonly DataSetting[]
  /** Requested K values (each clamped to the album size, per user). */
  k: readonly number[]
  context: readonly ContextVariant[]
}

export interface MethodsBenchOptions {
  /** Root holding the VOC-layout source set and the PIS-layout albums. */
  benchmark: string
  out: string
  /** Table rows: bench rows, or `<row>+<extra>` for an inference extra on top (see methods-rows.ts). */
  methods: readonly BenchMethod[]
  ablations?: AblationOptions
  seeds: readonly number[]
  sourceIterations: number
  adaptIterations: number
  size: number
  batch: number
  width: 16 | 32
  /** Base lr of the source (No-DA) training; the adaptation lrs are the registry defaults. */
  sourceLr: number
  /** Discriminator width (ADVENT: 64; smaller keeps adversarial steps affordable on a CPU). */
  ndf: number
  /**
   * Source-only iterations (at `sourceLr`) that train a group-context variant's new module on the source
   * set, from the No-DA checkpoint, before its adaptation starts (0 = adapt straight from No-DA).
   */
  contextWarmup: number
  /**
   * The album groups of the group-context rows: 'file' = the album's train_cluster<K>.txt (default; on the
   * synthetic benchmark the generator's places — privileged information), 'kmeans' = the studio's own
   * k-means on colour features, one cluster per IMAGES_PER_CLUSTER images (the CLI's choice).
   */
  albumClusters?: 'file' | 'kmeans'
  /** See RunnerOptions.contextSource (default 'warmup'); the CLI uses 'scratch' (equal source budgets). */
  contextSource?: 'warmup' | 'scratch'
  /** See RunnerOptions.contextFusion (default 'replace'); the CLI uses 'residual'. */
  contextFusion?: ContextFusion
  /**
   * Group the source set (k-means on colour features, one cluster per IMAGES_PER_CLUSTER images) and draw
   * the group-context networks' source batches one group at a time (docs/method.md §3); default false.
   */
  groupSource?: boolean
  /** See RunnerOptions.adaptSeg: the adaptation lr and poly horizon of every adaptation run. */
  adaptSeg?: { lr: number; polyMax: number }
  /** The reference rows source-val and target oracle (docs/method.md §10); default false (the CLI: true). */
  references?: boolean
  /** Cells run at once, one engine worker each (default 1); the results do not depend on it. */
  workers?: number
  /** Finished cells are cached here, so an interrupted bench resumes (default: none; the CLI: `<out>/cells`). */
  cacheDir?: string | null
  /** The engine code version in the cache key (default: engineCodeVersion(), a hash of the engine code). */
  codeVersion?: string
  onLog?: (line: string) => void
  onProblem?: (p: FileProblem) => void
}

/** What an inference extra (+TTA, +CRF) cost, in seconds per predicted image (mean over all images). */
export interface ExtraCost {
  images: number
  /** Everything: decode, network pass(es), CRF, argmax, PNG writes. */
  secondsPerImage: number
  /** What the option adds over one plain network pass: TTA's extra passes and/or the CRF. */
  addedSecondsPerImage: number
  /** Network passes per batch (1 without TTA). */
  passes: number
  crfSecondsPerImage: number | null
}

/**
 * What a row with its own trainer (SegSort-kNN) cost: its whole run per album, training + memory bank +
 * prediction, in seconds (means over runs: one run per user and seed).
 */
export interface RunCost {
  runs: number
  /** Album images predicted, over all runs. */
  images: number
  /** One run in all (worker start, training, bank, prediction). */
  secondsPerRun: number
  /** One run's stages (e.g. train, bank, predict). */
  stageSecondsPerRun: Record<string, number>
  /** The run's seconds over the images it predicted (training included). */
  secondsPerImage: number
}

/** A method's paired difference to No-DA (percent points) with its bootstrap 95 % CI over images. */
export interface PairedVsNoda {
  fiou: { mean: number; ci95: [number, number]; strata: number; images: number; resamples: number }
}

/**
 * `cost`: an inference extra's (+TTA, +CRF); `runCost`: a row with its own trainer's (SegSort-kNN);
 * `pairedVsNoda`: the paired difference to No-DA on the same images; `gapClosed`: (method − No-DA) /
 * (oracle − No-DA) of the mean FIoU, when the bench has an oracle.
 */
export type MethodSummary = Summary & {
  cost?: ExtraCost
  runCost?: RunCost
  pairedVsNoda?: PairedVsNoda
  gapClosed?: number | null
}

export interface AblationsResult {
  method: BenchRowName
  /** Paper Table 5; `trainImages`: target images one model adapts on (Personal: the mean album size). */
  data: Partial<Record<DataSetting, Summary & { trainImages: number }>>
  /** Paper Table 4, by requested K; `effectiveK`: the K each user's album was clustered into. */
  k: Record<string, Summary & { effectiveK: Record<string, number> }>
  /** Paper Table 3 (stage 1 with each context variant). */
  context: Partial<Record<ContextVariant, Summary>>
}

export interface MethodsBenchResult {
  methods: Record<string, MethodSummary>
  /** Per table row: per-class IoU (both conventions) and image counts (paper Tables 7/8), see methods-stats. */
  perClass: Record<string, PerClassSummary>
  ablations: AblationsResult | null
  /** Perfect and ideal stride-8 predictions on the same validation GT (fractions); null without any GT. */
  ceilings: Ceilings | null
  /** No-DA on the held-out source images (the in-domain level); null without reference rows. */
  sourceVal: Summary | null
  /** The target oracle (album labels of the non-validation images); null without oracle labels. */
  oracle: MethodSummary | null
  /**
   * The group-context network's own source model (variant 'ours', before any adaptation) on the held-out
   * source images and on the albums (with its paired difference to No-DA); null when not run.
   */
  contextSourceVal: Summary | null
  contextNoda: MethodSummary | null
  /** Cells run / taken from the cache. */
  cells: { run: number; cached: number }
  /** Per seed, entry, user: the raw scores (ablation entries keyed data:<s>, k:<K>, context:<v>). */
  raw: RawScore[]
  seconds: { total: number; source: number; byMethod: Record<string, number> }
}

type Setting = { kind: 'personal' } | { kind: 'mixall' } | { kind: 'mixsample' } | { kind: 'k'; k: number }

/** One table cell family: a row trained in a setting, optionally predicted with an extra. */
interface BenchEntry {
  key: string
  row: BenchRowName
  extra: InferExtraName | null
  setting: Setting
}

/** The entries of a bench: the table rows, then the ablations (keys data:<s>, k:<K>, context:<v>). */
export function benchEntries(methods: readonly BenchMethod[], ab?: AblationOptions): BenchEntry[] {
  const out: BenchEntry[] = []
  for (const m of methods) {
    const p = parseBenchMethod(m)
    if (!p) throw new Error(`unknown bench method ${m}`)
    out.push({ key: m, row: p.row, extra: p.extra, setting: { kind: 'personal' } })
  }
  if (!ab) return out
  for (const d of ab.data) out.push({ key: `data:${d}`, row: ab.method, extra: null, setting: { kind: d } })
  for (const k of ab.k) out.push({ key: `k:${k}`, row: ab.method, extra: null, setting: { kind: 'k', k } })
  for (const v of ab.context)
    out.push({ key: `context:${v}`, row: CONTEXT_ROWS[v], extra: null, setting: { kind: 'personal' } })
  return out
}

function personalItems(album: PisAlbum): TargetItem[] {
  const clusters = readAlbumClusters(album.dir, album.images.length)
  return album.images.map((i) => {
    const g = clusters?.groupOf.get(i.name)
    return g === undefined ? { image: i.file, name: i.name } : { image: i.file, name: i.name, group: g }
  })
}

function costOf(s: ExtraCostSum): ExtraCost {
  const n = Math.max(1, s.images)
  return {
    images: s.images,
    secondsPerImage: s.totalMs / n / 1000,
    addedSecondsPerImage: (s.predictMs - s.plainMs + s.crfMs) / n / 1000,
    passes: s.passes,
    crfSecondsPerImage: s.crf ? s.crfMs / n / 1000 : null,
  }
}

function runCostOf(s: RunCostSum): RunCost {
  const n = Math.max(1, s.runs)
  return {
    runs: s.runs,
    images: s.images,
    secondsPerRun: s.seconds / n,
    stageSecondsPerRun: Object.fromEntries(Object.entries(s.stages).map(([k, v]) => [k, v / n])),
    secondsPerImage: s.seconds / Math.max(1, s.images),
  }
}

export async function runMethodsBench(o: MethodsBenchOptions): Promise<MethodsBenchResult> {
  const log = o.onLog ?? (() => {})
  const onProblem = o.onProblem ?? (() => {})
  const t0 = performance.now()
  const source = vocLabelledFiles(o.benchmark, 'train')
  const albums = listPisAlbums(o.benchmark)
  const users = albums.map((a) => a.id)
  const entries = benchEntries(o.methods, o.ablations)
  const personal = new Map(albums.map((a) => [a.id, personalItems(a)]))
  if (o.albumClusters === 'kmeans')
    for (const a of albums) {
      // The studio's own clusters (what a curator gets), not the generator's places (privileged information).
      const items = personal.get(a.id)!.map((i) => ({ image: i.image, name: i.name }))
      const g = await clusterItems(
        items,
        Math.max(1, Math.round(items.length / IMAGES_PER_CLUSTER)),
        onProblem,
      )
      log(`${a.id}: ${g.k} k-means clusters of its ${items.length} images (colour features)`)
      personal.set(a.id, g.items)
    }
  const allUsers = albums.map((a) => ({ user: a.id, images: personal.get(a.id)! }))
  const groupedSource = o.groupSource ? await clusterSource(source, onProblem) : null
  if (groupedSource)
    log(
      `source set: ${new Set(groupedSource.map((f) => f.group)).size} k-means clusters of its ${source.length} images`,
    )
  const pooled = poolTargets(allUsers.map((u) => ({ user: u.user, items: u.images })))
  const strip = (items: readonly TargetItem[]): TargetItem[] =>
    items.map((i) =>
      i.group === undefined
        ? { image: i.image, name: i.name }
        : { image: i.image, name: i.name, group: i.group },
    )

  // K-sweep groupings: computed once (fixed clustering seed), reused by every seed.
  const kGroups = new Map<string, { k: number; items: TargetItem[] }>()
  for (const e of entries) {
    if (e.setting.kind !== 'k') continue
    for (const a of albums) {
      const eff = clampK(e.setting.k, a.images.length)
      const key = `${a.id}/${eff}`
      if (kGroups.has(key)) continue
      log(
        `clustering ${a.id} into K = ${eff}${eff !== e.setting.k ? ` (K = ${e.setting.k} clamped to the album size)` : ''}`,
      )
      kGroups.set(key, await clusterItems(personal.get(a.id)!, eff, onProblem))
    }
  }

  const raw: RawScore[] = []
  const byMethod: Record<string, number> = {}
  const costs: Record<string, ExtraCostSum> = {}
  const runCosts: Record<string, RunCostSum> = {}
  let sourceSeconds = 0
  const trainImages: Partial<Record<DataSetting, number>> = {}
  const references = o.references ?? false
  const sourceValFiles = references ? vocLabelledFiles(o.benchmark, 'val') : []
  const sourceValItems: TargetItem[] = sourceValFiles.map((f) => ({ image: f.image, name: stem(f.image) }))
  const oracleFiles = new Map(albums.map((a) => [a.id, references ? albumOracleFiles(o.benchmark, a) : []]))
  const cache =
    o.cacheDir === null || o.cacheDir === undefined
      ? null
      : {
          dir: o.cacheDir,
          base: {
            code: o.codeVersion ?? engineCodeVersion(),
            data: benchmarkFingerprint(o.benchmark),
            sourceIterations: o.sourceIterations,
            adaptIterations: o.adaptIterations,
            size: o.size,
            batch: o.batch,
            width: o.width,
            sourceLr: o.sourceLr,
            ndf: o.ndf,
            contextWarmup: o.contextWarmup,
            contextSource: o.contextSource ?? 'warmup',
            contextFusion: o.contextFusion ?? 'replace',
            groupSource: o.groupSource ?? false,
            albumClusters: o.albumClusters ?? 'file',
            adaptSeg: o.adaptSeg ?? null,
            sourceVal: sourceValItems.length,
          },
        }
  const cells = { run: 0, cached: 0 }
  const runners: SeedRunner[] = []
  const tasks: (() => Promise<RawScore[]>)[] = []
  const prep: (() => Promise<RawScore[]>)[] = []
  const scoreOf = (seed: number, key: string, album: PisAlbum, dir: string): RawScore[] => {
    const s = scoreAlbum(album, { [key]: dir }, {}, NUM_CLASSES)
    for (const p of s.problems) onProblem(p)
    const um = s.methods[key]
    if (!um || um.images === 0) return []
    return [
      {
        seed,
        method: key,
        user: album.id,
        scores: scoresOfUser(um),
        perClass: classScoresOf(um),
        images: Object.fromEntries(um.perImage.map((i) => [i.name, i.fiou * 100])),
      },
    ]
  }
  /** A cell: cached scores, or run + score + cache. */
  const cell =
    (id: Record<string, unknown>, run: () => Promise<RawScore[]>) => async (): Promise<RawScore[]> => {
      const hit = cache ? readCell(cache, id) : null
      if (hit) {
        cells.cached++
        return hit
      }
      const scores = await run()
      if (cache) writeCell(cache, id, scores)
      cells.run++
      return scores
    }
  const sourceValAlbum: PisAlbum | null = sourceValFiles.length
    ? {
        id: SOURCE_VAL_KEY,
        dir: path.dirname(path.dirname(sourceValFiles[0]!.mask)),
        images: sourceValItems.map((i) => ({ name: i.name, file: i.image })),
        valNames: sourceValItems.map((i) => i.name),
      }
    : null

  for (const seed of o.seeds) {
    const seedDir = path.join(o.out, `seed-${seed}`)
    const runner = new SeedRunner({
      seedDir,
      seed,
      source,
      sourceIterations: o.sourceIterations,
      adaptIterations: o.adaptIterations,
      size: o.size,
      batch: o.batch,
      width: o.width,
      sourceLr: o.sourceLr,
      ndf: o.ndf,
      contextWarmup: o.contextWarmup,
      ...(o.contextSource ? { contextSource: o.contextSource } : {}),
      ...(o.contextFusion ? { contextFusion: o.contextFusion } : {}),
      ...(groupedSource ? { groupedSource } : {}),
      ...(o.adaptSeg ? { adaptSeg: o.adaptSeg } : {}),
      allUsers,
      ...(sourceValItems.length ? { sourceVal: sourceValItems } : {}),
      onLog: log,
      onProblem,
    })
    runners.push(runner)
    const personalScope = (user: string): TargetScope => ({
      dir: path.join(seedDir, user),
      label: user,
      target: personal.get(user)!,
      evaluate: [{ user, images: personal.get(user)! }],
    })
    const sample = mixSample(pooled, users, seed)
    const mixScope = (kind: 'mixall' | 'mixsample'): TargetScope => ({
      dir: path.join(seedDir, kind),
      label: kind,
      target: strip(kind === 'mixall' ? pooled : sample),
      evaluate: allUsers,
    })
    trainImages.personal = pooled.length / Math.max(1, users.length)
    trainImages.mixall = pooled.length
    trainImages.mixsample = sample.length
    /** The scope each user of an entry is evaluated in. */
    const scopesOf = (e: BenchEntry): { user: string; scope: TargetScope }[] => {
      const s = e.setting
      switch (s.kind) {
        case 'personal':
          return users.map((u) => ({ user: u, scope: personalScope(u) }))
        case 'mixall':
        case 'mixsample': {
          const scope = mixScope(s.kind)
          return users.map((u) => ({ user: u, scope }))
        }
        case 'k':
          return albums.map((a) => {
            const g = kGroups.get(`${a.id}/${clampK(s.k, a.images.length)}`)!
            return {
              user: a.id,
              scope: {
                dir: path.join(seedDir, a.id, `k${g.k}`),
                label: `${a.id}/k${g.k}`,
                target: g.items,
                evaluate: [{ user: a.id, images: g.items }],
              },
            }
          })
        default: {
          const never: never = s
          throw new Error(`unknown setting ${JSON.stringify(never)}`)
        }
      }
    }
    const albumOf = new Map(albums.map((a) => [a.id, a]))
    // The source models a seed's uncached cells need: trained first, side by side (see below).
    let needsSource = false
    const needsContext = new Set<ContextVariant>()
    const uncached = (id: Record<string, unknown>): boolean => !cache || readCell(cache, id) === null
    for (const e of entries) {
      for (const { user, scope } of scopesOf(e)) {
        const id = {
          seed,
          entry: e.key,
          user,
          setting: e.setting,
          ...(e.setting.kind === 'k' ? { groups: scope.target } : {}),
        }
        if (uncached(id)) {
          needsSource = true
          for (const stage of rowChain(e.row)) needsContext.add(rowVariant(stage))
        }
        tasks.push(
          cell(id, async () => {
            if (e.extra) await runner.ensureExtra(e.row, e.extra, scope)
            else await runner.ensureRow(e.row, scope)
            return scoreOf(seed, e.key, albumOf.get(user)!, runner.predDir(e.row, e.extra, scope, user))
          }),
        )
      }
    }
    if (references && sourceValAlbum && entries.length > 0) {
      const scope = personalScope(users[0]!)
      if (uncached({ seed, entry: SOURCE_VAL_KEY })) needsSource = true
      tasks.push(
        cell({ seed, entry: SOURCE_VAL_KEY }, async () => {
          await runner.ensureRow('noda', scope)
          return scoreOf(
            seed,
            SOURCE_VAL_KEY,
            sourceValAlbum,
            runner.predDir('noda', null, scope, SOURCE_VAL_USER),
          )
        }),
      )
    }
    if (references && entries.length > 0)
      for (const a of albums) {
        const labelled = oracleFiles.get(a.id)!
        if (labelled.length === 0) continue
        const scope = personalScope(a.id)
        if (uncached({ seed, entry: ORACLE_KEY, user: a.id, labelled: labelled.length })) needsSource = true
        tasks.push(
          cell({ seed, entry: ORACLE_KEY, user: a.id, labelled: labelled.length }, async () => {
            await runner.ensureOracle(scope, labelled)
            return scoreOf(seed, ORACLE_KEY, a, runner.oraclePredDir(scope, a.id))
          }),
        )
      }
    // The context network's own source model as reference rows, when the table has OURS rows.
    const oursRows = entries.some((e) => rowChain(e.row).some((st) => rowVariant(st) === 'ours'))
    if (references && oursRows) {
      const refCell = (id: Record<string, unknown>, album: PisAlbum, user: string): void => {
        if (uncached(id)) needsContext.add('ours')
        tasks.push(
          cell(id, async () =>
            (await runner.ensureContextReference('ours'))
              ? scoreOf(seed, id.entry as string, album, runner.contextSourcePredDir('ours', user))
              : [],
          ),
        )
      }
      for (const a of albums) refCell({ seed, entry: CONTEXT_NODA_KEY, user: a.id }, a, a.id)
      if (sourceValAlbum) refCell({ seed, entry: CONTEXT_SOURCE_VAL_KEY }, sourceValAlbum, SOURCE_VAL_USER)
    }
    if (needsSource)
      prep.push(async () => {
        await runner.ensureSource()
        return []
      })
    for (const v of needsContext)
      if (v !== 'none')
        prep.push(async () => {
          await runner.ensureContext(v)
          return []
        })
  }
  const workers = Math.max(1, o.workers ?? 1)
  log(`${tasks.length} cells, ${workers} at a time`)
  // Source models first, each its own pool task: No-DA's and a context network's (from scratch) train at
  // once instead of one cell waiting idle on the other's.
  for (const r of await runPool([...prep, ...tasks], workers)) raw.push(...r)
  for (const runner of runners) {
    sourceSeconds += runner.sourceSeconds
    for (const [k, v] of Object.entries(runner.seconds)) byMethod[k] = (byMethod[k] ?? 0) + v
    for (const [k, c] of Object.entries(runner.costs)) costs[k] = mergeCost(costs[k], c)
    for (const [k, c] of Object.entries(runner.runCosts)) runCosts[k] = mergeRunCost(runCosts[k], c)
  }
  // Cells finish in any order; the raw scores are listed in one fixed order so the JSON does not depend on it.
  raw.sort((x, y) => x.seed - y.seed || cmp(x.method, y.method) || cmp(x.user, y.user))

  const sum = (key: string): Summary | null => summarize(raw, key, o.seeds, users)
  const methods: MethodsBenchResult['methods'] = {}
  const perClass: MethodsBenchResult['perClass'] = {}
  for (const m of o.methods) {
    const s = sum(m)
    if (!s) continue
    const pc = summarizePerClass(raw, m, o.seeds)
    if (pc) perClass[m] = pc
    const c = costs[m]
    const rc = runCosts[m]
    methods[m] = { ...s, ...(c ? { cost: costOf(c) } : {}), ...(rc ? { runCost: runCostOf(rc) } : {}) }
  }
  const oracleSummary: MethodSummary | null = sum(ORACLE_KEY)
  const contextNoda: MethodSummary | null = sum(CONTEXT_NODA_KEY)
  const noda = methods['noda']
  const rows: [string, MethodSummary][] = [
    ...Object.entries(methods),
    ...(contextNoda ? [[CONTEXT_NODA_KEY, contextNoda] as [string, MethodSummary]] : []),
    ...(oracleSummary ? [[ORACLE_KEY, oracleSummary] as [string, MethodSummary]] : []),
  ]
  for (const [m, summary] of rows) {
    if (m === 'noda' || !noda) continue
    const p = pairedVsNoda(raw, m, o.seeds, users)
    if (p) summary.pairedVsNoda = p
    if (oracleSummary && m !== ORACLE_KEY) {
      const gap = oracleSummary.fiou - noda.fiou
      summary.gapClosed = gap > 0 ? (summary.fiou - noda.fiou) / gap : null
    }
  }
  let ablations: AblationsResult | null = null
  if (o.ablations) {
    const ab = o.ablations
    ablations = { method: ab.method, data: {}, k: {}, context: {} }
    for (const d of ab.data) {
      const s = sum(`data:${d}`)
      if (s) ablations.data[d] = { ...s, trainImages: trainImages[d] ?? 0 }
    }
    for (const k of ab.k) {
      const s = sum(`k:${k}`)
      if (s)
        ablations.k[String(k)] = {
          ...s,
          effectiveK: Object.fromEntries(
            albums.map((a) => [a.id, kGroups.get(`${a.id}/${clampK(k, a.images.length)}`)?.k ?? 0]),
          ),
        }
    }
    for (const v of ab.context) {
      const s = sum(`context:${v}`)
      if (s) ablations.context[v] = s
    }
  }
  return {
    methods,
    perClass,
    ablations,
    ceilings: benchCeilings(albums, o.size, NUM_CLASSES),
    sourceVal: summarize(raw, SOURCE_VAL_KEY, o.seeds, [SOURCE_VAL_KEY]),
    oracle: oracleSummary,
    contextSourceVal: summarize(raw, CONTEXT_SOURCE_VAL_KEY, o.seeds, [SOURCE_VAL_KEY]),
    contextNoda,
    cells,
    raw,
    seconds: { total: (performance.now() - t0) / 1000, source: sourceSeconds, byMethod },
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const stem = (file: string): string => path.basename(file).replace(/\.[^.]*$/, '')

/**
 * The source files with their k-means cluster (colour features, one cluster per IMAGES_PER_CLUSTER
 * images); a file whose image cannot be decoded is left out (and reported).
 */
async function clusterSource(
  files: readonly LabelledFile[],
  onProblem: (p: FileProblem) => void,
): Promise<(LabelledFile & { group: number })[]> {
  const items = files.map((f, i) => ({ image: f.image, name: `s${i}` }))
  const g = await clusterItems(items, Math.max(1, Math.round(files.length / IMAGES_PER_CLUSTER)), onProblem)
  return g.items.flatMap((it) =>
    it.group === undefined ? [] : [{ ...files[Number(it.name.slice(1))]!, group: it.group }],
  )
}

/** Album images per k-means cluster (PIS: ~670 images in K = 80 clusters, about 8 per cluster). */
export const IMAGES_PER_CLUSTER = 8

/** Raw-score keys of the reference rows. */
export const SOURCE_VAL_KEY = 'source-val'
export const ORACLE_KEY = 'oracle'
/** Raw-score keys of the group-context network's own source model (reference rows, variant 'ours'). */
export const CONTEXT_NODA_KEY = 'noda-context'
export const CONTEXT_SOURCE_VAL_KEY = 'source-val-context'

/**
 * The album's labelled non-validation images (the target oracle's training set): masks from the
 * generator's `oracle/<id>/` folder (synthetic presets with oracle masks), else from the album's own
 * SegmentationClass (a PIS album whose train split has GT). Empty: no oracle for this user.
 */
export function albumOracleFiles(benchmark: string, album: PisAlbum): LabelledFile[] {
  const val = new Set(album.valNames)
  const dirs = [path.join(benchmark, 'oracle', album.id), path.join(album.dir, 'SegmentationClass')]
  const out: LabelledFile[] = []
  for (const i of album.images) {
    if (val.has(i.name)) continue
    const mask = dirs.map((d) => path.join(d, `${i.name}.png`)).find((f) => fs.existsSync(f))
    if (mask) out.push({ image: i.file, mask })
  }
  return out
}

/** What the benchmark's data is: its manifest when it has one (the generator's), else its path. */
function benchmarkFingerprint(benchmark: string): string {
  const m = path.join(benchmark, 'manifest.json')
  return fs.existsSync(m) ? stableHash(fs.readFileSync(m, 'utf8')) : path.resolve(benchmark)
}

/**
 * A method's paired FIoU difference to No-DA: per (seed, user) the per-image differences on the same
 * validation images, bootstrap CI over images within each stratum (paired-bootstrap.ts).
 */
export function pairedVsNoda(
  raw: readonly RawScore[],
  key: string,
  seeds: readonly number[],
  users: readonly string[],
): PairedVsNoda | null {
  const strata: number[][] = []
  for (const seed of seeds)
    for (const user of users) {
      const m = raw.find((r) => r.seed === seed && r.user === user && r.method === key)?.images
      const b = raw.find((r) => r.seed === seed && r.user === user && r.method === 'noda')?.images
      if (!m || !b) continue
      strata.push(
        pairedDiffs(new Map(Object.entries(m)), new Map(Object.entries(b)), `seed ${seed} ${user} ${key}`),
      )
    }
  if (strata.every((s) => s.length === 0)) return null
  const p = pairedBootstrap(strata)
  return { fiou: p }
}

function mergeCost(a: ExtraCostSum | undefined, b: ExtraCostSum): ExtraCostSum {
  if (!a) return b
  return {
    images: a.images + b.images,
    totalMs: a.totalMs + b.totalMs,
    predictMs: a.predictMs + b.predictMs,
    plainMs: a.plainMs + b.plainMs,
    crfMs: a.crfMs + b.crfMs,
    passes: b.passes,
    crf: b.crf,
  }
}

function mergeRunCost(a: RunCostSum | undefined, b: RunCostSum): RunCostSum {
  if (!a) return b
  const stages = { ...a.stages }
  for (const [k, v] of Object.entries(b.stages)) stages[k] = (stages[k] ?? 0) + v
  return { runs: a.runs + b.runs, images: a.images + b.images, seconds: a.seconds + b.seconds, stages }
}
