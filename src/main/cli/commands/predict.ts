/**
 * `pss-studio predict --run RUN_DIR --images DIR --out DIR`: predicts every image of a folder with a
 * training run's latest checkpoint, in the engine worker (this thread loads no tfjs), optionally with
 * test-time augmentation and dense CRF refinement, and writes `<out>/<name>.png` (VOC palette labels)
 * and `<out>/<name>_color.png`. Prints what was predicted, what was skipped and why, and the cost.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { BACKEND_CHOICES, isBackendChoice, type BackendChoice } from '../../engine/api'
import { chunkBatches, type InferItem } from '../../engine/api'
import type { InferOutcome } from '../../engine/api'
import { startInferenceWorker } from '../../engine/api'
import { DEFAULT_TTA_SCALES, TtaOptionsSchema, type TtaOptions } from '../../engine/api'
import { CRF_DEFAULTS, CrfParamsSchema, type CrfParams } from '../../engine/api'
import type { FileProblem } from '../../engine/api'
import {
  EXIT_FAILURE,
  UsageError,
  parseCommandArgs,
  printJson,
  requireString,
  type CliIo,
  type Command,
} from '../args'
import { makeDirSync } from '../../files/make-dir'
import { predictExitCode, runPredictPth } from './predict-pth'
import { parseUsers, runPredictPis } from './predict-pis'
import { describeGeometry, type InferGeometry, type ResolvedGeometry } from '../../engine/api'
import { awaitCancellable } from '../worker-job'

/** Extensions read as images (sharp decodes them). */
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.gif', '.avif'])
/** The inference request's rule for output stems (see infer-request.ts). */
const SAFE_STEM = /^[A-Za-z0-9._-][A-Za-z0-9._ -]{0,199}$/

export interface PredictJson {
  run: string
  images: string
  out: string
  checkpointIteration: number | null
  backend: string | null
  predicted: number
  skipped: FileProblem[]
  tta: TtaOptions | null
  crf: CrfParams | null
  /** How the images went through the network (aspect kept by default; squash only when asked). */
  geometry: ResolvedGeometry
  cost: InferOutcome['cost']
  wallSeconds: number
}

function parseScales(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined
  const parts = v.split(',').map((s) => s.trim())
  const scales = parts.map(Number)
  if (parts.some((p) => p === '') || scales.some((s) => !Number.isFinite(s) || s < 0.25 || s > 4))
    throw new UsageError(`--scales must be a comma-separated list of numbers from 0.25 to 4, got "${v}"`)
  return scales
}

function parseBatch(v: string | undefined): number {
  if (v === undefined) return 4
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 64)
    throw new UsageError(`--batch must be an integer from 1 to 64, got "${v}"`)
  return Number(v)
}

function parseCrf(enabled: boolean, raw: string | undefined): CrfParams | null {
  if (!enabled && raw === undefined) return null
  let value: unknown = {}
  if (raw !== undefined) {
    try {
      value = JSON.parse(raw)
    } catch (e) {
      throw new UsageError(`--crf-params is not JSON: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  const r = CrfParamsSchema.safeParse(value)
  if (!r.success)
    throw new UsageError(
      `--crf-params: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    )
  return r.data
}

/** The folder's images as inference items, in name order; unusable names are reported, not fatal. */
function listImages(dir: string): { items: InferItem[]; problems: FileProblem[] } {
  const items: InferItem[] = []
  const problems: FileProblem[] = []
  const seen = new Map<string, string>()
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))
  for (const e of entries) {
    const ext = path.extname(e.name).toLowerCase()
    if (!e.isFile() || !IMAGE_EXTENSIONS.has(ext)) continue
    const file = path.join(dir, e.name)
    const stem = e.name.slice(0, -ext.length)
    if (!SAFE_STEM.test(stem) || stem === '.' || stem === '..') {
      problems.push({
        file,
        reason: 'its name cannot be an output file stem (use letters, digits, ".", "_", "-", " ")',
      })
      continue
    }
    const clash = seen.get(stem)
    if (clash !== undefined) {
      problems.push({ file, reason: `its output ${stem}.png would overwrite the prediction of ${clash}` })
      continue
    }
    seen.set(stem, e.name)
    items.push({ image: file, name: stem })
  }
  return { items, problems }
}

