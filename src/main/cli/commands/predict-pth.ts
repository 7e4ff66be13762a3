/**
 * `pss-studio predict --model FILE.pth …`: predicts a folder with a torchvision segmentation checkpoint
 * (LR-ASPP or DeepLabV3 on MobileNetV3-Large), with the model's own preprocessing so the label PNGs equal
 * PyTorch's `model(x)['out'].argmax(1)`. The checkpoint is read and checked here first (no tfjs: the
 * reader is plain TypeScript), so a bad file fails before the worker starts and before --out exists.
 */
import * as path from 'node:path'
import type { BackendChoice } from '../../engine/api'
import type { InferItem } from '../../engine/api'
import type { PthInferOutcome } from '../../engine/api'
import { FORWARD_MAX_PIXELS } from '../../engine/api'
import { readRunnablePth } from '../../engine/api'
import { startPthInferenceWorker } from '../../engine/api'
import type { FileProblem } from '../../engine/api'
import { formatMegapixels, resolveMaxPixels } from '../../media/limits'
import { EXIT_FAILURE, EXIT_OK, printJson, type CliIo } from '../args'
import { awaitCancellable } from '../worker-job'

export interface PredictPthJson {
  model: string
  arch: string
  classes: number
  images: string
  out: string
  /** null: native resolution; a number: the long side each image was resized to for the forward pass. */
  size: number | null
  preprocessing: string
  backend: string | null
  predicted: number
  skipped: FileProblem[]
  msPerImage: number
  networkMsPerImage: number
  wallSeconds: number
}

export interface PredictPthArgs {
  pth: string
  imagesDir: string
  outDir: string
  items: InferItem[]
  /** Problems found while listing the folder (already printed). */
  listed: FileProblem[]
  size: number | null
  backend: BackendChoice
  json: boolean
}

/** What the forward pass sees, in words (printed, and in --json). */
export function describePreprocessing(size: number | null): string {
  const norm = 'RGB/255 normalised with ImageNet mean/std'
  const out = 'logits upsampled bilinearly (align_corners=False) to each image size, argmax'
  return size === null
    ? `${norm}; whole image at native resolution; ${out}`
    : `${norm}; resized to long side ${size} px (bilinear, align_corners=False, aspect kept) — not the model's native-resolution evaluation; ${out}`
}

export async function runPredictPth(a: PredictPthArgs, io: CliIo): Promise<number> {
  let arch: string
  let classes: number
  try {
    const pth = await readRunnablePth(a.pth)
    arch = pth.arch
    classes = pth.detected.classes
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e)
    io.err(`pss-studio predict: ${msg.includes(a.pth) ? msg : `${a.pth}: ${msg}`}`)
    return EXIT_FAILURE
  }
  const preprocessing = describePreprocessing(a.size)
  io.err(`pss-studio predict: ${path.basename(a.pth)} is ${arch} (${classes} classes); ${preprocessing}`)
  const t0 = performance.now()
  const skipped = [...a.listed]
  let backendName: string | null = null
  const maxPixels = resolveMaxPixels()
  const handle = startPthInferenceWorker(
    {
      pth: a.pth,
      backend: a.backend,
      outDir: a.outDir,
      items: a.items,
      size: a.size,
      maxPixels,
      maxForwardPixels: Math.min(maxPixels, FORWARD_MAX_PIXELS),
    },
    {
      onStarted: (s) => {
        backendName = s.backend.name
        io.err(
          `pss-studio predict: ${s.total} images, one at a time, backend ${s.backend.name}, ` +
            `forward pass limit ${formatMegapixels(Math.min(maxPixels, FORWARD_MAX_PIXELS))}`,
        )
      },
      onProgress: (p) =>
        io.err(`pss-studio predict: ${p.done}/${p.total} (${p.msPerImage.toFixed(1)} ms per image)`),
      onProblem: (p) => {
        skipped.push(p)
        io.err(`pss-studio predict: skipped ${p.file}: ${p.reason}`)
      },
    },
  )
  let outcome: PthInferOutcome
  try {
    outcome = await awaitCancellable(handle, io.signal)
  } catch (e) {
    io.err(`pss-studio predict: ${e instanceof Error ? e.message : String(e)}`)
    return EXIT_FAILURE
  }
  const json: PredictPthJson = {
    model: a.pth,
    arch,
    classes,
    images: a.imagesDir,
    out: a.outDir,
    size: a.size,
    preprocessing,
    backend: backendName,
    predicted: outcome.predicted,
    skipped,
    msPerImage: outcome.msPerImage,
    networkMsPerImage: outcome.networkMsPerImage,
    wallSeconds: (performance.now() - t0) / 1000,
  }
  if (a.json) printJson(io, json)
  else {
    io.out(`Predicted ${outcome.predicted} of ${a.items.length + a.listed.length} images into ${a.outDir}`)
    io.out(`Model: ${a.pth} (${arch}, ${classes} classes)`)
    io.out(`Preprocessing: ${preprocessing}`)
    if (skipped.length > 0)
      io.out(`Skipped ${skipped.length}: ${skipped.map((s) => path.basename(s.file)).join(', ')}`)
    io.out(
      `Cost per image: total ${outcome.msPerImage.toFixed(1)} ms, network ${outcome.networkMsPerImage.toFixed(1)} ms`,
    )
  }
  return predictExitCode(outcome, io)
}

/** Exit code of a finished prediction (either kind of model); a failure says why on stderr. */
export function predictExitCode(
  outcome: { status: 'done' | 'cancelled'; predicted: number },
  io: CliIo,
): number {
  if (outcome.status === 'cancelled') {
    io.err('pss-studio predict: cancelled')
    return EXIT_FAILURE
  }
  if (outcome.predicted === 0) {
    io.err('pss-studio predict: no image could be predicted')
    return EXIT_FAILURE
  }
  return EXIT_OK
}
