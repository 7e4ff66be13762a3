/**
 * What an album run reads from the project store before any job exists: the validation images with their
 * newest human masks, the labelled source set the source model trains on, and an imported source model
 * (a PyTorch checkpoint the project stores) when the run starts from one.
 */
import { auxlessNotice, importedModelRefusal, RUNNABLE_TORCH_ARCHS, type LabelledFile } from '../engine/api'
import { SourceModelsRepo } from '../project/source-models-repo'
import { VOC_CLASSES } from '../../shared/voc'
import { InvalidInputError, NotFoundError } from '../project/errors'
import { fromRelPath } from '../project/layout'
import type { Project } from '../project/project'
import type { RunMask } from '../project/runs-repo'
import type { ImageRow } from '../project/images-repo'

export interface ValidationItem {
  imageId: number
  name: string
  maskVersion: number
  maskFile: string
}

export interface SourcePick {
  sourceId: number
  sourceName: string
  list: 'train' | 'all'
  files: LabelledFile[]
  masks: RunMask[]
}

/** The album's active split members that have a human mask: their newest human mask version. */
export function validationItems(
  project: Project,
  splitId: number,
): { items: ValidationItem[]; members: number } {
  const rows = project.db
    .prepare(
      `SELECT sm.image_id AS image_id, i.name AS name,
         (SELECT m.version FROM masks m WHERE m.image_id = sm.image_id AND m.author = 'human' ORDER BY m.version DESC LIMIT 1) AS version,
         (SELECT m.file FROM masks m WHERE m.image_id = sm.image_id AND m.author = 'human' ORDER BY m.version DESC LIMIT 1) AS file
       FROM split_members sm JOIN images i ON i.id = sm.image_id
       WHERE sm.split_id = ? ORDER BY i.name COLLATE NOCASE, i.id`,
    )
    .all(splitId) as { image_id: number; name: string; version: number | null; file: string | null }[]
  const items: ValidationItem[] = []
  for (const r of rows) {
    if (r.version === null || r.file === null) continue
    items.push({
      imageId: r.image_id,
      name: r.name,
      maskVersion: r.version,
      maskFile: fromRelPath(project.paths, r.file),
    })
  }
  return { items, members: rows.length }
}

/** The labelled source set: its `train` list when it has one, else every masked image. */
export function pickSource(project: Project, sourceId: number | undefined): SourcePick {
  const sources = project.sources.list()
  let source =
    sourceId !== undefined ? sources.find((s) => s.id === sourceId) : sources.find((s) => s.maskedCount > 0)
  if (sourceId !== undefined && !source) throw new NotFoundError(`source dataset ${sourceId} does not exist`)
  if (!source) {
    throw new InvalidInputError(
      sources.length === 0
        ? 'this project has no source dataset to train the source model on; import a labelled VOC dataset first'
        : `no source dataset of this project has masks (${sources.map((s) => `"${s.name}"`).join(', ')}); the source model needs labelled images`,
    )
  }
  const listId = project.sources.listId(source.id, 'train')
  const rows = project.db
    .prepare(
      `SELECT i.*, m.file AS mask_file FROM images i JOIN masks m ON m.image_id = i.id AND m.version = i.mask_version
       WHERE i.source_id = ? ${listId !== null ? 'AND i.id IN (SELECT image_id FROM source_list_members WHERE list_id = ?)' : ''}
       ORDER BY i.id`,
    )
    .all(...(listId !== null ? [source.id, listId] : [source.id])) as (ImageRow & { mask_file: string })[]
  if (rows.length === 0) {
    throw new InvalidInputError(
      `source dataset "${source.name}" has no masked image${listId !== null ? ' in its train list' : ''}; the source model needs labelled images`,
    )
  }
  source = source as NonNullable<typeof source>
  return {
    sourceId: source.id,
    sourceName: source.name,
    list: listId !== null ? 'train' : 'all',
    files: rows.map((r) => ({
      image: project.originalPath(r),
      mask: fromRelPath(project.paths, r.mask_file),
    })),
    masks: rows.map((r) => ({ imageId: r.id, maskVersion: r.mask_version! })),
  }
}

/** What a run's record says of the imported model it started from (config.sourceModel). */
export interface SourceModelRecord {
  id: number
  name: string
  arch: string
  sha256: string
}

export interface SourceModelPick {
  record: SourceModelRecord
  /** The project's stored copy of the checkpoint. */
  file: string
  arch: (typeof RUNNABLE_TORCH_ARCHS)[number]
  aux: boolean
  /** What the run leaves out because the model has no aux head (null: nothing, e.g. No-DA). */
  notice: string | null
}

/**
 * The imported source model `id` for a run of `method`: it must exist, be an architecture the studio runs,
 * predict the VOC classes, and suit the method (OURS and MRNet need what these models lack).
 */
export function pickSourceModel(project: Project, id: number, method: string): SourceModelPick {
  const repo = new SourceModelsRepo(project.db, project.paths)
  const m = repo.get(id)
  const arch = m.arch
  if (!(RUNNABLE_TORCH_ARCHS as readonly string[]).includes(arch)) {
    throw new InvalidInputError(
      `source model #${id} "${m.name}" is ${arch}, which the studio cannot run yet (runnable: ${RUNNABLE_TORCH_ARCHS.join(', ')})`,
    )
  }
  if (m.classes !== VOC_CLASSES.length) {
    throw new InvalidInputError(
      `source model #${id} "${m.name}" predicts ${m.classes} classes; album runs are scored on the ${VOC_CLASSES.length} VOC classes`,
    )
  }
  const refusal = importedModelRefusal(method, arch, m.hasAux)
  if (refusal) throw new InvalidInputError(`source model #${id} "${m.name}": ${refusal}`)
  return {
    record: { id: m.id, name: m.name, arch, sha256: m.sha256 },
    file: repo.filePath(m),
    arch: arch as SourceModelPick['arch'],
    aux: m.hasAux,
    notice: method !== 'noda' && !m.hasAux ? auxlessNotice(method, arch) : null,
  }
}

/** The imported model a run's config names (config.sourceModel), or null for a run with a trained source model. */
export function sourceModelOf(config: Record<string, unknown>): SourceModelRecord | null {
  const v = config.sourceModel
  if (typeof v !== 'object' || v === null) return null
  const r = v as Partial<SourceModelRecord>
  return typeof r.id === 'number' &&
    typeof r.name === 'string' &&
    typeof r.arch === 'string' &&
    typeof r.sha256 === 'string'
    ? { id: r.id, name: r.name, arch: r.arch, sha256: r.sha256 }
    : null
}
