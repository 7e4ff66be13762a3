/**
 * A `.pth` prediction (on the engine worker's thread), as torchvision evaluates its segmentation models:
 * RGB/255 normalised with ImageNet's mean and std, the whole image at its own resolution (or, when asked,
 * resized to a long side first), `model(x)['out']` = the logits resized bilinearly (align_corners=False)
 * to the image's size, then the argmax per pixel. One image at a time, because album photos differ in
 * size. An image that cannot be decoded or is too large is reported by name and skipped.
 */
import * as tf from '@tensorflow/tfjs'
import { selectBackend, type BackendReport } from '../../backend/select-backend'
import { decodeRgb } from '../../../media/decode'
import { formatMegapixels } from '../../../media/limits'
import { makeDirSync } from '../../../files/make-dir'
import { normalizeImages } from '../../models/preprocess'
import type { SegmentationModel } from '../../models/segnet'
import { resizeBilinearTorch } from '../../ops/resize-bilinear'
import type { FileProblem } from '../../runs/file-dataset'
import type { PredictedLabels, RgbRaster } from '../predict-labels'
import { writePrediction } from '../write-prediction'
import { forwardSize, type PthInferRequest } from './pth-infer-request'
import { readRunnablePth } from './runnable-pth'
import { buildTorchvisionModel } from './torchvision-model'

/** Smallest forward-pass side: MobileNetV3's stride-16 map must be at least 1×1. */
const MIN_FORWARD_SIDE = 16

export interface PthInferStarted {
  backend: BackendReport
  arch: string
  classes: number
  hasAux: boolean
  parameterCount: number
  total: number
}

export interface PthInferProgress {
  done: number
  total: number
  /** tf.memory().numTensors before and after the image: equal = no leak. */
  tensorsBefore: number
  tensorsAfter: number
  msPerImage: number
}

export interface PthInferOutcome {
  status: 'done' | 'cancelled'
  predicted: number
  skipped: number
  /** Wall ms per predicted image: decode, network, PNG writes (0 when none). */
  msPerImage: number
  /** The network part: normalise, forward, upsample to the image size, argmax. */
  networkMsPerImage: number
}

export interface PthInferHooks {
  shouldStop(): boolean
  onStarted?(s: PthInferStarted): void
  onProgress?(p: PthInferProgress): void
  onProblem?(p: FileProblem): void
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Labels of one image, the way torchvision's `model(x)['out'].argmax(1)` computes them. */
export async function predictTorchvisionLabels(
  model: SegmentationModel,
  image: RgbRaster,
  size: number | null,
): Promise<PredictedLabels> {
  const { width: fw, height: fh } = forwardSize(image.width, image.height, size)
  // Three stages, each freeing its intermediates before the next starts: one tidy around all of it
  // would keep the network's activations alive while the full-size logits are upsampled.
  const x = tf.tidy(() => {
    const raw = tf.tensor4d(image.data, [1, image.height, image.width, 3], 'int32')
    // Bilinear weights sum to 1, so resizing after the per-channel affine normalisation equals resizing before it.
    return resizeBilinearTorch(normalizeImages(raw), fh, fw, false)
  })
  let main: tf.Tensor4D
  try {
    main = model.forward(x, false).main
  } finally {
    x.dispose()
  }
  let labels: tf.Tensor
  try {
    labels = tf.tidy(() => resizeBilinearTorch(main, image.height, image.width, false).argMax(3).squeeze([0]))
  } finally {
    main.dispose()
  }
  try {
    return { width: image.width, height: image.height, labels: Uint8Array.from(await labels.data()) }
  } finally {
    labels.dispose()
  }
}

/** Why an image cannot go through the network at this size, or null. */
function forwardProblem(image: RgbRaster, req: PthInferRequest): string | null {
  const f = forwardSize(image.width, image.height, req.size)
  if (f.width * f.height > req.maxForwardPixels)
    return (
      `it is ${image.width}×${image.height} (${formatMegapixels(image.width * image.height)}); a forward pass ` +
      `${req.size === null ? 'at native resolution ' : ''}is limited to ${formatMegapixels(req.maxForwardPixels)} ` +
      `to stay within the engine's memory — predict it with --size (a long side in pixels)`
    )
  if (Math.min(f.width, f.height) < MIN_FORWARD_SIDE)
    return `its forward size ${f.width}×${f.height} is below ${MIN_FORWARD_SIDE} pixels on a side`
  return null
}

export async function runPthInference(req: PthInferRequest, hooks: PthInferHooks): Promise<PthInferOutcome> {
  const backend = await selectBackend({ force: req.backend, env: process.env })
  const pth = await readRunnablePth(req.pth)
  const model = buildTorchvisionModel(pth, req.pth)
  const total = req.items.length
  let done = 0
  let predicted = 0
  let skipped = 0
  let totalMs = 0
  let networkMs = 0
  const outcome = (status: PthInferOutcome['status']): PthInferOutcome => ({
    status,
    predicted,
    skipped,
    msPerImage: predicted === 0 ? 0 : totalMs / predicted,
    networkMsPerImage: predicted === 0 ? 0 : networkMs / predicted,
  })
  try {
    hooks.onStarted?.({
      backend,
      arch: pth.arch,
      classes: pth.detected.classes,
      hasAux: pth.detected.hasAux,
      parameterCount: pth.detected.parameterCount,
      total,
    })
    makeDirSync(req.outDir)
    for (const item of req.items) {
      await new Promise<void>((resolve) => setImmediate(resolve))
      if (hooks.shouldStop()) return outcome('cancelled')
      const tensorsBefore = tf.memory().numTensors
      const t0 = performance.now()
      let image: RgbRaster | null = null
      try {
        image = await decodeRgb(item.image, { maxPixels: req.maxPixels })
      } catch (e) {
        hooks.onProblem?.({ file: item.image, reason: `cannot decode the image: ${message(e)}` })
      }
      const problem = image === null ? null : forwardProblem(image, req)
      if (problem !== null) hooks.onProblem?.({ file: item.image, reason: problem })
      if (image === null || problem !== null) skipped++
      else {
        const tNet = performance.now()
        const labels = await predictTorchvisionLabels(model, image, req.size)
        networkMs += performance.now() - tNet
        await writePrediction(req.outDir, item.name, labels)
        predicted++
        totalMs += performance.now() - t0
      }
      done++
      hooks.onProgress?.({
        done,
        total,
        tensorsBefore,
        tensorsAfter: tf.memory().numTensors,
        msPerImage: predicted === 0 ? 0 : totalMs / predicted,
      })
    }
    return outcome('done')
  } finally {
    model.dispose()
  }
}
