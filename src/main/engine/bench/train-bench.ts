/**
 * Train-step timing and kernel profiles for the engine benchmark (scripts/bench-engine.mjs bundles this
 * file). A step is forward + backward + optimiser update on batches already in tensors, the same thing
 * the PyTorch peer (scripts/bench/engine/torch_peer.py) times.
 */
import * as tf from '@tensorflow/tfjs'
import { selectBackend, type BackendReport } from '../backend'
import { registerTrainingKernels, unregisterTrainingKernels } from '../kernels/register'
import { makeShapesBatch } from '../data/synthetic-shapes'
import { createDiscriminator, createModel, normalizeImages } from '../models'
import { Rng } from '../train/rng'
import { Adam, SgdMomentum } from '../train/optimizers'
import { adventStep, supervisedStep, type LabelledBatch } from '../train/steps'

// The torchvision rows (--torchvision) are timed by their own module; re-exported so one bundle serves both.
export { profileTorchvisionStep, runTorchvisionBench, TORCHVISION_BENCH_ARCHS } from './torchvision-bench'
export { albumEstimateMinutes, ratio, sampleStats } from './sample-stats'

export const BENCH_BACKENDS = ['wasm', 'cpu', 'cpu-stock'] as const
export type BenchBackend = (typeof BENCH_BACKENDS)[number]
export type BenchMode = 'supervised' | 'adversarial'

/** 'compact' = resnet-compact of `width`; 'resnet50' = the paper's PSP-ResNet-50 (width is ignored). */
export type BenchBackbone = 'compact' | 'resnet50'

export interface BenchConfig {
  backend: BenchBackend
  backbone?: BenchBackbone
  size: number
  width: 16 | 32
  batch: number
  mode: BenchMode
  steps: number
  warmup: number
}

export interface BenchResult {
  config: BenchConfig
  /** Median of the timed steps. */
  msPerStep: number
  samplesMs: number[]
  segParams: number
  discParams: number
  /** Resident set size after the run (MiB): process-wide, includes the wasm heap. */
  rssMiB: number
  /** wasm heap size (MiB) when on wasm: it only grows, so it is the peak. */
  wasmHeapMiB: number | null
  lastLoss: number
}

/** Activates the backend for a config. 'cpu-stock' = tfjs's cpu backend with its own conv gradients. */
export async function useBenchBackend(b: BenchBackend): Promise<BackendReport> {
  if (b === 'cpu-stock') {
    const r = await selectBackend({ force: 'cpu', env: {} })
    unregisterTrainingKernels('cpu')
    return { ...r, trainingKernels: [] }
  }
  const r = await selectBackend({ force: b, env: {} })
  registerTrainingKernels(b)
  return r
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

function makeBatch(rng: Rng, n: number, size: number): LabelledBatch {
  const b = makeShapesBatch(rng, n, size)
  return tf.tidy(() => ({
    images: normalizeImages(tf.tensor4d(b.images, [n, size, size, 3])),
    labels: tf.tensor3d(b.labels, [n, size, size], 'int32'),
  }))
}

function wasmHeapMiB(): number | null {
  if (tf.getBackend() !== 'wasm') return null
  const be = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }
  const heap = be.wasm?.HEAPU8
  return heap ? heap.byteLength / 2 ** 20 : null
}

interface Trainer {
  step(): number
  dispose(): void
  segParams: number
  discParams: number
}

function makeTrainer(cfg: BenchConfig): Trainer {
  const backbone =
    cfg.backbone === 'resnet50'
      ? ({ kind: 'resnet50-dilated' } as const)
      : ({ kind: 'resnet-compact', width: cfg.width } as const)
  const model = createModel('segnet', { backbone, seed: 1 })
  const rng = new Rng(123)
  const source = makeBatch(rng, cfg.batch, cfg.size)
  const target = makeBatch(rng, cfg.batch, cfg.size)
  const seg = new SgdMomentum({ momentum: 0.9, weightDecay: 5e-4 })
  if (cfg.mode === 'supervised') {
    return {
      step: () => supervisedStep(model, seg, source, 2.5e-3).loss,
      dispose: () => {
        tf.dispose([source.images, source.labels, target.images, target.labels])
        seg.dispose()
        model.dispose()
      },
      segParams: model.params.count(),
      discParams: 0,
    }
  }
  const c = model.config.numClasses
  const dMain = createDiscriminator({ ndf: 64, seed: 2 }, c, 'd_main')
  const dAux = createDiscriminator({ ndf: 64, seed: 3 }, c, 'd_aux')
  const adam = () => new Adam({ beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0 })
  const opts = { seg, dMain: adam(), dAux: adam() }
  return {
    step: () => adventStep({ model, dMain, dAux }, opts, source, target.images, 2.5e-3, 1e-4).seg,
    dispose: () => {
      tf.dispose([source.images, source.labels, target.images, target.labels])
      seg.dispose()
      opts.dMain.dispose()
      opts.dAux.dispose()
      ;[model, dMain, dAux].forEach((m) => m.dispose())
    },
    segParams: model.params.count(),
    discParams: dMain.params.count() + dAux.params.count(),
  }
}

