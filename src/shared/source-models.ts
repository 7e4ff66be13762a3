/**
 * Source models imported into a project from PyTorch checkpoints (issue 14): the `.pth` is read without
 * running any code from it, its architecture detected from the state dict's keys and shapes, checked
 * (21 VOC classes, finite weights), and a copy stored in the project's `models/` folder.
 */

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
