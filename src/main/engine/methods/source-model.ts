/**
 * A source model imported from PyTorch (a torchvision `.pth` the project stores) as the start of a run,
 * and the network an adaptation run trains — as data, tfjs-free (the main thread reads and writes these).
 *
 *   PthSource            `{kind: 'pth', file, arch, sha256, aux}`: an adaptation config's `init` (the weights
 *                        come from the state dict, checked against the sha256 when read). In the folder's
 *                        JSON files `file` is relative to the file's folder (a moved project keeps working).
 *   pth-source folder    what a studio run uses as its "source run" when it starts from an imported model:
 *                        no training, one checkpoint whose weights are the `.pth` itself —
 *                          <dir>/run.json                      {version, kind: 'pth-source', source, name, size, numClasses}
 *                          <dir>/checkpoint.json               {iteration: 1, dir: 'checkpoints/000001'}
 *                          <dir>/checkpoints/000001/state.json a training checkpoint's state (no steps taken)
 *                          <dir>/checkpoints/000001/torch-weights.json  the PthSource to load
 *                        so prediction, snapshot evaluation (the model competes as iteration 0) and the
 *                        adaptation stages read it like any source run. Its checkpoint is numbered 1 because
 *                        snapshot numbers start at 1 (0 is the source-candidate slot of a selection).
 *   ModelArchitecture    which network a run folder's checkpoints hold: the studio's SegNet, or a torchvision
 *                        model (recorded through the run's `init`, followed back through stage-1 runs).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { z } from 'zod'
import { writeFileAtomic } from '../../files/atomic-file'
import { makeDirSync } from '../../files/make-dir'
import { RUNNABLE_TORCH_ARCHS } from '../infer/pth/runnable-pth'
import { CheckpointError, checkpointDirName, readCheckpointJson } from '../runs/checkpoint-files'

export const PthSourceSchema = z
  .object({
    kind: z.literal('pth'),
    /** The `.pth` file (the project's stored copy). */
    file: z.string().min(1),
    arch: z.enum(RUNNABLE_TORCH_ARCHS),
    /** sha256 of the file, hex: the weights read must be the ones recorded. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
    /** Whether the checkpoint has torchvision's aux FCN head (DeepLabV3 built with aux_loss; LR-ASPP never). */
    aux: z.boolean().default(false),
  })
  .strict()
export type PthSource = z.infer<typeof PthSourceSchema>
export type PthSourceInput = z.input<typeof PthSourceSchema>

export type ModelArchitecture =
  { kind: 'segnet' } | { kind: 'torchvision'; arch: PthSource['arch']; aux: boolean; source: PthSource }

export const PTH_SOURCE_KIND = 'pth-source'
/** The checkpoint iteration of a pth-source folder. */
export const PTH_SOURCE_ITERATION = 1
/** The file in a checkpoint folder that says its weights are a PyTorch state dict. */
export const TORCH_WEIGHTS_FILE = 'torch-weights.json'

const PthSourceRunSchema = z
  .object({
    version: z.literal(1),
    kind: z.literal(PTH_SOURCE_KIND),
    source: PthSourceSchema,
    /** The model's name in the project (for messages). */
    name: z.string(),
    /** Square input side the studio run predicts at. */
    size: z.number().int().min(16),
    numClasses: z.number().int().min(2).max(255),
  })
  .strict()
export type PthSourceRun = z.infer<typeof PthSourceRunSchema>

/** Torchvision's checkpoint names for people: "lraspp_mobilenet_v3_large" → "LR-ASPP MobileNetV3-Large". */
export function torchArchTitle(arch: string): string {
  if (arch === 'lraspp_mobilenet_v3_large') return 'LR-ASPP MobileNetV3-Large'
  if (arch === 'deeplabv3_mobilenet_v3_large') return 'DeepLabV3 MobileNetV3-Large'
  if (arch === 'deeplabv3_resnet50') return 'DeepLabV3 ResNet-50'
  if (arch === 'deeplabv3_resnet101') return 'DeepLabV3 ResNet-101'
  return arch
}

/**
 * Why a method cannot start from this imported model (null: it can). OURS needs the group context module,
 * whose regional layout is defined by an aux head's soft regions (models/config.ts) and which attaches
 * after a PSP head: neither exists on these torchvision models, so it is refused rather than improvised.
 * MRNet's memory and rectified-pseudo-label terms are both made of the aux head's output: without one it
 * would be No-DA under another name. SegSort and tag-proposal self-training train the studio's own network.
 */
export function importedModelRefusal(method: string, arch: string, aux: boolean): string | null {
  const title = torchArchTitle(arch)
  if (method === 'pss' || method === 'pss-s1' || method === 'pss-s2')
    return (
      `OURS cannot start from the imported ${title} yet: its group context module attaches after a PSP head ` +
      'and takes its regions from an aux head, and this model has neither — use a trained source model, or another method'
    )
  if (method === 'mrnet' && !aux)
    return `MRNet needs an aux head (its memory and rectification terms are made of it); the imported ${title} has none`
  if (method === 'segsort' || method === 'coseg-st')
    return `${method} trains the studio's own network and cannot start from an imported PyTorch model`
  return null
}

/** The aux terms each method loses on a model without an aux head (every method loses the aux source CE). */
const AUX_TERMS: Record<string, string> = {
  advent: 'the aux source cross-entropy and the aux discriminator',
  adaptseg: 'the aux source cross-entropy and the aux discriminator',
  minent: 'the aux source cross-entropy and the aux entropy term',
  maxsquare: 'the aux source cross-entropy and the aux MaxSquare term',
}

