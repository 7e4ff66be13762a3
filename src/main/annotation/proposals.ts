/**
 * The proposals one image can start from in the editor: every finished album run of the image's album
 * that wrote a prediction for it (newest run first), then the stored proposals (ProposalsRepo: tag
 * co-segmentation and any later producer), newest first. Listing never decodes a PNG; the editor loads
 * the one the curator picks.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { MaskProposalSource } from '../../shared/annotation'
import { mediaRef } from '../../shared/domain'
import { predictionRef, type RunKind } from '../../shared/runs'
import { runDisplayNumbers, runName } from '../../shared/run-names'
import type { Project } from '../project/project'
import { ProposalsRepo } from '../project/proposals-repo'
import { exhaustive } from '../project/errors'

export function listMaskProposals(project: Project, imageId: number): MaskProposalSource[] {
  const img = project.images.row(imageId) // NOT_FOUND for an unknown image
  const runs =
    img.album_id === null
      ? []
      : (project.db
          .prepare(
            `SELECT id, method, coalesce(finished_at, created_at) AS at FROM runs
             WHERE album_id = ? AND kind = 'album' AND status = 'done' ORDER BY id DESC`,
          )
          .all(img.album_id) as { id: number; method: string; at: string }[])
  const out: MaskProposalSource[] = []
  // Named as the runs view names them ("No-DA #4"): display numbers over every run of the project.
  const numbers =
    runs.length === 0
      ? new Map<number, number>()
      : runDisplayNumbers(
          project.db.prepare('SELECT id, kind FROM runs').all() as { id: number; kind: RunKind }[],
        )
  for (const r of runs) {
    // The same file the media resolver serves for pred/<run>/<image>.
    const file = path.join(project.paths.runs, String(r.id), 'predictions', `${imageId}.png`)
    if (!fs.existsSync(file)) continue
    out.push({
      key: `pred:${r.id}`,
      kind: 'prediction',
      label: runName({ id: r.id, kind: 'album', method: r.method }, numbers),
      media: predictionRef.label(r.id, imageId),
      classes: null,
      runId: r.id,
      createdAt: r.at,
    })
  }
  for (const p of new ProposalsRepo(project.db, project.paths).listForImage(imageId)) {
    switch (p.kind) {
      case 'tags':
        out.push({
          key: `proposal:${p.id}`,
          kind: p.kind,
          label: p.label,
          media: mediaRef.file(p.relPath),
          classes: p.classes,
          runId: null,
          createdAt: p.createdAt,
        })
        break
      default:
        exhaustive(p.kind)
    }
  }
  return out
}
