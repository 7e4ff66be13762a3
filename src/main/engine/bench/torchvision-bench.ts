/**
 * Timing of the torchvision segmentation models (LR-ASPP / DeepLabV3 MobileNetV3-Large) for the engine
 * benchmark (scripts/bench-engine.mjs, --torchvision): eval-mode inference per image, and one AdvEnt
 * adaptation step exactly as the studio runs it (methods/steps.ts adventStep: source CE with ignore 255,
 * the entropy-map discriminator term on a target batch, one SGD update, one Adam update of the main
 * discriminator). These models have no aux head, so the aux CE and the aux discriminator are absent — as in
 * the studio. The PyTorch peer (scripts/bench/engine/torch_peer.py, "torchvision" requests) times the same.
 */
import * as tf from '@tensorflow/tfjs'
import { methodDefaults } from '../methods/registry'
import { adventStep, type AdaptModels, type AdaptOptimizers } from '../methods/steps'
import { createDiscriminator } from '../models'
import type { SegmentationModel } from '../models/segnet'
import { DeepLabV3MobileNetV3Large, DEEPLABV3_MOBILENET_ARCH } from '../models/torchvision/deeplabv3'
import { LrasppMobileNetV3Large, LRASPP_ARCH } from '../models/torchvision/lraspp'
import { resizeBilinearTorch } from '../ops/resize-bilinear'
import { Adam, SgdMomentum } from '../train/optimizers'
import { profileSteps, useBenchBackend, type BenchBackend, type StepProfile } from './train-bench'
import { sampleStats, type SampleStats } from './sample-stats'

export const TORCHVISION_BENCH_ARCHS = [LRASPP_ARCH, DEEPLABV3_MOBILENET_ARCH] as const
export type TorchvisionBenchArch = (typeof TORCHVISION_BENCH_ARCHS)[number]
export type TorchvisionBenchMode = 'infer' | 'advent'

export interface TorchvisionBenchConfig {
  backend: BenchBackend
  arch: TorchvisionBenchArch
  size: number
  batch: number
  mode: TorchvisionBenchMode
  steps: number
  warmup: number
}

export interface TorchvisionBenchResult extends SampleStats {
  config: TorchvisionBenchConfig
  samplesMs: number[]
  segParams: number
  discParams: number
  rssMiB: number
}

function buildModel(arch: TorchvisionBenchArch): SegmentationModel {
  if (arch === LRASPP_ARCH) return new LrasppMobileNetV3Large({ numClasses: 21, seed: 1 })
  // As torchvision builds it for inference and fine-tuning here: no aux FCN head.
  return new DeepLabV3MobileNetV3Large({ numClasses: 21, aux: false, seed: 1 })
}

/** Deterministic labels in 0..20 with the first two rows ignored (255), like the PyTorch peer's. */
function labels(n: number, size: number): tf.Tensor3D {
  const v = new Int32Array(n * size * size)
  let s = 12345
  for (let i = 0; i < v.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    v[i] = i % (size * size) < 2 * size ? 255 : (s >>> 16) % 21
  }
  return tf.tensor3d(v, [n, size, size], 'int32')
}

interface Runner {
  step(): void
  dispose(): void
  segParams: number
  discParams: number
}

function inferRunner(model: SegmentationModel, cfg: TorchvisionBenchConfig): Runner {
  const x = tf.randomNormal([cfg.batch, cfg.size, cfg.size, 3], 0, 1, 'float32', 1) as tf.Tensor4D
  return {
    // torchvision's eval forward: logits upsampled to the input (align_corners False), then the label map.
    step: () => {
      const lab = tf.tidy(() =>
        resizeBilinearTorch(model.forward(x, false).main, cfg.size, cfg.size, false).argMax(3),
      )
      lab.dataSync()
      lab.dispose()
    },
    dispose: () => x.dispose(),
    segParams: model.params.count(),
    discParams: 0,
  }
}

function adventRunner(model: SegmentationModel, cfg: TorchvisionBenchConfig): Runner {
  const c = methodDefaults('advent')
  const source = {
    images: tf.randomNormal([cfg.batch, cfg.size, cfg.size, 3], 0, 1, 'float32', 2) as tf.Tensor4D,
    labels: labels(cfg.batch, cfg.size),
  }
  const target = tf.randomNormal([cfg.batch, cfg.size, cfg.size, 3], 0, 1, 'float32', 3) as tf.Tensor4D
  const dMain = createDiscriminator({ ndf: 64, seed: 2 }, model.config.numClasses, 'd_main')
  const m: AdaptModels = { model, dMain, dAux: null }
  const opt: AdaptOptimizers = {
    seg: new SgdMomentum({ momentum: c.seg.momentum, weightDecay: c.seg.weightDecay }),
    dMain: new Adam({ beta1: c.d.beta1, beta2: c.d.beta2, epsilon: 1e-8, weightDecay: 0 }),
    dAux: null,
  }
  const batch = { source, target, pseudo: null }
  return {
    step: () => {
      const out = adventStep(m, opt, batch, { seg: c.seg.lr, d: c.d.lr }, c)
      if (!Number.isFinite(out.total)) throw new Error(`${cfg.arch} AdvEnt step: loss is ${out.total}`)
    },
    dispose: () => {
      tf.dispose([source.images, source.labels, target])
      opt.seg.dispose()
      opt.dMain?.dispose()
      dMain.dispose()
    },
    segParams: model.params.count(),
    discParams: dMain.params.count(),
  }
}

export async function runTorchvisionBench(cfg: TorchvisionBenchConfig): Promise<TorchvisionBenchResult> {
  await useBenchBackend(cfg.backend)
  const model = buildModel(cfg.arch)
  const r = cfg.mode === 'infer' ? inferRunner(model, cfg) : adventRunner(model, cfg)
  try {
    for (let i = 0; i < cfg.warmup; i++) r.step()
    const samples: number[] = []
    for (let i = 0; i < cfg.steps; i++) {
      const t0 = performance.now()
      r.step()
      samples.push(performance.now() - t0)
    }
    return {
      config: cfg,
      ...sampleStats(samples),
      samplesMs: samples,
      segParams: r.segParams,
      discParams: r.discParams,
      rssMiB: process.memoryUsage().rss / 2 ** 20,
    }
  } finally {
    r.dispose()
    model.dispose()
  }
}

/** Per-kernel CPU time of `steps` runs (after one warm-up), largest first: where a step's time goes. */
export async function profileTorchvisionStep(cfg: TorchvisionBenchConfig): Promise<StepProfile> {
  await useBenchBackend(cfg.backend)
  const model = buildModel(cfg.arch)
  const r = cfg.mode === 'infer' ? inferRunner(model, cfg) : adventRunner(model, cfg)
  try {
    return profileSteps(() => r.step(), cfg.steps)
  } finally {
    r.dispose()
    model.dispose()
  }
}
