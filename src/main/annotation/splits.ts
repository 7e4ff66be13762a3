/**
 * Validation splits of an album: drawing a new one (stratified over the newest clustering, seeded,
 * frozen, stored as the album's next version) and describing one with its per-cluster coverage.
 */
import type { ClusterCoverage, SplitInfo } from '../../shared/annotation'
import { parseJson, type Db } from '../project/db'
import { InvalidInputError, NotFoundError } from '../project/errors'
import type { GroupingsRepo } from '../project/groupings-repo'
import { stratifiedSample } from '../../shared/stratified-sample'

export interface MakeSplitArgs {
  albumId: number
  fraction: number
  seed: number
  name?: string | undefined
}

interface SplitRow {
  id: number
  album_id: number
  version: number
  name: string
  meta: string
  created_at: string
}

function newestClustering(db: Db, albumId: number): number | null {
  const r = db.prepare('SELECT max(id) AS id FROM clusterings WHERE album_id = ?').get(albumId) as {
    id: number | null
  }
  return r.id
}

export function makeSplit(db: Db, groupings: GroupingsRepo, a: MakeSplitArgs): SplitInfo {
  if (!db.prepare('SELECT 1 FROM albums WHERE id = ?').get(a.albumId))
    throw new NotFoundError(`album ${a.albumId} does not exist`)
  const clusteringId = newestClustering(db, a.albumId)
  const items = db
    .prepare(
      `SELECT i.id AS id, cm.cluster AS grp FROM images i
       LEFT JOIN cluster_members cm ON cm.image_id = i.id AND cm.clustering_id = ?
       WHERE i.album_id = ? ORDER BY i.id`,
    )
    .all(clusteringId, a.albumId) as { id: number; grp: number | null }[]
  if (items.length === 0) throw new InvalidInputError(`album ${a.albumId} has no images to split`)
  const chosen = stratifiedSample(
    items.map((r) => ({ id: r.id, group: r.grp })),
    a.fraction,
    a.seed,
  )
  const pct = Math.round(a.fraction * 100)
  const name = a.name ?? `validation ${pct}% (seed ${a.seed}${clusteringId !== null ? ', stratified' : ''})`
  const id = groupings.addSplit(a.albumId, name, chosen, {
    fraction: a.fraction,
    seed: a.seed,
    clusteringId,
    strategy: clusteringId !== null ? 'stratified' : 'random',
  })
  return splitInfo(db, id)
}

/** The album's active split, or null. */
export function activeSplit(db: Db, albumId: number): SplitInfo | null {
  const r = db.prepare('SELECT active_split_id AS id FROM albums WHERE id = ?').get(albumId) as
    { id: number | null } | undefined
  if (!r) throw new NotFoundError(`album ${albumId} does not exist`)
  return r.id === null ? null : splitInfo(db, r.id)
}

export function splitInfo(db: Db, splitId: number): SplitInfo {
  const s = db
    .prepare('SELECT id, album_id, version, name, meta, created_at FROM splits WHERE id = ?')
    .get(splitId) as SplitRow | undefined
  if (!s) throw new NotFoundError(`split ${splitId} does not exist`)
  const meta = parseJson<Record<string, unknown>>(s.meta, {})
  const clusteringId = newestClustering(db, s.album_id)
  const rows = db
    .prepare(
      `SELECT cm.cluster AS cluster,
              count(*) AS images,
              sum(sm.image_id IS NOT NULL) AS validation,
              sum(sm.image_id IS NOT NULL AND EXISTS (SELECT 1 FROM masks m WHERE m.image_id = i.id AND m.author = 'human')) AS annotated
       FROM images i
       LEFT JOIN cluster_members cm ON cm.image_id = i.id AND cm.clustering_id = @c
       LEFT JOIN split_members sm ON sm.image_id = i.id AND sm.split_id = @s
       WHERE i.album_id = @a
       GROUP BY cm.cluster ORDER BY cm.cluster IS NULL, cm.cluster`,
    )
    .all({ c: clusteringId, s: splitId, a: s.album_id }) as ClusterCoverage[]
  const coverage = rows.map((r) => ({
    cluster: r.cluster,
    images: r.images,
    validation: r.validation ?? 0,
    annotated: r.annotated ?? 0,
  }))
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
  return {
    id: s.id,
    albumId: s.album_id,
    version: s.version,
    name: s.name,
    createdAt: s.created_at,
    seed: num(meta.seed),
    fraction: num(meta.fraction),
    clusteringId: num(meta.clusteringId),
    imageCount: coverage.reduce((t, c) => t + c.images, 0),
    validationCount: coverage.reduce((t, c) => t + c.validation, 0),
    validationAnnotated: coverage.reduce((t, c) => t + c.annotated, 0),
    coverage,
  }
}
