/**
 * Source models imported into a project from PyTorch checkpoints (issue 14): the `.pth` is read without
 * running any code from it, its architecture detected from the state dict's keys and shapes, checked
 * (21 VOC classes, finite weights), and a copy stored in the project's `models/` folder.
 */

/** The `library` event's reason when a model was stored: the run form's Source list reloads on it. */
export const SOURCE_MODEL_ADDED = 'source model added'

export interface SourceModel {
  id: number
  /** Display name: the file's name without `.pth` unless one was given. */
  name: string
  /** Detected architecture (engine/models/torch/architecture-specs.ts), e.g. `lraspp_mobilenet_v3_large`. */
  arch: string
  classes: number
  /** Learnable parameters (BatchNorm running statistics excluded), as PyTorch's `model.parameters()` counts them. */
  parameterCount: number
  hasAux: boolean
  /** sha256 of the stored copy, equal to the imported file's. */
  sha256: string
  /** The stored copy, project-relative: `models/<sha256 prefix>-<name>.pth`. */
  file: string
  /** The file it was imported from (absolute); only provenance, the studio uses the copy. */
  originalPath: string
  bytes: number
  /** Tensors in the state dict. */
  tensors: number
  /** The checkpoint dict key that held the state dict (`state_dict`, `model`, …), or null. */
  wrappedIn: string | null
  /** A prefix removed from every key (`module.` of DataParallel), or null. */
  strippedPrefix: string | null
  addedAt: string
}

/** What "Add a source model" found in a `.pth` before anything is stored (inspectSourceModel). */
export interface SourceModelInspection {
  /** The file inspected (absolute). */
  file: string
  /** The name it would be stored under by default. */
  name: string
  arch: string
  classes: number
  parameterCount: number
  hasAux: boolean
  sha256: string
  bytes: number
  tensors: number
  /** Whether the studio can run it as a run's source (the others are stored for inspection only). */
  runnable: boolean
  /** The stored model with the same sha256, when the file is already in the project. */
  duplicateOf: SourceModel | null
}
