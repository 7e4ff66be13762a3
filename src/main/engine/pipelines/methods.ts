/**
 * The methods benchmark on a synthetic (or any VOC + PIS layout) benchmark, Personal setting (one model
 * per user's album): per training seed,
 *   1. train the source model once (No-DA, source CE) for `sourceIterations`;
 *   2. for each method and each user, adapt from that checkpoint for `adaptIterations` — No-DA gets the
 *      same extra source-only iterations (one model, shared by all users, as it never sees an album), so
 *      every method has equal compute after the source model; the two-stage methods (pss-s2, mrnet)
 *      train their second stage for another `adaptIterations` from their stage-1 run;
 *   3. predict the album (grouped batches for the group-context models) and score its validation images
 *      with score-album.ts (FIoU, MIoU in both conventions).
 * Groups for the PSS methods: the album's `train_cluster<K>.txt` (the synthetic generator writes one).
 * Results: per user and overall (mean over users per seed), mean ± std over seeds.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { NUM_CLASSES } from '../../../shared/voc'
import type { ContextVariant } from '../models/config'
import type { UserMetrics } from '../eval/user-metrics'
import { latestCheckpoint } from '../runs/checkpoint'
import { latestAdaptCheckpoint } from '../methods/adapt-checkpoint'
import type { FileProblem } from '../runs/file-dataset'
import { startAdaptationWorker } from '../worker/start-adaptation-worker'
import { startTrainingWorker } from '../worker/start-training-worker'
import { isMethodKind, type MethodConfigInput, type MethodKind } from '../methods/registry'
import type { AdaptConfigInput, TargetItem } from '../methods/adapt-config'
import { readAlbumClusters } from './methods-clusters'
import { listPisAlbums, type PisAlbum } from './pis-albums'
import { scoreAlbum } from './score-album'
import { vocLabelledFiles } from './voc-source'

/** Bench names: the registry kinds, plus the context ablations of stage 1 (Table 3). */
export const BENCH_METHODS = [
  'noda',
  'minent',
  'advent',
  'adaptseg',
  'maxsquare',
  'fda',
  'mrnet',
  'pss-s1',
  'pss-s2',
  'pss-s1-none',
  'pss-s1-global',
] as const
export type BenchMethod = (typeof BENCH_METHODS)[number]

export function isBenchMethod(x: string): x is BenchMethod {
  return (BENCH_METHODS as readonly string[]).includes(x)
}

export interface Scores {
  fiou: number
  miou_all21: number
  miou_present: number | null
}

export interface MeanStd {
  fiou: number
  miou_all21: number
  miou_present: number | null
  std: Scores
  seeds: number
}

export interface MethodsBenchOptions {
  /** Root holding the VOC-layout source set and the PIS-layout albums. */
  benchmark: string
  out: string
  methods: readonly BenchMethod[]
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

export interface MethodsBenchResult {
  methods: Record<string, MeanStd & { perUser: Record<string, MeanStd> }>
  /** Per seed, method, user: the raw scores. */
  raw: { seed: number; method: string; user: string; scores: Scores }[]
  seconds: { total: number; source: number; byMethod: Record<string, number> }
}

const pct = (v: number): number => v * 100
function scoresOf(m: UserMetrics): Scores {
  return {
    fiou: pct(m.fiou),
    miou_all21: pct(m.miouAll21),
    miou_present: Number.isNaN(m.miouPresent) ? null : pct(m.miouPresent),
  }
}

function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: NaN, std: NaN }
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  if (xs.length < 2) return { mean, std: 0 }
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)
  return { mean, std: Math.sqrt(v) }
}

export function aggregate(list: readonly Scores[]): MeanStd {
  const f = meanStd(list.map((s) => s.fiou))
  const a = meanStd(list.map((s) => s.miou_all21))
  const presentList = list.map((s) => s.miou_present).filter((v): v is number => v !== null)
  const p = presentList.length ? meanStd(presentList) : null
  return {
    fiou: f.mean,
    miou_all21: a.mean,
    miou_present: p ? p.mean : null,
    std: { fiou: f.std, miou_all21: a.std, miou_present: p ? p.std : null },
    seeds: list.length,
  }
}