/** What a run says when its imported model has no aux head: which of the method's terms are left out. */
export function auxlessNotice(method: string, arch: string): string {
  const terms = AUX_TERMS[method] ?? 'the aux source cross-entropy'
  return `${torchArchTitle(arch)} has no aux head, so the run leaves out ${terms}; the main head's terms run as published`
}

/**
 * `file` as stored in a JSON file of folder `base`: relative to it (forward slashes), so a project folder
 * moved or copied elsewhere still finds its own `models/` copy — the run folders and the model both live
 * inside the project. A file on another drive (Windows) has no relative path and stays absolute.
 */
export function relativeModelPath(base: string, file: string): string {
  const rel = path.relative(base, file)
  return path.isAbsolute(rel) ? file : rel.split(path.sep).join('/')
}

/** A PthSource as read from a JSON file of folder `base`: its `file` absolute (older folders stored it so). */
function resolvedSource(base: string, source: PthSource): PthSource {
  return { ...source, file: path.resolve(base, source.file) }
}

/**
 * Writes (or rewrites) a pth-source folder; returns `dir`. Pure JSON: no tensor is read or written. The
 * `.pth` is recorded relative to each JSON file's folder, and read back absolute (readPthSourceRun, torchWeightsOf).
 */
export function writePthSourceRun(dir: string, run: Omit<PthSourceRun, 'version' | 'kind'>): string {
  const parsed = PthSourceRunSchema.parse({ version: 1, kind: PTH_SOURCE_KIND, ...run })
  const ckptRel = `checkpoints/${checkpointDirName(PTH_SOURCE_ITERATION)}`
  const ckpt = path.join(dir, ckptRel)
  makeDirSync(ckpt)
  const file = path.resolve(parsed.source.file)
  writeFileAtomic(
    path.join(ckpt, TORCH_WEIGHTS_FILE),
    JSON.stringify({ ...parsed.source, file: relativeModelPath(ckpt, file) }, null, 2),
  )
  // A training checkpoint's state (runs/checkpoint-files.ts StateJson): no optimiser step was taken here.
  const state = {
    version: 1,
    iteration: PTH_SOURCE_ITERATION,
    optimizer: { kind: 'sgd', step: 0 },
    rng: { seed: 0, nextIteration: PTH_SOURCE_ITERATION + 1 },
    losses: [],
  }
  writeFileAtomic(path.join(ckpt, 'state.json'), JSON.stringify(state))
  writeFileAtomic(
    path.join(dir, 'run.json'),
    JSON.stringify({ ...parsed, source: { ...parsed.source, file: relativeModelPath(dir, file) } }, null, 2),
  )
  writeFileAtomic(
    path.join(dir, 'checkpoint.json'),
    JSON.stringify({ iteration: PTH_SOURCE_ITERATION, dir: ckptRel }),
  )
  return dir
}

function runKind(dir: string): unknown {
  try {
    const raw: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'))
    return typeof raw === 'object' && raw !== null ? (raw as { kind?: unknown }).kind : undefined
  } catch {
    return undefined
  }
}

/** The pth-source run of a folder, or null when the folder is another kind of run (or none). */
export function readPthSourceRun(dir: string): PthSourceRun | null {
  if (runKind(dir) !== PTH_SOURCE_KIND) return null
  const run = readCheckpointJson(path.join(dir, 'run.json'), PthSourceRunSchema)
  return { ...run, source: resolvedSource(dir, run.source) }
}

/** The PthSource a checkpoint folder's weights are (its torch-weights.json), or null for tfjs weights. */
export function torchWeightsOf(checkpointDir: string): PthSource | null {
  const file = path.join(checkpointDir, TORCH_WEIGHTS_FILE)
  if (!fs.existsSync(file)) return null
  return resolvedSource(checkpointDir, readCheckpointJson(file, PthSourceSchema))
}

/** How deep a chain of stage-1 runs is followed back to its model (a cycle would be a corrupt folder). */
const MAX_INIT_CHAIN = 8

/**
 * The network an adaptation config trains: a torchvision model when its `init` is a `.pth` (or a checkpoint
 * whose weights are one), the same network as its stage-1 run when it starts from one, else SegNet.
 */
export function initArchitecture(
  init: { kind: 'pth' } | { kind: 'checkpoint'; dir: string } | { kind: 'adapt-run'; runDir: string } | null,
  readStage1Init: (runDir: string) => Parameters<typeof initArchitecture>[0],
  depth = 0,
): ModelArchitecture {
  if (!init) return { kind: 'segnet' }
  if (init.kind === 'pth') {
    const source = PthSourceSchema.parse(init)
    return { kind: 'torchvision', arch: source.arch, aux: source.aux, source }
  }
  if (init.kind === 'checkpoint') {
    const source = torchWeightsOf(init.dir)
    return source ? { kind: 'torchvision', arch: source.arch, aux: source.aux, source } : { kind: 'segnet' }
  }
  if (depth >= MAX_INIT_CHAIN)
    throw new CheckpointError(
      path.join(init.runDir, 'run.json'),
      `its chain of stage-1 runs is longer than ${MAX_INIT_CHAIN}`,
    )
  return initArchitecture(readStage1Init(init.runDir), readStage1Init, depth + 1)
}
