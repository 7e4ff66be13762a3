/**
 * The training data of a `coseg-st` run (tag-proposal self-training, engine/coseg/coseg-self-training.ts):
 * the album's stored tag co-segmentation proposals as pseudo-labelled images, chosen here and stated in
 * the run record.
 *
 * Rules, all stated in the record:
 *   - the proposals source is the album's tag co-segmentation (`tags:album-<id>`), its newest proposal
 *     per image (a re-run of the co-segmentation replaces them);
 *   - a proposal that labels no object class (only background, or nothing) is left out: the image's tags
 *     say an object is there, so an object-free proposal is a miss of the generator, not a label;
 *   - the proposals of the album's validation images (every member of the active split, labelled or not)
 *     are left out: a validation image is never trained on, with its human mask or with a proposal, so the
 *     run's metrics stay held out.
 */
import path from 'node:path'
import { cosegSourceId } from '../../shared/coseg'
import { writeFileAtomic } from '../files/atomic-file'
import type { BackendChoice } from '../engine/api'
import { COSEG_ST_LR, COSEG_ST_STAGE } from '../engine/api'
import type { CosegSelfTrainingOptions } from '../engine/api'
import type { LabelledFile } from '../engine/api'
import { InvalidInputError } from '../project/errors'
import { toRelPath } from '../project/layout'
import type { Project } from '../project/project'
import { RunsRepo } from '../project/runs-repo'
import { cosegPseudoLabelled } from './coseg-handlers'
import { makeDirSync } from '../files/make-dir'

/** The file in the album run's folder that lists every proposal the run trained on. */
export const COSEG_TRAINING_FILE = 'coseg-training.json'

export const COSEG_VALIDATION_RULE =
  "proposals of the album's validation images are left out (a validation image is never trained on)"
export const COSEG_OBJECT_RULE = 'proposals that label no object class are left out'

export interface CosegTrainingImage {
  imageId: number
  name: string
  /** The original image and the proposal PNG (255 = no label). */
  image: string
  mask: string
}

export interface CosegTrainingSet {
  /** The proposals source (`tags:album-<id>`). */
  proposalsSource: string
  /** The pseudo-labelled images the run trains on, in image-name order. */
  items: CosegTrainingImage[]
  /** Validation images whose proposal was left out. */
  validationExcluded: { imageId: number; name: string }[]
  /** Proposals left out because they label no object class. */
  noObject: number
}

/** The album's proposals a self-training run may use, with the ones left out counted. */
export function cosegTrainingSet(
  project: Project,
  albumId: number,
  splitId: number | null,
): CosegTrainingSet {
  const validation = new Set(
    splitId === null
      ? []
      : (
          project.db.prepare('SELECT image_id FROM split_members WHERE split_id = ?').all(splitId) as {
            image_id: number
          }[]
        ).map((r) => r.image_id),
  )
  const names = new Map(
    (
      project.db.prepare('SELECT id, name FROM images WHERE album_id = ?').all(albumId) as {
        id: number
        name: string
      }[]
    ).map((r) => [r.id, r.name]),
  )
  const labelled = cosegPseudoLabelled(project, albumId)
  const withObject = cosegPseudoLabelled(project, albumId, { requireObject: true })
  const items: CosegTrainingImage[] = []
  const validationExcluded: CosegTrainingSet['validationExcluded'] = []
  for (const p of withObject) {
    const name = names.get(p.imageId) ?? `image ${p.imageId}`
    if (validation.has(p.imageId)) validationExcluded.push({ imageId: p.imageId, name })
    else items.push({ imageId: p.imageId, name, image: p.image, mask: p.mask })
  }
  return {
    proposalsSource: cosegSourceId(albumId),
    items,
    validationExcluded,
    noObject: labelled.length - withObject.length,
  }
}

