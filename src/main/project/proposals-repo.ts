/**
 * Mask proposals: machine-made label maps (e.g. tag-driven co-segmentation) that a curator may accept,
 * component by component, in the editor. A proposal is never a mask version: accepting one means the
 * editor paints its pixels and the curator saves a mask as usual.
 *
 * Files live at `proposals/<source>/<image-id>.png` (VOC palette PNG, 255 = no proposal). A source
 * (`tags:<job-id>` for example) replaces its earlier proposal of the same image; the PNGs are written
 * atomically before the rows, and the rows of one call are stored in one transaction, so a failure leaves
 * the previous proposals in place (a written file without its row is removed).
 */
import fs from 'node:fs'
import path from 'node:path'
import { removeQuietly, writeFileAtomic } from '../files/atomic-file'
import { nowIso, type Db } from './db'
import { InvalidInputError, NotFoundError } from './errors'
import { fromRelPath, safeFileName, type ProjectPaths } from './layout'

export const PROPOSAL_KINDS = ['tags'] as const
export type ProposalKind = (typeof PROPOSAL_KINDS)[number]

export interface ProposalInput {
  imageId: number
  kind: ProposalKind
  /** Who made it, stable across re-runs of the same producer (e.g. `tags:album-3`). */
  sourceId: string
  /** What the editor shows ("Tag co-segmentation (cluster 4)"). */
  label: string
  /** Palette PNG bytes of the proposal at the image's size. */
  png: Uint8Array
  /** Class indices present in the proposal (0–20). */
  classes: number[]
  meta?: Record<string, unknown>
}

export interface StoredProposal {
  id: number
  imageId: number
  kind: ProposalKind
  sourceId: string
  label: string
  /** Project-relative path of the PNG (serve as `mediaRef.file(relPath)`). */
  relPath: string
  classes: number[]
  meta: Record<string, unknown>
  createdAt: string
}

interface ProposalRow {
  id: number
  image_id: number
  source_kind: string
  source_id: string
  label: string
  rel_path: string
  classes: string
  meta: string
  created_at: string
}

function isProposalKind(k: string): k is ProposalKind {
  return (PROPOSAL_KINDS as readonly string[]).includes(k)
}

function fromRow(r: ProposalRow): StoredProposal {
  if (!isProposalKind(r.source_kind)) {
    throw new InvalidInputError(`proposal ${r.id} has an unknown kind "${r.source_kind}"`)
  }
  return {
    id: r.id,
    imageId: r.image_id,
    kind: r.source_kind,
    sourceId: r.source_id,
    label: r.label,
    relPath: r.rel_path,
    classes: JSON.parse(r.classes) as number[],
    meta: JSON.parse(r.meta) as Record<string, unknown>,
    createdAt: r.created_at,
  }
}

export class ProposalsRepo {
  constructor(
    private readonly db: Db,
    private readonly paths: ProjectPaths,
  ) {}

  private relPathFor(sourceId: string, imageId: number, stamp: string): string {
    // The stamp keeps the old file readable until the new row is committed.
    return `proposals/${safeFileName(sourceId, 'source')}/${imageId}-${stamp}.png`
  }

  /** Stores proposals (replacing each image's earlier one from the same source); returns their ids. */
  putMany(inputs: readonly ProposalInput[]): number[] {
    for (const p of inputs) {
      if (!isProposalKind(p.kind)) throw new InvalidInputError(`unknown proposal kind "${String(p.kind)}"`)
      if (p.sourceId.trim() === '')
        throw new InvalidInputError(`proposal of image ${p.imageId}: empty source id`)
      if (p.classes.some((c) => !Number.isInteger(c) || c < 0 || c > 20)) {
        throw new InvalidInputError(`proposal of image ${p.imageId}: classes must be integers 0–20`)
      }
    }
    const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`
    const written: string[] = []
    try {
      const rels = inputs.map((p) => {
        const rel = this.relPathFor(p.sourceId, p.imageId, stamp)
        writeFileAtomic(fromRelPath(this.paths, rel), p.png)
        written.push(fromRelPath(this.paths, rel))
        return rel
      })
      const { ids, replaced } = this.db.transaction(() => {
        const exists = this.db.prepare('SELECT 1 FROM images WHERE id = ?')
        const old = this.db.prepare(
          'SELECT rel_path FROM mask_proposals WHERE image_id = ? AND source_id = ?',
        )
        const del = this.db.prepare('DELETE FROM mask_proposals WHERE image_id = ? AND source_id = ?')
        const ins = this.db.prepare(
          `INSERT INTO mask_proposals (image_id, source_kind, source_id, label, rel_path, classes, meta, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        const ids: number[] = []
        const replaced: string[] = []
        inputs.forEach((p, i) => {
          if (!exists.get(p.imageId)) throw new NotFoundError(`image ${p.imageId} does not exist (proposal)`)
          const prev = old.get(p.imageId, p.sourceId) as { rel_path: string } | undefined
          if (prev) replaced.push(prev.rel_path)
          del.run(p.imageId, p.sourceId)
          const rel = rels[i] as string
          ids.push(
            Number(
              ins.run(
                p.imageId,
                p.kind,
                p.sourceId,
                p.label,
                rel,
                JSON.stringify([...new Set(p.classes)].sort((a, b) => a - b)),
                JSON.stringify(p.meta ?? {}),
                nowIso(),
              ).lastInsertRowid,
            ),
          )
        })
        return { ids, replaced }
      })()
      for (const rel of replaced) removeQuietly(fromRelPath(this.paths, rel))
      return ids
    } catch (e) {
      for (const f of written) removeQuietly(f)
      throw e
    }
  }

  listForImage(imageId: number): StoredProposal[] {
    const rows = this.db
      .prepare('SELECT * FROM mask_proposals WHERE image_id = ? ORDER BY created_at DESC, id DESC')
      .all(imageId) as ProposalRow[]
    return rows.map(fromRow)
  }

  get(id: number): StoredProposal {
    const r = this.db.prepare('SELECT * FROM mask_proposals WHERE id = ?').get(id) as ProposalRow | undefined
    if (!r) throw new NotFoundError(`proposal ${id} does not exist`)
    return fromRow(r)
  }

  /** Absolute path of a proposal's PNG. */
  filePath(p: StoredProposal): string {
    return fromRelPath(this.paths, p.relPath)
  }

  /** Removes every proposal of a source (rows in one transaction, then the files); returns the count. */
  deleteSource(sourceId: string): number {
    const rels = this.db.transaction(() => {
      const rows = this.db
        .prepare('SELECT rel_path FROM mask_proposals WHERE source_id = ?')
        .all(sourceId) as { rel_path: string }[]
      this.db.prepare('DELETE FROM mask_proposals WHERE source_id = ?').run(sourceId)
      return rows.map((r) => r.rel_path)
    })()
    for (const rel of rels) removeQuietly(fromRelPath(this.paths, rel))
    const dir = path.join(this.paths.root, 'proposals', safeFileName(sourceId, 'source'))
    try {
      if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir)
    } catch {
      /* the folder may not exist; nothing to tidy */
    }
    return rels.length
  }
}
