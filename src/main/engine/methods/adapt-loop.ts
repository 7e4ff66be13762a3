/**
 * The adaptation loop of one run (any method of the registry): build the segmenter (with the group
 * context module when the run has one) and the method's discriminators, start them from `init` (the
 * source model, or a stage-1 run) or restore the run's latest checkpoint, make the pseudo labels of a
 * two-stage method from the stage-1 model, then for each iteration draw the source / target / pseudo
 * batches of (seed, iteration), take one method step at the poly learning rates, report every loss term,
 * and checkpoint every N iterations. Like the supervised loop it runs in the engine worker and yields to
 * the event loop between steps so a cancel arrives before the next step.
 */
import * as path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { selectBackend, type BackendReport } from '../backend/select-backend'
import { createDiscriminator } from '../models/registry'
import type { Discriminator } from '../models/discriminator'
import { normalizeImages } from '../models/preprocess'
import type { SegmentationModel } from '../models/segnet'
import type { FileProblem } from '../runs/file-dataset'
import { Adam, SgdMomentum } from '../train/optimizers'
import { polyLr } from '../train/schedule'
import type { ShapesBatch } from '../data/synthetic-shapes'
import { contextFor, type AdaptConfig } from './adapt-config'
import {
  checkAdaptResumable,
  D_AUX_DIR,
  D_MAIN_DIR,
  latestAdaptCheckpoint,
  loadInto,
  recordAdaptStart,
  removeUnfinishedAdaptCheckpoints,
  restoreAdaptCheckpoint,
  saveAdaptCheckpoint,
  writeAdaptRunFile,
  type AdaptLossPoint,
} from './adapt-checkpoint'
import {
  BatchStream,
  loadLabelledFiles,
  loadSourceFiles,
  loadTargetImages,
  pseudoStream,
  targetStream,
} from './adapt-data'
import { fdaBatch } from './fda'
import { predictAlbumEntropy } from './predict-album'
import { readPseudoSummary, selectPseudoLabels, writePseudoLabels, type PseudoSummary } from './pseudo-labels'
import { configNeedsStage1, configUsesDiscriminators, type MethodConfig } from './registry'
import { methodStep, type AdaptBatch, type StepLosses } from './steps'
import * as fs from 'node:fs'
import { writeFileAtomic } from '../../files/atomic-file'
import { detectCollapse, type Collapse, type PredictionStats } from './collapse-detector'
import { collapseCheckEvery, CollapseProbe } from './collapse-probe'
import { adaptArchitecture, buildSegmenter, loadPthSource, loadTorchCheckpoint } from './build-segmenter'
import { auxlessNotice, type ModelArchitecture } from './source-model'

export interface AdaptStarted {
  backend: BackendReport
  fromIteration: number
  resumedFrom: string | null
  /** Where the weights came from at iteration 0, and how many parameters it did not have (e.g. context). */
  init: { kind: 'checkpoint' | 'adapt-run' | 'pth' | 'fresh'; path: string | null; missingParams: number }
  sourceImages: number
  targetImages: number
  /** Whether target / pseudo batches are drawn one group at a time. */
  groupedTarget: boolean
  contextVariant: string
  /** What a resume could not restore exactly (e.g. an old checkpoint without the dropout RNG state). */
  notes: string[]
}

export interface AdaptProgress {
  iteration: number
  steps: number
  /** The segmenter objective. */
  loss: number
  /** Every loss term of the step (seg, advMain, dMain, pse, …). */
  terms: StepLosses
  lr: number
  lrD: number
  msPerStep: number
  imagesPerSecond: number
  etaSeconds: number
  tensorsBefore: number
  tensorsAfter: number
}

export interface AdaptCheckpoint {
  iteration: number
  path: string
}

/** A stage the collapse detector stopped: at which step, onto what, from what the stage started with. */
export interface AdaptStopped {
  iteration: number
  steps: number
  collapse: Collapse
  start: PredictionStats
  now: PredictionStats
}

export type AdaptOutcome = {
  status: 'done' | 'cancelled'
  iteration: number
  losses: AdaptLossPoint[]
  /** Set when the stage ended early on a collapse (status 'done', iteration < steps). */
  stopped?: AdaptStopped
}

export interface AdaptHooks {
  shouldStop(): boolean
  onProblem?(p: FileProblem): void
  onStarted?(s: AdaptStarted): void
  onPseudo?(s: PseudoSummary): void
  onProgress?(p: AdaptProgress): void
  onCheckpoint?(c: AdaptCheckpoint): void
  /** Called with the trained model after the last step (not after a cancel), before it is released. */
  afterTraining?(model: SegmentationModel): Promise<void>
}

