/**
 * Which classes a run's predictions contain, per image: for the grid's "class present in run #N's
 * prediction" filter. Predictions are label PNGs under runs/<id>/predictions/ and are not in the
 * database, so they are decoded once per run and kept for the session; a finished run's predictions
 * never change (a rerun is a new run). The key includes the run's creation time because SQLite may
 * reuse the id of a deleted last run.
 */
import fs from 'node:fs'
import path from 'node:path'
import { decodeLabelPng } from '../media/label-png'
import type { Project } from '../project/project'
import type { ContentFilter } from '../project/images-repo'
import { InvalidInputError, NotFoundError } from '../project/errors'

/** imageId → bitmask of the classes 0..31 present in its prediction (VOC has 21). */
type ClassBits = Map<number, number>

const cache = new WeakMap<Project, Map<string, ClassBits>>()

/** The bitmask of the class labels (< 32) present in a label map; 255 (ignore) and others are skipped. */
export function classBits(labels: Uint8Array): number {
  let bits = 0
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!
    if (v < 32) bits |= 1 << v
  }
  return bits >>> 0
}

function runClassBits(project: Project, runId: number): ClassBits {
  const run = project.db.prepare('SELECT created_at, status FROM runs WHERE id = ?').get(runId) as
    { created_at: string; status: string } | undefined
  if (!run) throw new NotFoundError(`run ${runId} does not exist`)
  if (run.status !== 'done')
    throw new InvalidInputError(
      `run ${runId} is ${run.status}; only a done run's predictions can filter the grid`,
    )
  let perRun = cache.get(project)
  if (!perRun) cache.set(project, (perRun = new Map()))
  const key = `${runId}@${run.created_at}`
  const hit = perRun.get(key)
  if (hit) return hit
  const dir = path.join(project.paths.runs, String(runId), 'predictions')
  const out: ClassBits = new Map()
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    names = [] // a run without predictions (failed before predicting) matches no image
  }
  for (const name of names) {
    const m = /^(\d+)\.png$/.exec(name)
    if (!m) continue
    const file = path.join(dir, name)
    try {
      out.set(Number(m[1]), classBits(decodeLabelPng(fs.readFileSync(file)).labels))
    } catch (e) {
      throw new InvalidInputError(`prediction ${file} cannot be read: ${(e as Error).message}`)
    }
  }
  perRun.set(key, out)
  return out
}

/** Ids of the images whose prediction by `runId` contains `classId`. */
export function imagesPredictedWithClass(project: Project, runId: number, classId: number): number[] {
  if (!Number.isInteger(classId) || classId < 0 || classId > 31)
    throw new InvalidInputError(`class ${classId} is out of range`)
  const ids: number[] = []
  for (const [imageId, bits] of runClassBits(project, runId)) if ((bits >>> classId) & 1) ids.push(imageId)
  return ids
}

/** Refuses a grid filter by a run of another album (its ids and scores would describe other images). */
export function checkRunOfAlbum(project: Project, runId: number, albumId: number): void {
  const run = project.db.prepare('SELECT album_id FROM runs WHERE id = ?').get(runId) as
    { album_id: number | null } | undefined
  if (!run) throw new NotFoundError(`run ${runId} does not exist`)
  if (run.album_id !== albumId) throw new InvalidInputError(`run ${runId} is not a run of album ${albumId}`)
}

/** The API's hasClass / fiou grid filter arguments, checked against the album and resolved for SQL. */
export function gridContentFilter(
  project: Project,
  albumId: number | undefined,
  a: {
    hasClass?: { classId: number; runId?: number | undefined } | undefined
    fiou?: { runId: number; min: number; max: number } | undefined
  },
): ContentFilter {
  const runId = a.hasClass?.runId
  if (runId !== undefined || a.fiou !== undefined) {
    if (albumId === undefined)
      throw new InvalidInputError('run filters need an album: a source dataset has no runs')
    if (runId !== undefined) checkRunOfAlbum(project, runId, albumId)
    if (a.fiou !== undefined) checkRunOfAlbum(project, a.fiou.runId, albumId)
  }
  return {
    gtClass: a.hasClass && runId === undefined ? a.hasClass.classId : undefined,
    onlyIds:
      a.hasClass && runId !== undefined
        ? imagesPredictedWithClass(project, runId, a.hasClass.classId)
        : undefined,
    fiouRange: a.fiou,
  }
}