function parseSize(v: string | undefined): number | null {
  if (v === undefined) return null
  if (!/^\d+$/.test(v) || Number(v) < 16 || Number(v) > 8192)
    throw new UsageError(`--size must be an integer from 16 to 8192 (the long side in pixels), got "${v}"`)
  return Number(v)
}

/** A run's geometry: --long-side N (aspect kept) or --squash S (the old S × S resize); default aspect at 1.5 × the training size. */
function parseGeometry(longSide: string | undefined, squash: string | undefined): InferGeometry {
  if (longSide !== undefined && squash !== undefined)
    throw new UsageError('give either --long-side or --squash, not both')
  if (longSide !== undefined) {
    if (!/^\d+$/.test(longSide) || Number(longSide) < 8 || Number(longSide) > 2048)
      throw new UsageError(`--long-side must be an integer from 8 to 2048 (pixels), got "${longSide}"`)
    return { mode: 'aspect', longSide: Number(longSide) }
  }
  if (squash !== undefined) {
    if (!/^\d+$/.test(squash) || Number(squash) < 16 || Number(squash) > 2048 || Number(squash) % 8 !== 0)
      throw new UsageError(`--squash must be a multiple of 8 from 16 to 2048 (pixels), got "${squash}"`)
    return { mode: 'squash', size: Number(squash) }
  }
  return { mode: 'aspect', longSide: null }
}

function existingDir(p: string, flag: string): string {
  const abs = path.resolve(p)
  if (!fs.existsSync(abs)) throw new UsageError(`--${flag} ${p}: no such folder`)
  if (!fs.statSync(abs).isDirectory()) throw new UsageError(`--${flag} ${p}: not a folder`)
  return abs
}

const ms = (v: number | null): string => (v === null ? '—' : `${v.toFixed(1)} ms`)