/** As cosegTrainingSet, refusing (InvalidInputError) when no proposal is left to train on. */
export function requireCosegTrainingSet(
  project: Project,
  album: { id: number; name: string },
  splitId: number | null,
): CosegTrainingSet {
  const set = cosegTrainingSet(project, album.id, splitId)
  if (set.items.length > 0) return set
  const how = 'run tag co-segmentation on the album (Tags → masks, or `pss-studio coseg`)'
  const found = set.validationExcluded.length + set.noObject
  if (found === 0) {
    throw new InvalidInputError(
      `make tag proposals first: album "${album.name}" has no tag co-segmentation proposals to train on; ${how}`,
    )
  }
  const why = [
    set.validationExcluded.length > 0
      ? `${set.validationExcluded.length} on validation images (never trained on)`
      : '',
    set.noObject > 0 ? `${set.noObject} labelling no object class` : '',
  ]
    .filter((s) => s !== '')
    .join(', ')
  throw new InvalidInputError(
    `make tag proposals first: none of album "${album.name}"'s ${found} tag proposals can be trained on (${why}); tag and co-segment images outside the validation split`,
  )
}

/** The run-config summary of the training set (what `getRun` shows). */
export function cosegTrainingRecord(set: CosegTrainingSet): Record<string, unknown> {
  return {
    proposalsSource: set.proposalsSource,
    proposalImages: set.items.length,
    proposalImageIds: set.items.map((i) => i.imageId),
    validationProposalsExcluded: set.validationExcluded.length,
    noObjectProposalsExcluded: set.noObject,
    rules: [COSEG_VALIDATION_RULE, COSEG_OBJECT_RULE],
    stage: COSEG_ST_STAGE,
    lr: COSEG_ST_LR,
    listedIn: COSEG_TRAINING_FILE,
  }
}

/** Lists every pseudo-labelled image the run trains on (and those left out) in the run's folder. */
export function writeCosegTrainingFile(
  project: Project,
  runDir: string,
  set: CosegTrainingSet,
  extra: { sourceImages: number; sourceRunId: number; iterations: number },
): void {
  makeDirSync(runDir)
  const body = {
    proposalsSource: set.proposalsSource,
    init: `${new RunsRepo(project.db, project.paths).displayName(extra.sourceRunId)} (run id ${extra.sourceRunId}; its latest checkpoint)`,
    iterations: extra.iterations,
    lr: COSEG_ST_LR,
    sourceImages: extra.sourceImages,
    rules: [COSEG_VALIDATION_RULE, COSEG_OBJECT_RULE],
    proposals: set.items.map((i) => ({
      imageId: i.imageId,
      name: i.name,
      proposal: toRelPath(project.paths, i.mask),
    })),
    validationExcluded: set.validationExcluded,
    noObjectExcluded: set.noObject,
  }
  writeFileAtomic(path.join(runDir, COSEG_TRAINING_FILE), `${JSON.stringify(body, null, 2)}\n`)
}

export function cosegPseudoFiles(set: CosegTrainingSet): LabelledFile[] {
  return set.items.map((i) => ({ image: i.image, mask: i.mask }))
}

export interface CosegRunStepInput {
  runId: number
  albumId: number
  splitId: number
  runDir: string
  /** The source run whose latest checkpoint the stage starts from. */
  sourceRunId: number
  source: LabelledFile[]
  seed: number
  iterations: number
  size: number
  batch: number
  width: 16 | 32
  backend: BackendChoice
  numClasses: number
  snapshotEvery: number
}

/**
 * The method step of a `coseg-st` run job, as the run plan's data: reads the album's proposals again (they
 * may have changed while the job waited), lists them in the run folder and the run record, and returns the
 * fine-tuning's options.
 */
export function cosegRunStep(project: Project, i: CosegRunStepInput): CosegSelfTrainingOptions {
  const set = cosegTrainingSet(project, i.albumId, i.splitId)
  if (set.items.length === 0) {
    throw new Error(
      `make tag proposals first: the album has no tag proposal left to train on (${set.validationExcluded.length} on validation images, ${set.noObject} labelling no object class)`,
    )
  }
  const runs = new RunsRepo(project.db, project.paths)
  runs.setConfig(i.runId, { ...runs.config(i.runId), cosegTraining: cosegTrainingRecord(set) })
  writeCosegTrainingFile(project, i.runDir, set, {
    sourceImages: i.source.length,
    sourceRunId: i.sourceRunId,
    iterations: i.iterations,
  })
  return {
    runDir: i.runDir,
    seed: i.seed,
    iterations: i.iterations,
    size: i.size,
    batch: i.batch,
    width: i.width,
    backend: i.backend,
    numClasses: i.numClasses,
    source: i.source,
    pseudo: cosegPseudoFiles(set),
    snapshotEvery: i.snapshotEvery,
  }
}
