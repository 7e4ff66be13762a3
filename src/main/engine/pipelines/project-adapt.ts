/**
 * The adaptation step of a studio run (project-run.ts's `AdaptStep`) for the adaptive methods: from the
 * source model, train the method's stages on the labelled source set + the album's images in the engine
 * worker (methods/adapt-loop.ts), then predict the album with the last stage's model (group batches when it
 * has the group context). Store-free: the app layer gives file paths and groups.
 *
 * Stages per studio method:
 *   minent, advent, adaptseg, maxsquare, fda,
 *   bn-only (control)                          one stage from the source checkpoint;
 *   mrnet                                      stage 1 (memory regularisation), stage 2 (rectified pseudo labels);
 *   pss                                        the context network's source model (see below), OURS-S1 from it,
 *                                              OURS-S2 (entropy-selected pseudo labels) from OURS-S1.
 * The PSS network has a group context module the source (No-DA) model lacks. Warm-starting it from the
 * source weights leaves that module random, and a short adaptation cannot train it (measured on the tiny
 * benchmark: all-background predictions), so the context network first trains on the source set alone —
 * as many iterations as the source model, at its learning rate — and that model is kept in the source
 * run's folder for every later PSS run that uses the same source model.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { BackendChoice } from '../backend/backend-choice'
import { latestAdaptCheckpoint } from '../methods/adapt-run-file'
import type { AdaptConfigInput, TargetItem } from '../methods/adapt-config'
import type { MethodConfigInput } from '../methods/registry'
import { importedModelRefusal, readPthSourceRun } from '../methods/source-model'
import { latestCheckpoint } from '../runs/checkpoint-files'
import type { LabelledFile } from '../runs/file-dataset'
import { startAdaptationWorker } from '../sessions/starters'
import { withCancel, type AdaptStep, type ChainHooks, type ProjectRunPlan } from './project-run'
import { makeDirSync } from '../../files/make-dir'
import { VOC_CLASSES } from '../../../shared/voc'
import type { StageStop } from '../../../shared/adaptation-guard'
import type { AdaptStopped } from '../methods/adapt-loop'
import { collapseMessage } from '../methods/collapse-detector'

export const ADAPTIVE_METHODS = [
  'minent',
  'advent',
  'adaptseg',
  'maxsquare',
  'fda',
  'mrnet',
  'pss',
  'bn-only',
] as const
export type AdaptiveMethod = (typeof ADAPTIVE_METHODS)[number]

export function isAdaptiveMethod(m: string): m is AdaptiveMethod {
  return (ADAPTIVE_METHODS as readonly string[]).includes(m)
}

/** Methods whose network has the group context: their album images need groups (a clustering). */
export function needsGroups(m: AdaptiveMethod): boolean {
  return m === 'pss'
}

/** Folder (inside the source run) of the PSS context network's source model. */
export const CONTEXT_SOURCE_DIR = 'context-source'

export interface ProjectAdaptOptions {
  method: AdaptiveMethod
  /** The album run's folder: stages train in <runDir>/adapt/<stage>/. */
  runDir: string
  seed: number
  /** Iterations of each adaptation stage. */
  iterations: number
  size: number
  batch: number
  width: 16 | 32
  /** Discriminator width (ADVENT: 64; 16 keeps adversarial steps affordable on a CPU). */
  ndf: number
  backend: BackendChoice
  numClasses: number
  source: LabelledFile[]
  /** The album's images (name = prediction stem), with their group when the album is clustered. */
  target: TargetItem[]
  /** The source model's training: the PSS context network's source stage repeats it. */
  sourceTraining: { iterations: number; lr: number }
  /** Keep a snapshot every this many iterations in the album run's stages (0 or absent: only the last). */
  snapshotEvery?: number
  /** Stop an adaptation stage whose album predictions collapse (methods/collapse-detector.ts). */
  collapseGuard?: boolean
  /** Settings of the method's adaptation stages over the registry defaults (e.g. {seg: {lr}}), checked by adaptedStageMethods. */
  methodConfig?: Record<string, unknown>
}