export const predictCommand: Command = {
  name: 'predict',
  summary:
    "predict a folder of images with a run's latest checkpoint (optional TTA and dense CRF) or a torchvision .pth",
  usage: `Usage: pss-studio predict --run RUN_DIR --images DIR --out DIR [--tta] [--scales LIST] [--no-flip]
                          [--crf] [--crf-params JSON] [--batch N] [--backend NAME] [--json]
       pss-studio predict --model FILE.pth|RUN_DIR --images DIR --out DIR [--size S] [--backend NAME] [--json]
       pss-studio predict --model FILE.pth|RUN_DIR --pis ROOT [--users all|id1,…] --out DIR [options]

Predicts every image in DIR (jpg, png, webp, tiff, gif, avif; not recursive) with the latest
checkpoint of the training run in RUN_DIR, at each image's original size, and writes
OUT/<name>.png (VOC palette labels) and OUT/<name>_color.png. An unreadable image is reported
and skipped; the others are still predicted.

A run predicts each image with its aspect ratio kept: resized to long side 1.5 × the run's training
size (the largest scale it was trained at),
padded with black to a multiple of 8 (the output stride), the padding cropped off the logits before
they are upsampled bilinearly to the image size (--long-side and --squash change this).

With --pis ROOT (a PIS tree: ROOT[/personal]/id{k}/JPEGImages) it does what the paper's PSS_test.sh
does: every album image of each user is predicted into OUT/id{k}/<name>.png + <name>_color.png; a
run with a group context module (a PSS run) predicts in batches of one group of the user's
train_cluster<K>.txt (at most the run's training batch); then
  pss-studio eval --pis ROOT --pred OUT
scores every user.

Options:
  --run DIR          training run folder (run.json + checkpoint.json + checkpoints/)
  --model FILE|DIR   a torchvision segmentation .pth (lraspp_mobilenet_v3_large,
                     deeplabv3_mobilenet_v3_large, deeplabv3_resnet50/101; 21 VOC classes) or a run
                     folder (= --run). A .pth
                     is predicted as torchvision evaluates it: RGB/255 with ImageNet mean/std, the whole
                     image at native resolution, logits upsampled bilinearly (align_corners=False) to the
                     image size, argmax — equal to PyTorch's model(x)['out'].argmax(1). One image at a time.
  --size S           (.pth) resize each image to long side S first (aspect kept); labels stay at image size
  --images DIR       folder of images to predict
  --pis ROOT         a PIS tree instead of --images (see above)
  --users LIST       with --pis: all (default) or user ids, e.g. id1,id3
  --long-side N      (run) resize each image to long side N, aspect kept (default: 1.5 × the run's training size)
  --squash S         (run) the old geometry: squash each image to S × S (aspect lost); recorded as such
  --out DIR          output folder (created; must not be the images folder)
  --tta              test-time augmentation: average the class probabilities over several input
                     scales and their horizontal flips (default scales ${DEFAULT_TTA_SCALES.join(',')})
  --scales LIST      TTA scales, e.g. 0.5,1,1.5 (implies --tta)
  --no-flip          TTA without the flipped passes (implies --tta)
  --crf              refine the probabilities with a dense CRF before the argmax; defaults (DeepLab):
                     ${CRF_DEFAULTS.iterations} iterations, bilateral weight ${CRF_DEFAULTS.bilateral.weight}, xyStd ${CRF_DEFAULTS.bilateral.xyStd} px, rgbStd ${CRF_DEFAULTS.bilateral.rgbStd};
                     spatial weight ${CRF_DEFAULTS.spatial.weight}, xyStd ${CRF_DEFAULTS.spatial.xyStd} px
  --crf-params JSON  CRF parameters (implies --crf), e.g.
                     '{"iterations":5,"bilateral":{"xyStd":67,"rgbStd":3},"spatial":{"xyStd":1}}'
  --batch N          images per forward batch (default 4; with --pis the run's training batch)
  --backend NAME     ${BACKEND_CHOICES.join(', ')} (default wasm)
  --json             print the summary as one JSON object`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, {
      run: { type: 'string' },
      model: { type: 'string' },
      size: { type: 'string' },
      images: { type: 'string' },
      out: { type: 'string' },
      tta: { type: 'boolean' },
      scales: { type: 'string' },
      'no-flip': { type: 'boolean' },
      crf: { type: 'boolean' },
      'crf-params': { type: 'string' },
      batch: { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean' },
      pis: { type: 'string' },
      users: { type: 'string' },
      'long-side': { type: 'string' },
      squash: { type: 'string' },
    })
    if (opts.run !== undefined && opts.model !== undefined)
      throw new UsageError('give either --run or --model, not both')
    const modelPath = opts.model === undefined ? undefined : path.resolve(opts.model)
    if (modelPath !== undefined && !fs.existsSync(modelPath))
      throw new UsageError(`--model ${opts.model}: no such file or folder`)
    const pthFile = modelPath !== undefined && fs.statSync(modelPath).isFile() ? modelPath : undefined
    if (opts.pis !== undefined && opts.images !== undefined)
      throw new UsageError('give either --images or --pis, not both')
    if (opts.pis === undefined && opts.users !== undefined) throw new UsageError('--users applies to --pis')
    const pisRoot = opts.pis === undefined ? null : existingDir(opts.pis, 'pis')
    const imagesDir = pisRoot === null ? existingDir(requireString(opts.images, 'images'), 'images') : ''
    const outDir = path.resolve(requireString(opts.out, 'out'))
    if (outDir === imagesDir)
      throw new UsageError('--out must not be the --images folder (predictions would overwrite PNG inputs)')
    if (pisRoot !== null && (outDir === pisRoot || outDir.startsWith(pisRoot + path.sep)))
      throw new UsageError('--out must be outside the --pis tree (predictions would land among the albums)')
    const size = parseSize(opts.size)
    if (pthFile === undefined && size !== null)
      throw new UsageError(
        '--size applies to a .pth model; for a run use --long-side N (aspect kept) or --squash S',
      )
    const geometry = parseGeometry(opts['long-side'], opts.squash)
    if (pthFile !== undefined) {
      const unsupported = (
        ['tta', 'scales', 'no-flip', 'crf', 'crf-params', 'batch', 'long-side', 'squash'] as const
      ).filter((k) => opts[k] !== undefined)
      if (unsupported.length > 0)
        throw new UsageError(
          `--${unsupported.join(', --')} not available with a .pth model (it predicts one image at a time, plain)`,
        )
    }
    const runDir =
      pthFile === undefined
        ? existingDir(requireString(opts.run ?? opts.model, 'run'), opts.run !== undefined ? 'run' : 'model')
        : ''
    if (pthFile === undefined && !fs.existsSync(path.join(runDir, 'checkpoint.json')))
      throw new UsageError(
        `${opts.run !== undefined ? '--run' : '--model'} ${opts.run ?? opts.model}: not a training run with a checkpoint (no checkpoint.json)`,
      )
    const scales = parseScales(opts.scales)
    const wantTta = opts.tta === true || scales !== undefined || opts['no-flip'] === true
    const tta: TtaOptions | null = wantTta
      ? TtaOptionsSchema.parse({ ...(scales ? { scales } : {}), flip: opts['no-flip'] !== true })
      : null
    const crf = parseCrf(opts.crf === true, opts['crf-params'])
    const batch = parseBatch(opts.batch)
    let backend: BackendChoice = 'wasm'
    if (opts.backend !== undefined) {
      if (!isBackendChoice(opts.backend))
        throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, got "${opts.backend}"`)
      backend = opts.backend
    }

    if (pisRoot !== null)
      return runPredictPis(
        {
          root: pisRoot,
          outDir,
          users: parseUsers(opts.users),
          runDir: pthFile === undefined ? runDir : null,
          pth: pthFile ?? null,
          batch: opts.batch === undefined ? null : batch,
          geometry,
          size,
          tta,
          crf,
          backend,
          json: opts.json === true,
        },
        io,
      )
    const { items, problems } = listImages(imagesDir)
    for (const p of problems) io.err(`pss-studio predict: skipped ${p.file}: ${p.reason}`)
    if (items.length === 0) {
      io.err(`pss-studio predict: ${imagesDir}: no image to predict (${[...IMAGE_EXTENSIONS].join(', ')})`)
      return EXIT_FAILURE
    }
    if (pthFile !== undefined)
      return runPredictPth(
        { pth: pthFile, imagesDir, outDir, items, listed: problems, size, backend, json: opts.json === true },
        io,
      )
    makeDirSync(outDir)

    const t0 = performance.now()
    let checkpointIteration: number | null = null
    let backendName: string | null = null
    const skipped = [...problems]
    const handle = startInferenceWorker(
      { runDir, backend, tta, crf, geometry, albums: [{ outDir, batches: chunkBatches(items, batch) }] },
      {
        onStarted: (s) => {
          checkpointIteration = s.checkpointIteration
          backendName = s.backend.name
          io.err(
            `pss-studio predict: ${s.total} images, checkpoint iteration ${s.checkpointIteration}, backend ${s.backend.name}; ${describeGeometry(s.geometry)}`,
          )
        },
        onProgress: (p) => io.err(`pss-studio predict: ${p.done}/${p.total} (${ms(p.msPerImage)} per image)`),
        onProblem: (p) => {
          skipped.push(p)
          io.err(`pss-studio predict: skipped ${p.file}: ${p.reason}`)
        },
      },
    )
    const outcome: InferOutcome = await awaitCancellable(handle, io.signal)
    const json: PredictJson = {
      run: runDir,
      images: imagesDir,
      out: outDir,
      checkpointIteration,
      backend: backendName,
      predicted: outcome.predicted,
      skipped,
      tta,
      crf,
      geometry: outcome.geometry,
      cost: outcome.cost,
      wallSeconds: (performance.now() - t0) / 1000,
    }
    if (opts.json) printJson(io, json)
    else {
      io.out(`Predicted ${outcome.predicted} of ${items.length + problems.length} images into ${outDir}`)
      if (skipped.length > 0)
        io.out(`Skipped ${skipped.length}: ${skipped.map((s) => path.basename(s.file)).join(', ')}`)
      io.out(`Geometry: ${describeGeometry(outcome.geometry)}`)
      io.out(
        `TTA: ${tta ? `scales ${tta.scales.join(', ')}${tta.flip ? ' + flip' : ''} (${outcome.cost.passes} passes)` : 'off'}`,
      )
      io.out(
        `CRF: ${crf ? `${crf.iterations} iterations, bilateral w ${crf.bilateral.weight} θα ${crf.bilateral.xyStd} θβ ${crf.bilateral.rgbStd}, spatial w ${crf.spatial.weight} θγ ${crf.spatial.xyStd}` : 'off'}`,
      )
      const c = outcome.cost
      io.out(
        `Cost per image: total ${ms(c.msPerImage)}, network ${ms(c.predictMsPerImage)} (plain pass ${ms(c.plainMsPerImage)}), CRF ${ms(c.crfMsPerImage)}`,
      )
    }
    return predictExitCode(outcome, io)
  },
}
