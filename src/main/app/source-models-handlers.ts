/**
 * The source-model API (src/shared/source-models.ts): `addSourceModel` reads a user-chosen PyTorch
 * checkpoint, detects and checks it, and stores a copy in the project; `listSourceModels` lists them.
 * Everything is checked before anything is written, so a file that cannot be used leaves the project as
 * it was (no row, no file, no folder). The checkpoint is read, never referenced: the project keeps its copy.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { ApiParsedArgs } from '../../shared/api'
import { SOURCE_MODEL_ADDED, type SourceModel, type SourceModelInspection } from '../../shared/source-models'
import { ArchitectureError } from '../engine/api'
import { inspectPth, sha256File, type PthInspection } from '../engine/api'
import { DEFAULT_MAX_PTH_BYTES, RUNNABLE_TORCH_ARCHS, TorchCheckpointError } from '../engine/api'
import { InvalidInputError, NotFoundError, StoreIoError } from '../project/errors'
import type { Project } from '../project/project'
import { SourceModelsRepo } from '../project/source-models-repo'
import type { HandlerContext, HandlerGroup } from './handler-context'

/** Largest checkpoint accepted: the reader's own limit (1 GiB; DeepLabV3-ResNet-101 is 0.24 GB). */
export const MAX_SOURCE_MODEL_BYTES = DEFAULT_MAX_PTH_BYTES

/** Extensions PyTorch checkpoints commonly carry, dropped from the default display name. */
const CHECKPOINT_EXT = /\.(pth|pt|pth\.tar|ckpt)$/i

/** The default name: the file's name without its checkpoint extension. */
export function defaultModelName(file: string): string {
  const base = path.basename(file).replace(CHECKPOINT_EXT, '').trim()
  return base === '' ? 'model' : base
}

/** Checks that `file` is a readable regular file of a plausible size, before any of it is read. */
function checkCandidateFile(file: string): void {
  let st: fs.Stats
  try {
    st = fs.statSync(file)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new NotFoundError(`${file} does not exist`)
    throw new InvalidInputError(`${file} cannot be read: ${(e as Error).message}`)
  }
  if (st.isDirectory()) throw new InvalidInputError(`${file} is a folder, not a .pth checkpoint`)
  if (!st.isFile()) throw new InvalidInputError(`${file} is not a regular file (a device, pipe or socket)`)
  if (st.size === 0) throw new InvalidInputError(`${file} is empty (0 bytes), not a .pth checkpoint`)
  if (st.size > MAX_SOURCE_MODEL_BYTES) {
    throw new InvalidInputError(
      `${file} is ${(st.size / 1e9).toFixed(2)} GB; the studio imports checkpoints up to ` +
        `${(MAX_SOURCE_MODEL_BYTES / 1e9).toFixed(2)} GB (DeepLabV3-ResNet-101 is 0.24 GB)`,
    )
  }
}

/** Reads and judges the checkpoint; every refusal is an InvalidInputError naming the file. */
async function inspectCandidate(file: string): Promise<PthInspection> {
  let inspection: PthInspection
  try {
    inspection = (await inspectPth(file, { maxFileBytes: MAX_SOURCE_MODEL_BYTES })).inspection
  } catch (e) {
    if (e instanceof TorchCheckpointError || e instanceof ArchitectureError)
      throw new InvalidInputError(e.message)
    throw e
  }
  if (!inspection.importable) throw new InvalidInputError(inspection.problem ?? `${file} cannot be used`)
  if (inspection.backbone) {
    throw new InvalidInputError(
      `${file}: ${inspection.arch} is an ImageNet classification backbone (${inspection.classes} classes), not a ` +
        'segmentation model; it can initialise source training, but it cannot be a source model',
    )
  }
  return inspection
}

/** Where an added checkpoint came from, when not the file itself (a download: its URL). */
export interface AddOrigin {
  originalPath?: string
}

export async function addSourceModel(
  project: Project,
  args: ApiParsedArgs<'addSourceModel'>,
  origin: AddOrigin = {},
): Promise<SourceModel> {
  if (project.readOnly !== null) {
    throw new StoreIoError(`cannot add a source model to ${project.root}: ${project.readOnly}`)
  }
  const file = path.resolve(args.path)
  checkCandidateFile(file)
  const repo = new SourceModelsRepo(project.db, project.paths)
  // Hashed first, so a file already in the project is refused before the (slower) read.
  const sha256 = await sha256File(file)
  const existing = repo.findBySha256(sha256)
  if (existing) throw repo.duplicateError(origin.originalPath ?? file, existing)
  // Reading and checking runs here on the main thread (~0.3 s for torchvision's 13 MB LR-ASPP, a few
  // seconds for a 0.24 GB ResNet-101): acceptable for a user-started import, and the caller gets the
  // stored model back directly. A job would be the place for it if imports of large models become common.
  const inspection = await inspectCandidate(file)
  if (inspection.sha256 !== sha256) {
    throw new InvalidInputError(`${file} changed while it was being read; nothing was added — try again`)
  }
  return repo.add(
    file,
    {
      name: args.name ?? defaultModelName(file),
      arch: inspection.arch,
      classes: inspection.classes,
      parameterCount: inspection.parameterCount,
      hasAux: inspection.hasAux,
      sha256,
      bytes: inspection.fileBytes,
      tensors: inspection.tensors,
      wrappedIn: inspection.wrappedIn,
      strippedPrefix: inspection.strippedPrefix,
    },
    origin.originalPath,
  )
}

/**
 * What addSourceModel would store, without storing anything: the dialog shows it before "Add". The same
 * checks run (a file addSourceModel would refuse is refused here with the same message), except that a
 * file already in the project is reported as `duplicateOf` rather than refused, so the dialog can say which.
 */
export async function inspectSourceModel(
  project: Project,
  args: ApiParsedArgs<'inspectSourceModel'>,
): Promise<SourceModelInspection> {
  const file = path.resolve(args.path)
  checkCandidateFile(file)
  const inspection = await inspectCandidate(file)
  const repo = new SourceModelsRepo(project.db, project.paths)
  return {
    file,
    name: defaultModelName(file),
    arch: inspection.arch,
    classes: inspection.classes,
    parameterCount: inspection.parameterCount,
    hasAux: inspection.hasAux,
    sha256: inspection.sha256,
    bytes: inspection.fileBytes,
    tensors: inspection.tensors,
    runnable: (RUNNABLE_TORCH_ARCHS as readonly string[]).includes(inspection.arch),
    duplicateOf: repo.findBySha256(inspection.sha256),
  }
}

export function listSourceModels(project: Project): SourceModel[] {
  return new SourceModelsRepo(project.db, project.paths).list()
}

export function sourceModelsHandlers(
  ctx: HandlerContext,
): HandlerGroup<'addSourceModel' | 'listSourceModels' | 'inspectSourceModel'> {
  return {
    addSourceModel: async (args) => {
      const model = await addSourceModel(ctx.project(), args)
      ctx.emit('library', { reason: SOURCE_MODEL_ADDED })
      return model
    },
    listSourceModels: () => listSourceModels(ctx.project()),
    inspectSourceModel: (args) => inspectSourceModel(ctx.project(), args),
  }
}