/** The registry configs of a method's adaptation stages (the context network's source stage aside), in chain order. */
export function adaptedStageMethods(
  method: AdaptiveMethod,
  overrides: Record<string, unknown> = {},
): MethodConfigInput[] {
  const kinds: MethodConfigInput[] =
    method === 'mrnet'
      ? [
          { kind: 'mrnet', stage: 1 },
          { kind: 'mrnet', stage: 2 },
        ]
      : method === 'pss'
        ? [{ kind: 'pss-s1' }, { kind: 'pss-s2' }]
        : [{ kind: method }]
  return kinds.map((k) => ({ ...overrides, ...k }) as MethodConfigInput)
}

/** A stage the collapse detector stopped, as the run records it. */
function stageStop(stage: string, stopped: AdaptStopped): StageStop {
  const c = stopped.collapse
  return {
    stage,
    iteration: stopped.iteration,
    steps: stopped.steps,
    kind: c.kind,
    share: c.share,
    startShare: c.startShare,
    message: collapseMessage(
      stage,
      stopped.iteration,
      stopped.steps,
      c,
      VOC_CLASSES[c.classId] ?? `class ${c.classId}`,
    ),
  }
}

/** The stage whose model predicts the album (its snapshots are the ones a run selects from), and its folder. */
export function finalStage(method: AdaptiveMethod, runDir: string): { name: string; dir: string } {
  const name = method === 'mrnet' ? 'mrnet-s2' : method === 'pss' ? 'pss-s2' : method
  return { name, dir: path.join(runDir, 'adapt', name) }
}

interface Stage {
  name: string
  runDir: string
  steps: number
  config: Pick<AdaptConfigInput, 'method' | 'context' | 'target' | 'init'>
  predicts: boolean
  /** A stage whose finished run is reused when present (the shared context source model). */
  reusable?: boolean
}

function stagesOf(o: ProjectAdaptOptions, sourceCkpt: string, sourceRunDir: string): Stage[] {
  const dir = (name: string): string => path.join(o.runDir, 'adapt', name)
  // An imported PyTorch model (a pth-source folder) starts each first stage from its .pth, by name and sha256.
  const imported = readPthSourceRun(sourceRunDir)
  if (imported) {
    const refusal = importedModelRefusal(o.method, imported.source.arch, imported.source.aux)
    if (refusal) throw new Error(refusal)
  }
  const fromSource: AdaptConfigInput['init'] = imported?.source ?? {
    kind: 'checkpoint' as const,
    dir: sourceCkpt,
  }
  const [first, second] = adaptedStageMethods(o.method, o.methodConfig)
  const single = (method: MethodConfigInput): Stage[] => [
    {
      name: method.kind,
      runDir: dir(method.kind),
      steps: o.iterations,
      config: { method, target: o.target, init: fromSource },
      predicts: true,
    },
  ]
  switch (o.method) {
    case 'minent':
    case 'advent':
    case 'adaptseg':
    case 'maxsquare':
    case 'fda':
    case 'bn-only':
      return single(first!)
    case 'mrnet':
      return [
        {
          name: 'mrnet-s1',
          runDir: dir('mrnet-s1'),
          steps: o.iterations,
          config: { method: first!, target: o.target, init: fromSource },
          predicts: false,
        },
        {
          name: 'mrnet-s2',
          runDir: dir('mrnet-s2'),
          steps: o.iterations,
          config: { method: second!, target: o.target, init: { kind: 'adapt-run', runDir: dir('mrnet-s1') } },
          predicts: true,
        },
      ]
    case 'pss': {
      const contextDir = path.join(sourceRunDir, CONTEXT_SOURCE_DIR)
      const ctx = { variant: 'ours' as const }
      return [
        {
          name: 'context-source',
          runDir: contextDir,
          steps: o.sourceTraining.iterations,
          config: {
            method: { kind: 'noda', seg: { lr: o.sourceTraining.lr } },
            context: ctx,
            target: [],
            init: fromSource,
          },
          predicts: false,
          reusable: true,
        },
        {
          name: 'pss-s1',
          runDir: dir('pss-s1'),
          steps: o.iterations,
          // Filled in once the context source model exists (its latest checkpoint).
          config: { method: first!, context: ctx, target: o.target, init: null },
          predicts: false,
        },
        {
          name: 'pss-s2',
          runDir: dir('pss-s2'),
          steps: o.iterations,
          config: {
            method: second!,
            context: ctx,
            target: o.target,
            init: { kind: 'adapt-run', runDir: dir('pss-s1') },
          },
          predicts: true,
        },
      ]
    }
    default: {
      const never: never = o.method
      throw new Error(`unknown adaptive method ${String(never)}`)
    }
  }
}