const RATE_WINDOW = 8

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

interface Nets {
  model: SegmentationModel
  dMain: Discriminator | null
  dAux: Discriminator | null
  seg: SgdMomentum
  dMainOpt: Adam | null
  dAuxOpt: Adam | null
}

function buildNets(config: AdaptConfig, arch: ModelArchitecture): Nets {
  const model = buildSegmenter(arch, {
    width: config.width,
    numClasses: config.numClasses,
    seed: config.seed,
    context: contextFor(config),
  })
  const m = config.method
  const useD = configUsesDiscriminators(m)
  // An imported model without an aux head has no aux map for the aux discriminator to judge.
  const useDAux = useD && (arch.kind === 'segnet' || model.config.aux)
  const dOpt = (): Adam | null =>
    useD && 'd' in m ? new Adam({ beta1: m.d.beta1, beta2: m.d.beta2, epsilon: 1e-8, weightDecay: 0 }) : null
  return {
    model,
    dMain: useD
      ? createDiscriminator({ seed: (config.seed + 1) >>> 0, ndf: config.ndf }, config.numClasses, D_MAIN_DIR)
      : null,
    dAux: useDAux
      ? createDiscriminator({ seed: (config.seed + 2) >>> 0, ndf: config.ndf }, config.numClasses, D_AUX_DIR)
      : null,
    seg: new SgdMomentum({ momentum: m.seg.momentum, weightDecay: m.seg.weightDecay }),
    dMainOpt: dOpt(),
    dAuxOpt: dOpt(),
  }
}

function disposeNets(n: Nets): void {
  n.model.dispose()
  n.dMain?.dispose()
  n.dAux?.dispose()
  n.seg.dispose()
  n.dMainOpt?.dispose()
  n.dAuxOpt?.dispose()
}

async function applyInit(config: AdaptConfig, n: Nets): Promise<AdaptStarted['init']> {
  const init = config.init
  if (!init) return { kind: 'fresh', path: null, missingParams: 0 }
  if (init.kind === 'pth') {
    await loadPthSource(n.model, init)
    return { kind: 'pth', path: init.file, missingParams: 0 }
  }
  if (init.kind === 'checkpoint') {
    if (await loadTorchCheckpoint(n.model, init.dir))
      return { kind: 'checkpoint', path: init.dir, missingParams: 0 }
    const missing = await loadInto(init.dir, n.model.params, false)
    return { kind: 'checkpoint', path: init.dir, missingParams: missing.length }
  }
  const ck = latestAdaptCheckpoint(init.runDir)
  if (!ck) throw new Error(`${init.runDir}: the stage-1 run has no complete checkpoint`)
  const missing = await loadInto(ck.dir, n.model.params, false)
  // The stage-2 objective contains stage 1's: its discriminators continue too, when both runs have them.
  for (const [d, sub] of [
    [n.dMain, D_MAIN_DIR],
    [n.dAux, D_AUX_DIR],
  ] as const) {
    if (d && fs.existsSync(path.join(ck.dir, sub))) await loadInto(path.join(ck.dir, sub), d.params, true)
  }
  return { kind: 'adapt-run', path: ck.dir, missingParams: missing.length }
}

function toTensors(
  raw: ShapesBatch,
  images: Float32Array = raw.images,
): { images: tf.Tensor4D; labels: tf.Tensor3D } {
  return tf.tidy(() => ({
    images: normalizeImages(tf.tensor4d(images, [raw.n, raw.size, raw.size, 3])),
    labels: tf.tensor3d(raw.labels, [raw.n, raw.size, raw.size], 'int32'),
  }))
}

function usesTargetBatch(m: MethodConfig): boolean {
  return m.kind !== 'noda' && !(m.kind === 'mrnet' && m.stage === 2)
}

function pseudoDue(m: MethodConfig, it: number): boolean {
  if (m.kind === 'pss-s2') return it % m.pseudoEvery === 0
  return m.kind === 'mrnet' && m.stage === 2
}

/** Makes (or, on a resume, reuses) the run's pseudo labels from the current model (the stage-1 weights). */
async function ensurePseudo(
  config: AdaptConfig,
  model: SegmentationModel,
  hooks: AdaptHooks,
): Promise<PseudoSummary> {
  const existing = readPseudoSummary(config.runDir)
  if (existing) return existing
  const m = config.method
  if (m.kind !== 'pss-s2' && m.kind !== 'mrnet') throw new Error(`${m.kind} has no pseudo labels`)
  const preds = await predictAlbumEntropy(model, config.target, config.size, config.batch, hooks.onProblem)
  const labels = selectPseudoLabels(preds, m.pseudo, config.numClasses)
  const pixels = preds.reduce((s, p) => s + p.labels.length, 0)
  return writePseudoLabels(config.runDir, labels, m.pseudo, preds.length, pixels)
}