/** The adaptation method config and context of a bench name. */
function methodOf(name: BenchMethod): { method: MethodConfigInput; context?: { variant: ContextVariant } } {
  switch (name) {
    case 'pss-s1-none':
      return { method: { kind: 'pss-s1' }, context: { variant: 'none' } }
    case 'pss-s1-global':
      return { method: { kind: 'pss-s1' }, context: { variant: 'global' } }
    default:
      if (!isMethodKind(name)) throw new Error(`unknown bench method ${name}`)
      return { method: { kind: name as MethodKind } }
  }
}

/** The group-context variant a bench method's model has (none for the baselines). */
function variantOf(name: BenchMethod): ContextVariant {
  if (name === 'pss-s1-global') return 'global'
  if (name === 'pss-s1' || name === 'pss-s2') return 'ours'
  return 'none'
}

function targetItems(album: PisAlbum): TargetItem[] {
  const clusters = readAlbumClusters(album.dir, album.images.length)
  return album.images.map((i) => {
    const g = clusters?.groupOf.get(i.name)
    return g === undefined ? { image: i.file, name: i.name } : { image: i.file, name: i.name, group: g }
  })
}

export async function runMethodsBench(o: MethodsBenchOptions): Promise<MethodsBenchResult> {
  const log = o.onLog ?? (() => {})
  const t0 = performance.now()
  const source = vocLabelledFiles(o.benchmark, 'train')
  const albums = listPisAlbums(o.benchmark)
  const byMethod: Record<string, number> = {}
  const raw: MethodsBenchResult['raw'] = []
  let sourceSeconds = 0
  const common = {
    batch: o.batch,
    size: o.size,
    width: o.width,
    ndf: o.ndf,
    backend: 'wasm' as const,
    numClasses: NUM_CLASSES,
  }

  for (const seed of o.seeds) {
    const seedDir = path.join(o.out, `seed-${seed}`)
    const sourceRun = path.join(seedDir, 'source')
    let t = performance.now()
    if (!latestCheckpoint(sourceRun)) {
      fs.rmSync(sourceRun, { recursive: true, force: true })
      log(`seed ${seed}: source model, ${o.sourceIterations} iterations on ${source.length} images`)
      const r = await startTrainingWorker(
        {
          runDir: sourceRun,
          seed,
          steps: o.sourceIterations,
          batch: o.batch,
          size: o.size,
          width: o.width,
          lr: o.sourceLr,
          checkpointEvery: 0,
          backend: 'wasm',
          data: { kind: 'files', items: source, numClasses: NUM_CLASSES },
        },
        { onProblem: (p) => o.onProblem?.(p) },
      ).result
      if (r.status !== 'done') throw new Error(`source training ended as ${r.status}`)
    }
    const ckpt = latestCheckpoint(sourceRun)
    if (!ckpt) throw new Error(`${sourceRun}: no checkpoint after training`)
    sourceSeconds += (performance.now() - t) / 1000

    const predDir = (method: string, user: string): string => path.join(seedDir, 'predictions', method, user)
    const adapt = async (
      name: string,
      runDir: string,
      cfg: Omit<AdaptConfigInput, 'runDir' | 'seed' | 'steps' | 'source' | keyof typeof common>,
      predict: { outDir: string; images: TargetItem[] }[],
      steps = o.adaptIterations,
    ): Promise<void> => {
      const start = performance.now()
      fs.rmSync(runDir, { recursive: true, force: true })
      let last = ''
      const r = await startAdaptationWorker(
        { ...common, ...cfg, runDir, seed, steps, source },
        {
          predict: { batch: o.batch * 2, albums: predict },
          onProgress: (p) => {
            if (p.iteration === p.steps) {
              last = Object.entries(p.terms)
                .map(([k, v]) => `${k} ${v.toFixed(4)}`)
                .join(', ')
            }
          },
          onProblem: (p) => o.onProblem?.(p),
        },
      ).result
      if (r.status !== 'done') throw new Error(`${name} ended as ${r.status}`)
      const s = (performance.now() - start) / 1000
      byMethod[name] = (byMethod[name] ?? 0) + s
      log(`  ${name} ${path.basename(path.dirname(runDir))}: ${s.toFixed(1)} s; last step ${last}`)
    }

    t = performance.now()
    const init = { kind: 'checkpoint' as const, dir: ckpt.dir }
    // A group-context network has a module the No-DA model lacks (randomly initialised when loaded from
    // it): train it on the source set first — the context network's own source model, shared by users.
    const contextInit = new Map<ContextVariant, { kind: 'checkpoint'; dir: string }>()
    for (const variant of new Set(o.methods.map(variantOf))) {
      if (variant === 'none' || o.contextWarmup === 0) continue
      const runDir = path.join(seedDir, `source-context-${variant}`)
      await adapt(
        `source-context-${variant}`,
        runDir,
        { method: { kind: 'noda', seg: { lr: o.sourceLr } }, context: { variant }, target: [], init },
        [],
        o.contextWarmup,
      )
      const c = latestAdaptCheckpoint(runDir)
      if (!c) throw new Error(`${runDir}: no checkpoint after training`)
      contextInit.set(variant, { kind: 'checkpoint', dir: c.dir })
    }
    const initFor = (name: BenchMethod): { kind: 'checkpoint'; dir: string } =>
      contextInit.get(variantOf(name)) ?? init
    if (o.methods.includes('noda')) {
      await adapt(
        'noda',
        path.join(seedDir, 'noda'),
        { method: { kind: 'noda' }, target: [], init },
        albums.map((a) => ({ outDir: predDir('noda', a.id), images: targetItems(a) })),
      )
    }
    for (const album of albums) {
      const target = targetItems(album)
      const userDir = path.join(seedDir, album.id)
      const predictSelf = (m: string): { outDir: string; images: TargetItem[] }[] => [
        { outDir: predDir(m, album.id), images: target },
      ]
      // In registry order, so a stage-1 run exists before the stage 2 that continues it.
      const wanted = BENCH_METHODS.filter((m) => m !== 'noda' && o.methods.includes(m))
      // pss-s2 continues from pss-s1's run (trained here even when pss-s1 itself is not reported).
      const stage1 = wanted.includes('pss-s2') && !wanted.includes('pss-s1') ? ['pss-s1' as const] : []
      for (const name of [...stage1, ...wanted]) {
        if (name === 'pss-s2') {
          await adapt(
            'pss-s2',
            path.join(userDir, 'pss-s2'),
            {
              method: { kind: 'pss-s2' },
              target,
              init: { kind: 'adapt-run', runDir: path.join(userDir, 'pss-s1') },
            },
            predictSelf('pss-s2'),
          )
        } else if (name === 'mrnet') {
          await adapt(
            'mrnet-stage1',
            path.join(userDir, 'mrnet-s1'),
            { method: { kind: 'mrnet', stage: 1 }, target, init },
            [],
          )
          await adapt(
            'mrnet',
            path.join(userDir, 'mrnet'),
            {
              method: { kind: 'mrnet', stage: 2 },
              target,
              init: { kind: 'adapt-run', runDir: path.join(userDir, 'mrnet-s1') },
            },
            predictSelf('mrnet'),
          )
        } else {
          const m = methodOf(name)
          await adapt(
            name,
            path.join(userDir, name),
            { ...m, target, init: initFor(name) },
            predictSelf(name),
          )
        }
      }
    }
    log(`seed ${seed}: adaptation ${((performance.now() - t) / 1000).toFixed(1)} s`)

    for (const album of albums) {
      const dirs = Object.fromEntries(o.methods.map((m) => [m, predDir(m, album.id)]))
      const s = scoreAlbum(album, dirs, {}, NUM_CLASSES)
      for (const p of s.problems) o.onProblem?.(p)
      for (const m of o.methods) {
        const um = s.methods[m]
        if (um && um.images > 0) raw.push({ seed, method: m, user: album.id, scores: scoresOf(um) })
      }
    }
  }

  const methods: MethodsBenchResult['methods'] = {}
  for (const m of o.methods) {
    const perSeed: Scores[] = []
    for (const seed of o.seeds) {
      const rows = raw.filter((r) => r.seed === seed && r.method === m)
      if (rows.length === 0) continue
      const mean = aggregate(rows.map((r) => r.scores))
      perSeed.push({ fiou: mean.fiou, miou_all21: mean.miou_all21, miou_present: mean.miou_present })
    }
    const perUser: Record<string, MeanStd> = {}
    for (const a of albums) {
      const rows = raw.filter((r) => r.method === m && r.user === a.id)
      if (rows.length) perUser[a.id] = aggregate(rows.map((r) => r.scores))
    }
    methods[m] = { ...aggregate(perSeed), perUser }
  }
  return {
    methods,
    raw,
    seconds: { total: (performance.now() - t0) / 1000, source: sourceSeconds, byMethod },
  }
}
