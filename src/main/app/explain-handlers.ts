/**
 * The explain API (src/shared/explain.ts): for a point of an image in a SegSort run's prediction, the
 * segment under it (from the run's explain files), its k-NN vote, and the annotated bank segments that
 * decided it, resolved to project images so the renderer can show them. Reads files of the run folder
 * only (engine/segsort/bank-files.ts); no tfjs, no database writes.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { ApiParsedArgs } from '../../shared/api'
import { mediaRef } from '../../shared/domain'
import type { ExplainedRegion, ExplainNeighbour } from '../../shared/explain'
import { VOC_CLASSES } from '../../shared/voc'
import { EXPLAIN_DIR, readBank, readExplain, SegsortFileError } from '../engine/api'
import { segsortDirOf } from '../engine/api'
import { InvalidInputError, NotFoundError } from '../project/errors'
import type { Project } from '../project/project'
import { RunsRepo } from '../project/runs-repo'
import type { HandlerContext, HandlerGroup } from './handler-context'

function className(label: number): string {
  return VOC_CLASSES[label] ?? `class ${label}`
}

function imageName(project: Project, id: number): string | null {
  const r = project.db.prepare('SELECT name FROM images WHERE id = ?').get(id) as { name: string } | undefined
  return r?.name ?? null
}

export function explainRegion(project: Project, args: ApiParsedArgs<'explainRegion'>): ExplainedRegion {
  const runs = new RunsRepo(project.db, project.paths)
  const row = runs.row(args.runId)
  if (row.method !== 'segsort') {
    throw new InvalidInputError(
      `run ${args.runId} is a ${row.method} run; only SegSort runs explain their labels`,
    )
  }
  if (row.status !== 'done')
    throw new InvalidInputError(`run ${args.runId} is ${row.status}; it explains its labels once done`)
  const dir = segsortDirOf(runs.dir(args.runId))
  const name = String(args.imageId)
  if (!fs.existsSync(path.join(dir, EXPLAIN_DIR, `${name}.json`))) {
    throw new NotFoundError(`run ${args.runId} has no prediction of image ${args.imageId}`)
  }
  let ex: ReturnType<typeof readExplain>
  let bank: ReturnType<typeof readBank>
  try {
    ex = readExplain(dir, name)
    bank = readBank(dir)
  } catch (e) {
    if (e instanceof SegsortFileError) throw new InvalidInputError(`run ${args.runId}: ${e.message}`)
    throw e
  }
  const { record, segments } = ex
  if (args.x >= record.width || args.y >= record.height) {
    throw new InvalidInputError(
      `(${args.x}, ${args.y}) is outside image ${args.imageId} (${record.width}×${record.height})`,
    )
  }
  const id = segments.labels[args.y * record.width + args.x]!
  const seg = record.segments.find((s) => s.id === id)
  if (!seg)
    throw new InvalidInputError(
      `run ${args.runId}: image ${args.imageId}'s segment map names segment ${id}, its record does not`,
    )
  const neighbours: ExplainNeighbour[] = seg.neighbours.map((n, i) => {
    const e = bank.entries[n.index]
    if (!e)
      throw new InvalidInputError(
        `run ${args.runId}: neighbour ${n.index} is not in the memory bank (${bank.entries.length} entries)`,
      )
    const imageId = Number(e.key)
    return {
      rank: i + 1,
      imageId,
      imageName: imageName(project, imageId),
      origin: e.origin,
      bbox: e.bbox,
      imageWidth: e.imageWidth,
      imageHeight: e.imageHeight,
      label: e.label,
      labelName: className(e.label),
      similarity: n.similarity,
      media: { image: mediaRef.image(imageId), thumb: mediaRef.thumb(imageId) },
    }
  })
  const rel = path
    .relative(project.paths.root, path.join(dir, EXPLAIN_DIR, `${name}.png`))
    .split(path.sep)
    .join('/')
  return {
    runId: args.runId,
    imageId: args.imageId,
    x: args.x,
    y: args.y,
    segment: {
      id: seg.id,
      label: seg.label,
      labelName: className(seg.label),
      pixels: seg.pixels,
      bbox: seg.bbox,
      votes: Object.entries(seg.votes)
        .map(([label, count]) => ({ label: Number(label), name: className(Number(label)), count }))
        .sort((a, b) => b.count - a.count || a.label - b.label),
      segmentsMedia: `file/${rel}`,
    },
    knn: record.knn,
    bank: { entries: bank.entries.length, origins: bank.origins },
    neighbours,
  }
}

export function explainHandlers(ctx: HandlerContext): HandlerGroup<'explainRegion'> {
  return {
    explainRegion: (args) => explainRegion(ctx.project(), args),
  }
}