export async function runTrainBench(cfg: BenchConfig): Promise<BenchResult> {
  await useBenchBackend(cfg.backend)
  const t = makeTrainer(cfg)
  try {
    let loss = NaN
    for (let i = 0; i < cfg.warmup; i++) loss = t.step()
    const samples: number[] = []
    for (let i = 0; i < cfg.steps; i++) {
      const t0 = performance.now()
      loss = t.step()
      samples.push(performance.now() - t0)
    }
    return {
      config: cfg,
      msPerStep: median(samples),
      samplesMs: samples,
      segParams: t.segParams,
      discParams: t.discParams,
      rssMiB: process.memoryUsage().rss / 2 ** 20,
      wasmHeapMiB: wasmHeapMiB(),
      lastLoss: loss,
    }
  } finally {
    t.dispose()
    if (cfg.backend === 'cpu-stock') registerTrainingKernels('cpu')
  }
}

export interface KernelShare {
  kernel: string
  ms: number
  calls: number
  share: number
}

export interface StepProfile {
  /** Process CPU time of the profiled steps, per step. */
  stepCpuMs: number
  /** CPU time inside top-level kernels, per step (a composite kernel's inner kernels count as its own). */
  kernelCpuMs: number
  kernels: KernelShare[]
}

/**
 * Wraps every kernel of the backend to measure process CPU time per top-level kernel call. CPU time, not
 * wall time, so other processes competing for the cores do not distort the shares (wasm runs on one thread).
 */
export function instrumentKernels(backendName: string): () => Map<string, { us: number; calls: number }> {
  const acc = new Map<string, { us: number; calls: number }>()
  const originals = tf.getKernelsForBackend(backendName)
  let depth = 0
  for (const cfg of originals) {
    const orig = cfg.kernelFunc
    const name = cfg.kernelName
    tf.unregisterKernel(name, backendName)
    tf.registerKernel({
      ...cfg,
      kernelFunc: (args) => {
        if (depth > 0) return orig(args)
        depth++
        const t0 = process.cpuUsage()
        try {
          return orig(args)
        } finally {
          const d = process.cpuUsage(t0)
          depth--
          const e = acc.get(name) ?? { us: 0, calls: 0 }
          e.us += d.user + d.system
          e.calls++
          acc.set(name, e)
        }
      },
    })
  }
  return () => {
    for (const cfg of originals) {
      tf.unregisterKernel(cfg.kernelName, backendName)
      tf.registerKernel(cfg)
    }
    return acc
  }
}

/**
 * Per-kernel CPU time of `steps` calls of `step` (at least one) on the current backend, after one
 * warm-up call that is not measured (it compiles and allocates), largest first.
 */
export function profileSteps(step: () => unknown, steps: number): StepProfile {
  step()
  const stop = instrumentKernels(tf.getBackend())
  const n = Math.max(1, steps)
  const c0 = process.cpuUsage()
  for (let i = 0; i < n; i++) step()
  const cpu = process.cpuUsage(c0)
  const acc = stop()
  const stepCpuMs = (cpu.user + cpu.system) / 1000 / n
  const kernelCpuMs = [...acc.values()].reduce((a, e) => a + e.us, 0) / 1000 / n
  const kernels = [...acc.entries()]
    .map(([kernel, e]) => ({
      kernel,
      ms: e.us / 1000 / n,
      calls: e.calls / n,
      share: e.us / 1000 / n / stepCpuMs,
    }))
    .sort((a, b) => b.ms - a.ms)
  return { stepCpuMs, kernelCpuMs, kernels }
}

/** Per-kernel CPU time of `steps` steps (after one warm-up step), largest first. */
export async function profileTrainStep(cfg: BenchConfig): Promise<StepProfile> {
  await useBenchBackend(cfg.backend)
  const t = makeTrainer(cfg)
  try {
    return profileSteps(() => t.step(), cfg.steps)
  } finally {
    t.dispose()
    if (cfg.backend === 'cpu-stock') registerTrainingKernels('cpu')
  }
}
