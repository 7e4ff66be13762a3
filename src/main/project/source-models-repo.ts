/**
 * Source models imported from PyTorch checkpoints (table `source_models`, files in `<project>/models/`).
 * The store only keeps what the caller has already checked (app/source-models-handlers.ts reads, detects
 * and judges the file — the store cannot import the engine): it copies the file atomically, verifies the
 * copy's sha256 against the checked one, then writes the row; a failure after the copy removes it.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { SourceModel } from '../../shared/source-models'
import { copyFileAtomic, removeQuietly } from '../files/atomic-file'
import { nowIso, parseJson, type Db } from './db'
import { ConflictError, InvalidInputError, NotFoundError } from './errors'
import { fromRelPath, safeFileName, toRelPath, uniqueFileName, type ProjectPaths } from './layout'

/** Folder of the stored checkpoints, inside the project. */
export const MODELS_DIR = 'models'

/** Hex digits of the sha256 that start a stored file's name (torchvision's published names use 8). */
const SHA_PREFIX_LENGTH = 12

/** What the caller found when it checked the file: everything the row holds except where it is stored. */
export type CheckedSourceModel = Omit<SourceModel, 'id' | 'file' | 'originalPath' | 'addedAt'>

interface SourceModelRow {
  id: number
  name: string
  arch: string
  classes: number
  parameter_count: number
  has_aux: number
  sha256: string
  file: string
  original_path: string
  bytes: number
  added_at: string
  detection: string
}

interface Detection {
  tensors?: number
  wrappedIn?: string | null
  strippedPrefix?: string | null
}

/**
 * sha256 of a file, read synchronously in 1 MiB chunks. Synchronous on purpose: `add` runs from the
 * duplicate check to the row without yielding, so two adds of one file in this process cannot interleave.
 */
export function sha256FileSync(file: string): string {
  const hash = crypto.createHash('sha256')
  const buf = Buffer.allocUnsafe(1 << 20)
  const fd = fs.openSync(file, 'r')
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null)
      if (n === 0) break
      hash.update(buf.subarray(0, n))
    }
  } finally {
    fs.closeSync(fd)
  }
  return hash.digest('hex')
}

function toModel(r: SourceModelRow): SourceModel {
  const d = parseJson<Detection>(r.detection, {})
  return {
    id: r.id,
    name: r.name,
    arch: r.arch,
    classes: r.classes,
    parameterCount: r.parameter_count,
    hasAux: r.has_aux === 1,
    sha256: r.sha256,
    file: r.file,
    originalPath: r.original_path,
    bytes: r.bytes,
    tensors: typeof d.tensors === 'number' ? d.tensors : 0,
    wrappedIn: typeof d.wrappedIn === 'string' ? d.wrappedIn : null,
    strippedPrefix: typeof d.strippedPrefix === 'string' ? d.strippedPrefix : null,
    addedAt: r.added_at,
  }
}

export class SourceModelsRepo {
  constructor(
    private readonly db: Db,
    private readonly paths: ProjectPaths,
  ) {}

  list(): SourceModel[] {
    const rows = this.db
      .prepare('SELECT * FROM source_models ORDER BY added_at, id')
      .all() as SourceModelRow[]
    return rows.map(toModel)
  }

  get(id: number): SourceModel {
    const row = this.db.prepare('SELECT * FROM source_models WHERE id = ?').get(id) as
      SourceModelRow | undefined
    if (!row) throw new NotFoundError(`source model ${id} does not exist`)
    return toModel(row)
  }

  findBySha256(sha256: string): SourceModel | null {
    const row = this.db.prepare('SELECT * FROM source_models WHERE sha256 = ?').get(sha256) as
      SourceModelRow | undefined
    return row ? toModel(row) : null
  }

  /** Absolute path of a stored model's file. */
  filePath(model: SourceModel): string {
    return fromRelPath(this.paths, model.file)
  }

  /** The "already imported" refusal, also used by the caller before it reads a file it has seen. */
  duplicateError(file: string, existing: SourceModel): ConflictError {
    return new ConflictError(
      `${file} is already imported as source model #${existing.id} "${existing.name}" (${existing.file}, ` +
        `sha256 ${existing.sha256.slice(0, SHA_PREFIX_LENGTH)}…); nothing was added`,
    )
  }

  /**
   * Stores a checked checkpoint: refuses one whose sha256 is already stored, copies `sourceFile` to
   * `models/<sha256 prefix>-<name>.pth` atomically, checks that the copy hashes to `checked.sha256` (so the
   * stored bytes are the checked bytes even if the original changed meanwhile), then inserts the row.
   * `originalPath` is the provenance recorded (default `sourceFile`; a download records its URL).
   */
  add(sourceFile: string, checked: CheckedSourceModel, originalPath: string = sourceFile): SourceModel {
    const existing = this.findBySha256(checked.sha256)
    if (existing) throw this.duplicateError(sourceFile, existing)
    const dir = path.join(this.paths.root, MODELS_DIR)
    const wanted = safeFileName(
      `${checked.sha256.slice(0, SHA_PREFIX_LENGTH)}-${checked.name}.pth`,
      'model.pth',
    )
    // A file of that name with no row (an add killed between rename and insert) is kept, not overwritten.
    const target = path.join(dir, uniqueFileName(dir, wanted))
    copyFileAtomic(sourceFile, target)
    try {
      const copied = sha256FileSync(target)
      if (copied !== checked.sha256) {
        throw new InvalidInputError(
          `${sourceFile} changed while it was being imported (sha256 ${checked.sha256.slice(0, SHA_PREFIX_LENGTH)}… ` +
            `when checked, ${copied.slice(0, SHA_PREFIX_LENGTH)}… when copied); nothing was added — try again`,
        )
      }
      const detection: Detection = {
        tensors: checked.tensors,
        wrappedIn: checked.wrappedIn,
        strippedPrefix: checked.strippedPrefix,
      }
      const info = this.db
        .prepare(
          `INSERT INTO source_models
             (name, arch, classes, parameter_count, has_aux, sha256, file, original_path, bytes, added_at, detection)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          checked.name,
          checked.arch,
          checked.classes,
          checked.parameterCount,
          checked.hasAux ? 1 : 0,
          checked.sha256,
          toRelPath(this.paths, target),
          originalPath,
          checked.bytes,
          nowIso(),
          JSON.stringify(detection),
        )
      return this.get(Number(info.lastInsertRowid))
    } catch (e) {
      removeQuietly(target)
      throw e
    }
  }
}