/** A finished run folder: its latest checkpoint is its last iteration. */
function finished(runDir: string, steps: number): string | null {
  const c = latestAdaptCheckpoint(runDir)
  return c && c.state.iteration >= steps ? c.dir : null
}

export function projectAdaptStep(o: ProjectAdaptOptions): AdaptStep {
  return {
    async run(sourceRunDir: string, predict: ProjectRunPlan['predict'], hooks: ChainHooks) {
      const ckpt = latestCheckpoint(sourceRunDir)
      if (!ckpt) throw new Error(`${sourceRunDir}: the source model has no checkpoint to adapt from`)
      const stages = stagesOf(o, ckpt.dir, sourceRunDir)
      const total = stages.reduce((a, s) => a + s.steps, 0)
      let before = 0
      let lastDir = o.runDir
      const stops: StageStop[] = []
      for (const [i, st] of stages.entries()) {
        const reused = st.reusable ? finished(st.runDir, st.steps) : null
        if (reused === null) {
          const init =
            st.config.init ??
            ({
              kind: 'checkpoint',
              dir: finished(stages[i - 1]!.runDir, stages[i - 1]!.steps) ?? '',
            } as const)
          fs.rmSync(st.runDir, { recursive: true, force: true })
          makeDirSync(path.dirname(st.runDir))
          const handle = startAdaptationWorker(
            {
              ...st.config,
              init,
              runDir: st.runDir,
              seed: o.seed,
              steps: st.steps,
              batch: o.batch,
              size: o.size,
              width: o.width,
              ndf: o.ndf,
              numClasses: o.numClasses,
              backend: o.backend,
              // The shared context source model keeps only its last checkpoint; the album run's stages keep snapshots.
              checkpointEvery: st.reusable ? 0 : (o.snapshotEvery ?? 0),
              // The shared context source model trains on the source set alone: nothing of the album to watch.
              collapseGuard: !st.reusable && o.collapseGuard === true,
              source: o.source,
            },
            {
              ...(st.predicts
                ? {
                    predict: {
                      batch: predict.batch,
                      albums: [{ outDir: predict.outDir, images: o.target }],
                    },
                  }
                : {}),
              onStarted: (s) => hooks.onBackend?.(s.backend.name),
              onProgress: (p) =>
                hooks.onProgress({
                  phase: 'adapt',
                  done: before + p.iteration,
                  total,
                  loss: p.loss,
                  rate: p.msPerStep > 0 ? 1000 / p.msPerStep : null,
                  etaSeconds: p.etaSeconds + ((total - before - p.steps) * p.msPerStep) / 1000,
                  message: `${st.name} iteration ${p.iteration}/${p.steps} · loss ${p.loss.toFixed(4)}`,
                }),
              onPredicted: (r) =>
                hooks.onProgress({
                  phase: 'predict',
                  done: r.images,
                  total: o.target.length,
                  loss: null,
                  rate: null,
                  etaSeconds: null,
                  message: `predicted ${r.images} album images with ${st.name}`,
                }),
              onProblem: (p) => hooks.onProblem(p),
            },
          )
          const { status, stopped } = await withCancel(hooks.signal, () => handle.cancel(), handle.result)
          if (status !== 'done') return { runDir: st.runDir, status: 'cancelled', stops }
          if (stopped) {
            const stop = stageStop(st.name, stopped)
            stops.push(stop)
            hooks.onProgress({
              phase: 'adapt',
              done: total,
              total,
              loss: null,
              rate: null,
              etaSeconds: null,
              message: stop.message,
            })
            // The later stages would start from collapsed weights: the chain ends here. A stage that does not
            // predict the album leaves the prediction to the source model (the run then keeps it).
            if (!st.predicts) return { runDir: st.runDir, status: 'done', stops, predicted: false }
            return { runDir: st.runDir, status: 'done', stops }
          }
        }
        before += st.steps
        lastDir = st.runDir
      }
      return { runDir: lastDir, status: 'done', stops }
    },
  }
}
