/**
 * The adaptation step of a studio run (run-plan.ts) for the adaptive methods: from the source model, train
 * the method's stages on the labelled source set + the album's images, each an 'adapt' session of the
 * given host (methods/adapt-loop.ts). The album is not predicted here: the run evaluates the last stage's
 * snapshots, chooses one and predicts with it once. Store-free and plain data: the app layer gives file
 * paths and groups.
 *
 * A method's stages are its row of the studio method table (shared/methods.ts), in chain order: the first
 * from the source checkpoint, each later one from the previous stage's run (mrnet: memory regularisation,
 * then rectified pseudo labels; pss: OURS-S1, then OURS-S2 with entropy-selected pseudo labels).
 * The PSS network has a group context module the source (No-DA) model lacks. With the released fusion the
 * classifier reads a freshly initialised projection instead of the PSP features, and the network — warm-
 * started or trained from scratch — predicts background only (docs/BENCHMARKS.md, "Why OURS collapsed").
 * The studio uses the residual fusion: its output scale starts at 0, so the module starts as the identity,
 * OURS-S1 warm-starts from the source checkpoint predicting exactly what No-DA predicts, and the module
 * learns during adaptation. Every method thus gets the same source model and budget (no PSS-only warm-up).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { BackendChoice } from '../backend/backend-choice'
import type { AdaptConfigInput, TargetItem } from '../methods/adapt-config'
import type { MethodConfigInput } from '../methods/registry'
import { importedModelRefusal, readPthSourceRun } from '../methods/source-model'
import { latestCheckpoint } from '../runs/checkpoint-files'
import type { LabelledFile } from '../runs/file-dataset'
import { withCancel, type SessionHost } from '../sessions/session-host'
import type { ChainHooks } from './project-run'
import { makeDirSync } from '../../files/make-dir'
import { VOC_CLASSES } from '../../../shared/voc'
import {
  isStudioMethod,
  methodsWithStep,
  STUDIO_METHODS,
  type MethodsWithStep,
} from '../../../shared/methods'
import type { StageStop } from '../../../shared/adaptation-guard'
import type { AdaptStopped } from '../methods/adapt-loop'
import { collapseMessage } from '../methods/collapse-detector'

/** The studio methods that train registry stages on the album (step 'adapt' in the method table). */
export const ADAPTIVE_METHODS = methodsWithStep('adapt')
export type AdaptiveMethod = MethodsWithStep<'adapt'>

export function isAdaptiveMethod(m: string): m is AdaptiveMethod {
  return isStudioMethod(m) && STUDIO_METHODS[m].step === 'adapt'
}

/** Methods whose network has the group context: their album images need groups (a clustering). */
export function needsGroups(m: AdaptiveMethod): boolean {
  return STUDIO_METHODS[m].groupContext
}

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
  // The stage's own fields (kind, mrnet's stage) win over the overrides: the method decides its stages.
  return STUDIO_METHODS[method].stages.map((s) => ({ ...overrides, ...s.config }) as MethodConfigInput)
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
  const stages = STUDIO_METHODS[method].stages
  const name = stages[stages.length - 1]!.name
  return { name, dir: path.join(runDir, 'adapt', name) }
}

interface Stage {
  name: string
  runDir: string
  steps: number
  config: Pick<AdaptConfigInput, 'method' | 'context' | 'target' | 'init'>
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
  const configs = adaptedStageMethods(o.method, o.methodConfig)
  const names = STUDIO_METHODS[o.method].stages.map((st) => st.name)
  // The residual fusion starts as the identity (see above): OURS-S1 starts from the source model itself.
  const ctx = needsGroups(o.method) ? { variant: 'ours' as const, fusion: 'residual' as const } : null
  return names.map((name, i) => ({
    name,
    runDir: dir(name),
    steps: o.iterations,
    config: {
      method: configs[i]!,
      ...(ctx ? { context: ctx } : {}),
      target: o.target,
      // Each later stage starts from the previous stage's run; the first from the source model.
      init: i > 0 ? { kind: 'adapt-run', runDir: dir(names[i - 1]!) } : fromSource,
    },
  }))
}

/** What the adaptation stages did: cancelled or done, and the stages the collapse detector stopped. */
export interface AdaptStagesOutcome {
  status: 'done' | 'cancelled'
  /** Stages the collapse detector stopped early. */
  stops: StageStop[]
}

/** Trains the method's stages from the source run, one 'adapt' session of `host` per stage. */
export async function runAdaptStages(
  o: ProjectAdaptOptions,
  sourceRunDir: string,
  hooks: ChainHooks,
  host: SessionHost,
): Promise<AdaptStagesOutcome> {
  const ckpt = latestCheckpoint(sourceRunDir)
  if (!ckpt) throw new Error(`${sourceRunDir}: the source model has no checkpoint to adapt from`)
  const stages = stagesOf(o, ckpt.dir, sourceRunDir)
  const total = stages.reduce((a, s) => a + s.steps, 0)
  let before = 0
  const stops: StageStop[] = []
  for (const st of stages) {
    // A stage always trains afresh in its folder (a retried run repeats it: same seed, same result).
    fs.rmSync(st.runDir, { recursive: true, force: true })
    makeDirSync(path.dirname(st.runDir))
    const handle = host.run(
      'adapt',
      {
        config: {
          ...st.config,
          runDir: st.runDir,
          seed: o.seed,
          steps: st.steps,
          batch: o.batch,
          size: o.size,
          width: o.width,
          ndf: o.ndf,
          numClasses: o.numClasses,
          backend: o.backend,
          checkpointEvery: o.snapshotEvery ?? 0,
          collapseGuard: o.collapseGuard === true,
          source: o.source,
        },
      },
      {
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
        onProblem: (p) => hooks.onProblem(p),
      },
    )
    const { status, stopped } = await withCancel(hooks.signal, () => handle.cancel(), handle.result)
    if (status !== 'done') return { status: 'cancelled', stops }
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
      // The later stages would start from collapsed weights: the chain ends here. When the last stage
      // never ran it has no snapshot, and the source model (iteration 0) is what the run keeps.
      return { status: 'done', stops }
    }
    before += st.steps
  }
  return { status: 'done', stops }
}
