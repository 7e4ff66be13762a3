/**
 * The methods benchmark on a synthetic (or any VOC + PIS layout) benchmark: per training seed,
 *   1. train the source model once (No-DA, source CE) for `sourceIterations`;
 *   2. for each method and each user, adapt from that checkpoint for `adaptIterations` (Personal setting:
 *      one model per user's album) — No-DA gets the same extra source-only iterations (one model, shared
 *      by all users, as it never sees an album), so every method has equal compute after the source model;
 *      the two-stage methods (pss-s2, mrnet) train their second stage for another `adaptIterations` from
 *      their stage-1 run; `<row>+tta` / `<row>+crf` predict again with that row's models and the option;
 *      SegSort-kNN runs the studio's SegSort run per user (methods-segsort.ts) for the same budget;
 *   3. the ablations (method.md §7) of one row: data setting Personal / MixAll / MixSample (Table 5), the K
 *      sweep (Table 4), the context variant None / Global / Ours (Table 3);
 *   4. predict the albums (grouped batches for the group-context models) and score each user's validation
 *      images with score-album.ts (FIoU, MIoU in the three conventions), and the ceilings of the same
 *      validation GT at the inference geometry (methods-ceilings.ts).
 * Groups for the PSS methods: the album's `train_cluster<K>.txt` (the synthetic generator writes one);
 * the K sweep clusters each album itself (ablations-data.ts). A run shared by two entries (pss-s1 in the
 * table, in the Personal column and as context "ours") is trained once.
 * Results: per user and overall (mean over users per seed), mean ± std over seeds.
 */
import * as path from 'node:path'
import { NUM_CLASSES } from '../../../shared/voc'
import type { ContextVariant } from '../models/config'
import type { TargetItem } from '../methods/adapt-config'
import type { FileProblem } from '../runs/file-dataset'
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
import { SeedRunner, type ExtraCostSum, type RunCostSum, type TargetScope } from './methods-runner'
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

/** `cost`: an inference extra's (+TTA, +CRF); `runCost`: a row with its own trainer's (SegSort-kNN). */
export type MethodSummary = Summary & { cost?: ExtraCost; runCost?: RunCost }

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
  const allUsers = albums.map((a) => ({ user: a.id, images: personal.get(a.id)! }))
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
      allUsers,
      onLog: log,
      onProblem,
    })
    await runner.prepare(entries.flatMap((e) => rowChain(e.row).map(rowVariant)))
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

    const t = performance.now()
    const dirs = new Map<string, Record<string, string>>(users.map((u) => [u, {}]))
    for (const e of entries) {
      for (const { user, scope } of scopesOf(e)) {
        if (e.extra) await runner.ensureExtra(e.row, e.extra, scope)
        else await runner.ensureRow(e.row, scope)
        dirs.get(user)![e.key] = runner.predDir(e.row, e.extra, scope, user)
      }
    }
    log(`seed ${seed}: adaptation ${((performance.now() - t) / 1000).toFixed(1)} s`)

    for (const album of albums) {
      const s = scoreAlbum(album, dirs.get(album.id)!, {}, NUM_CLASSES)
      for (const p of s.problems) onProblem(p)
      for (const e of entries) {
        const um = s.methods[e.key]
        if (um && um.images > 0)
          raw.push({
            seed,
            method: e.key,
            user: album.id,
            scores: scoresOfUser(um),
            perClass: classScoresOf(um),
          })
      }
    }
    sourceSeconds += runner.sourceSeconds
    for (const [k, v] of Object.entries(runner.seconds)) byMethod[k] = (byMethod[k] ?? 0) + v
    for (const [k, c] of Object.entries(runner.costs)) costs[k] = mergeCost(costs[k], c)
    for (const [k, c] of Object.entries(runner.runCosts)) runCosts[k] = mergeRunCost(runCosts[k], c)
  }

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
    raw,
    seconds: { total: (performance.now() - t0) / 1000, source: sourceSeconds, byMethod },
  }
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