const PROBE_START_FILE = 'collapse-probe-start.json'

/** The probe's statistics at the stage's start: measured on a fresh start, read back on a resume. */
function probeStart(runDir: string, resumed: boolean, measure: () => PredictionStats): PredictionStats {
  const file = path.join(runDir, PROBE_START_FILE)
  if (resumed && fs.existsSync(file)) {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as PredictionStats
    } catch {
      // An unreadable record: the resumed weights stand in for the start (a weaker reference, still a guard).
    }
  }
  const s = measure()
  writeFileAtomic(file, JSON.stringify(s))
  return s
}

export async function runAdaptation(
  config: AdaptConfig,
  resume: boolean,
  hooks: AdaptHooks,
): Promise<AdaptOutcome> {
  if (resume) checkAdaptResumable(config)
  else writeAdaptRunFile(config)
  removeUnfinishedAdaptCheckpoints(config.runDir)
  const backend = await selectBackend({ force: config.backend, env: process.env })
  const m = config.method
  // Source batches are grouped like the target's when the network has a context and the files have groups.
  const src = await loadSourceFiles(config.source, config.numClasses, contextFor(config).variant !== 'none')
  for (const p of src.problems) hooks.onProblem?.(p)
  if (src.items.length === 0)
    throw new Error(`none of the ${config.source.length} source images could be used`)
  const tgt = usesTargetBatch(m) ? await loadTargetImages(config.target) : { items: [], problems: [] }
  for (const p of tgt.problems) hooks.onProblem?.(p)
  if (usesTargetBatch(m) && tgt.items.length === 0)
    throw new Error(`none of the ${config.target.length} album images could be used`)

  const ctx = contextFor(config)
  const grouped = ctx.variant !== 'none'
  const arch = adaptArchitecture(config)
  const nets = buildNets(config, arch)
  let probe: CollapseProbe | null = null
  try {
    let iteration = 0
    let losses: AdaptLossPoint[] = []
    const ckpt = resume ? latestAdaptCheckpoint(config.runDir) : null
    let init: AdaptStarted['init'] = { kind: 'fresh', path: null, missingParams: 0 }
    const notes: string[] = []
    if (arch.kind === 'torchvision' && !nets.model.config.aux) notes.push(auxlessNotice(m.kind, arch.arch))
    if (ckpt) {
      // What could not be restored exactly is said twice: in the start report and as a run problem.
      for (const n of await restoreAdaptCheckpoint(ckpt.dir, ckpt.state, nets)) {
        notes.push(`${n.file}: ${n.reason}`)
        hooks.onProblem?.(n)
      }
      iteration = ckpt.state.iteration
      losses = ckpt.state.losses.filter((l) => l.iteration <= iteration)
    } else {
      init = await applyInit(config, nets)
    }

    let pseudo: BatchStream | null = null
    if (configNeedsStage1(m)) {
      const summary = await ensurePseudo(config, nets.model, hooks)
      hooks.onPseudo?.(summary)
      const byName = new Map(config.target.map((t) => [t.name, t]))
      const files = summary.files.flatMap((f) => {
        const t = byName.get(f.name)
        return t ? [{ image: t.image, mask: path.join(config.runDir, f.mask), group: t.group }] : []
      })
      // One file at a time, so each decoded item keeps its image's group.
      const items: Awaited<ReturnType<typeof loadLabelledFiles>>['items'] = []
      const groups: (number | undefined)[] = []
      for (const f of files) {
        const r = await loadLabelledFiles([f], config.numClasses)
        for (const p of r.problems) hooks.onProblem?.(p)
        if (r.items[0]) {
          items.push(r.items[0])
          groups.push(f.group)
        }
      }
      if (items.length === 0) throw new Error('no pseudo-labelled image could be used')
      pseudo = pseudoStream(items, groups, config.seed, config.batch, config.size, grouped)
    }
    const source = new BatchStream(src.items, config.seed, config.batch, config.size, src.groups)
    const target = usesTargetBatch(m)
      ? targetStream(tgt.items, config.seed, config.batch, config.size, grouped)
      : null

    recordAdaptStart(config.runDir, {
      at: new Date().toISOString(),
      fromIteration: iteration,
      backend: backend.name,
    })
    hooks.onStarted?.({
      backend,
      fromIteration: iteration,
      resumedFrom: ckpt?.dir ?? null,
      init,
      sourceImages: src.items.length,
      targetImages: tgt.items.length,
      groupedTarget: target?.grouped ?? false,
      contextVariant: ctx.variant,
      notes,
    })

    // The collapse detector compares the probe's predictions with the stage's start (kept for a resume).
    const watch =
      config.collapseGuard && tgt.items.length > 0
        ? new CollapseProbe(
            tgt.items.map((t) => t.decoded),
            config.seed,
            config.size,
            config.numClasses,
          )
        : null
    probe = watch
    const start = watch ? probeStart(config.runDir, ckpt !== null, () => watch.stats(nets.model)) : null
    const checkEvery = collapseCheckEvery(config.steps)
    const recentMs: number[] = []
    const dLr = 'd' in m ? m.d.lr : 0
    while (iteration < config.steps) {
      await yieldToEventLoop()
      if (hooks.shouldStop()) return { status: 'cancelled', iteration, losses }
      const it = iteration + 1
      const t0 = performance.now()
      const tensorsBefore = tf.memory().numTensors
      const rawSrc = source.batchAt(it)
      const rawTgt = target ? target.batchAt(it) : null
      const srcImages =
        m.kind === 'fda' && rawTgt
          ? fdaBatch(rawSrc.images, rawTgt.images, rawSrc.n, rawSrc.size, 3, m.beta)
          : rawSrc.images
      const batch: AdaptBatch = {
        source: toTensors(rawSrc, srcImages),
        target: rawTgt ? toTensors(rawTgt).images : null,
        pseudo: pseudo && pseudoDue(m, it) ? toTensors(pseudo.batchAt(it)) : null,
      }
      const polyMax = m.seg.polyMax ?? config.steps
      const lr = polyLr(m.seg.lr, it - 1, polyMax, m.seg.polyPower)
      const lrD = dLr > 0 ? polyLr(dLr, it - 1, polyMax, m.seg.polyPower) : 0
      let r: StepLosses
      try {
        r = methodStep(m, nets, { seg: nets.seg, dMain: nets.dMainOpt, dAux: nets.dAuxOpt }, batch, {
          seg: lr,
          d: lrD,
        })
      } finally {
        tf.dispose([batch.source.images, batch.source.labels])
        if (batch.target) batch.target.dispose()
        if (batch.pseudo) tf.dispose([batch.pseudo.images, batch.pseudo.labels])
      }
      const tensorsAfter = tf.memory().numTensors
      const loss = r.total ?? NaN
      if (!Number.isFinite(loss)) throw new Error(`training diverged: loss ${loss} at iteration ${it}`)
      iteration = it
      losses.push({ iteration: it, loss, terms: r })
      const ms = performance.now() - t0
      recentMs.push(ms)
      if (recentMs.length > RATE_WINDOW) recentMs.shift()
      const avgMs = recentMs.reduce((a, b) => a + b, 0) / recentMs.length
      const imagesPerStep = config.batch * (1 + (target ? 1 : 0) + (batch.pseudo ? 1 : 0))
      hooks.onProgress?.({
        iteration: it,
        steps: config.steps,
        loss,
        terms: r,
        lr,
        lrD,
        msPerStep: ms,
        imagesPerSecond: (imagesPerStep * 1000) / avgMs,
        etaSeconds: ((config.steps - it) * avgMs) / 1000,
        tensorsBefore,
        tensorsAfter,
      })
      const now =
        watch && start && it < config.steps && it % checkEvery === 0 ? watch.stats(nets.model) : null
      const collapse = now && start ? detectCollapse(start, now) : null
      const due = config.checkpointEvery > 0 && it % config.checkpointEvery === 0
      // A collapsed stage keeps its last weights as a snapshot too: the selection sees (and passes over) them.
      if (due || it === config.steps || collapse) {
        const dir = await saveAdaptCheckpoint({
          runDir: config.runDir,
          ...nets,
          iteration: it,
          losses,
        })
        hooks.onCheckpoint?.({ iteration: it, path: dir })
      }
      if (collapse && now && start) {
        await hooks.afterTraining?.(nets.model)
        return {
          status: 'done',
          iteration,
          losses,
          stopped: { iteration, steps: config.steps, collapse, start, now },
        }
      }
    }
    await hooks.afterTraining?.(nets.model)
    return { status: 'done', iteration, losses }
  } finally {
    probe?.dispose()
    disposeNets(nets)
  }
}
