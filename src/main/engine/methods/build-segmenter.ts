/**
 * The segmenter of a run, built from its architecture (source-model.ts): the studio's SegNet (compact
 * ResNet, with the group context module when the run has one) or the torchvision network of an imported
 * `.pth` — and the weights of an imported model, read from the file after checking it is the one recorded
 * (sha256), its architecture and its class count. Worker side (tfjs).
 */
import * as fs from 'node:fs'
import { sha256File } from '../models/torch/inspect-pth'
import { createModel } from '../models/registry'
import { contextOf, type ContextConfig } from '../models/config'
import type { SegmentationModel } from '../models/segnet'
import { TorchvisionModelBase } from '../models/torchvision/torchvision-model-base'
import { readRunnablePth } from '../infer/pth/runnable-pth'
import { torchvisionNetwork } from '../infer/pth/torchvision-model'
import { latestCheckpoint } from '../runs/checkpoint-files'
import type { AdaptConfig } from './adapt-config'
import { readAdaptRunFile } from './adapt-run-file'
import {
  initArchitecture,
  readPthSourceRun,
  torchArchTitle,
  torchWeightsOf,
  type ModelArchitecture,
  type PthSource,
} from './source-model'

export interface SegmenterOptions {
  /** SegNet's compact ResNet width. */
  width: 16 | 32
  numClasses: number
  seed: number
  context: ContextConfig
}

/** The network an adaptation run trains: from its init (an imported .pth, or a stage-1 run's network), else SegNet. */
export function adaptArchitecture(config: Pick<AdaptConfig, 'init'>): ModelArchitecture {
  return initArchitecture(config.init, (runDir) => readAdaptRunFile(runDir).config.init)
}

export function buildSegmenter(arch: ModelArchitecture, o: SegmenterOptions): SegmentationModel {
  if (arch.kind === 'segnet') {
    return createModel('segnet', {
      backbone: { kind: 'resnet-compact', width: o.width },
      numClasses: o.numClasses,
      seed: o.seed,
      ...(o.context.variant === 'none' ? {} : { context: o.context }),
    })
  }
  if (o.context.variant !== 'none') {
    throw new Error(
      `${arch.source.file}: the group context module cannot attach to ${torchArchTitle(arch.arch)} (no PSP head, no aux regions)`,
    )
  }
  // Train-mode dropout as torchvision trains these models (DeepLabV3's ASPP projection and FCN head).
  return torchvisionNetwork(arch.arch, {
    numClasses: o.numClasses,
    aux: arch.aux,
    dropout: true,
    seed: o.seed,
  })
}

/**
 * Loads an imported model's state dict into `model` (built by buildSegmenter from the same source). The
 * file must still hash to the recorded sha256 and hold the recorded architecture, aux head and classes.
 */
export async function loadPthSource(model: SegmentationModel, source: PthSource): Promise<void> {
  const { file } = source
  if (!fs.existsSync(file)) throw new Error(`${file}: the imported model's file is missing`)
  const sha = await sha256File(file)
  if (sha !== source.sha256) {
    throw new Error(
      `${file}: its sha256 is ${sha.slice(0, 12)}…, not the recorded ${source.sha256.slice(0, 12)}… — the file changed since it was imported`,
    )
  }
  const pth = await readRunnablePth(file)
  const problems: string[] = []
  if (pth.arch !== source.arch) problems.push(`it holds ${pth.arch}, not the recorded ${source.arch}`)
  if (pth.detected.hasAux !== source.aux)
    problems.push(
      pth.detected.hasAux
        ? 'it has an aux head the run did not expect'
        : 'it has no aux head, the run expected one',
    )
  if (pth.detected.classes !== model.config.numClasses)
    problems.push(`it predicts ${pth.detected.classes} classes, the run ${model.config.numClasses}`)
  if (problems.length > 0) throw new Error(`${file}: ${problems.join('; ')}`)
  if (!(model instanceof TorchvisionModelBase))
    throw new Error(`${file}: a PyTorch state dict cannot load into the studio's own network`)
  model.loadStateDict(pth.stateDict, file)
}

/** Loads a checkpoint folder whose weights are a `.pth` (torch-weights.json); false: it holds tfjs weights. */
export async function loadTorchCheckpoint(model: SegmentationModel, checkpointDir: string): Promise<boolean> {
  const source = torchWeightsOf(checkpointDir)
  if (!source) return false
  await loadPthSource(model, source)
  return true
}

/** A pth-source folder as infer/load-run-model.ts's RunSpec (structural, to keep this module below it). */
export interface PthSourceSpec {
  kind: 'train'
  size: number
  numClasses: number
  ckpt: { dir: string; state: { iteration: number } } | null
  build(): SegmentationModel
}

/** The spec of a pth-source folder (the network of its `.pth`), or null when `runDir` is another kind of run. */
export function pthSourceSpec(runDir: string): PthSourceSpec | null {
  const run = readPthSourceRun(runDir)
  if (!run) return null
  const src = run.source
  return {
    kind: 'train',
    size: run.size,
    numClasses: run.numClasses,
    ckpt: latestCheckpoint(runDir),
    build: () =>
      buildSegmenter(
        { kind: 'torchvision', arch: src.arch, aux: src.aux, source: src },
        { width: 16, numClasses: run.numClasses, seed: 0, context: contextOf({}) },
      ),
  }
}
