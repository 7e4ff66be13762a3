/**
 * API handlers of album clustering: `clusterAlbum` starts a job (queue 'cluster') that computes the
 * features and k-means in the engine worker thread and stores the result as the album's newest clustering
 * (GroupingsRepo.addClustering, meta = how it was made); `listClusterings` reads them back.
 */
import path from 'node:path'
import type { ApiParsedArgs } from '../../shared/api'
import type { ClusteringInfo } from '../../shared/clustering'
import type { StartedJob } from '../../shared/domain'
import type { JobQueue } from '../jobs/job-queue'
import { parseJson } from '../project/db'
import { InvalidInputError } from '../project/errors'
import type { ImageRow } from '../project/images-repo'
import type { Project } from '../project/project'
import { clusterAndStore } from './cluster-and-store'
import type { HandlerContext, HandlerGroup } from './handler-context'

export const CLUSTER_QUEUE = 'cluster'

type ClusteringMethods = 'clusterAlbum' | 'listClusterings'

/** What a finished clustering job returns (the job's result). */
export interface ClusterJobResult {
  clusteringId: number | null
  k: number
  images: number
  skipped: number
  silhouette: number | null
}

function albumImages(project: Project, albumId: number): { id: number; path: string }[] {
  const rows = project.db
    .prepare('SELECT * FROM images WHERE album_id = ? ORDER BY name COLLATE NOCASE, id')
    .all(albumId) as ImageRow[]
  return rows.map((r) => ({ id: r.id, path: project.originalPath(r) }))
}

/**
 * A stored K as it may size an array: projects written before groups were bounded (or edited by hand) can
 * hold 1e20 or 4294967294 there. No clustering can use more groups than the album has images, so K is
 * clamped to that, and a value that is not a whole number ≥ 0 counts as 0.
 */
export function boundedK(stored: unknown, imageCount: number): number {
  if (typeof stored !== 'number' || !Number.isInteger(stored) || stored < 0) return 0
  return Math.min(stored, Math.max(0, imageCount))
}

export function listClusterings(project: Project, albumId: number): ClusteringInfo[] {
  project.albums.get(albumId) // NOT_FOUND for an unknown album
  const rows = project.db
    .prepare(
      'SELECT id, album_id, name, k, meta, created_at FROM clusterings WHERE album_id = ? ORDER BY id DESC',
    )
    .all(albumId) as {
    id: number
    album_id: number
    name: string
    k: number
    meta: string
    created_at: string
  }[]
  const sizeRows = project.db
    .prepare(
      `SELECT m.clustering_id AS cid, m.cluster AS g, count(*) AS n FROM cluster_members m
       JOIN clusterings c ON c.id = m.clustering_id WHERE c.album_id = ? GROUP BY m.clustering_id, m.cluster`,
    )
    .all(albumId) as { cid: number; g: number; n: number }[]
  const { n: imageCount } = project.db
    .prepare('SELECT count(*) AS n FROM images WHERE album_id = ?')
    .get(albumId) as { n: number }
  return rows.map((r) => {
    const k = boundedK(r.k, imageCount)
    const sizes = new Array<number>(k).fill(0)
    for (const s of sizeRows)
      if (s.cid === r.id && Number.isInteger(s.g) && s.g >= 0 && s.g < k) sizes[s.g] = s.n
    return {
      id: r.id,
      albumId: r.album_id,
      name: r.name,
      k,
      createdAt: r.created_at,
      sizes,
      meta: parseJson<Record<string, unknown>>(r.meta, {}),
    }
  })
}

export function startClustering(
  project: Project,
  jobs: JobQueue,
  onStored: (albumId: number) => void,
  a: ApiParsedArgs<'clusterAlbum'>,
): StartedJob {
  const album = project.albums.get(a.albumId)
  const images = albumImages(project, a.albumId)
  if (images.length === 0) throw new InvalidInputError(`album "${album.name}" has no images to cluster`)
  if (typeof a.k === 'number' && a.k > images.length) {
    throw new InvalidInputError(
      `K = ${a.k} is more than the ${images.length} images of album "${album.name}"`,
    )
  }
  const runDir = a.runDir !== undefined ? path.resolve(project.root, a.runDir) : undefined
  const k = a.k ?? 'default'
  const label = typeof k === 'number' ? `K = ${k}` : k === 'auto' ? 'automatic K' : 'K = N/8'
  const job = jobs.enqueue(
    {
      kind: 'cluster',
      queue: CLUSTER_QUEUE,
      title: `Cluster album "${album.name}" (${a.features} features, ${label})`,
      args: { ...a, runDir },
    },
    async (ctx): Promise<ClusterJobResult> => {
      const stored = await clusterAndStore(
        project,
        a.albumId,
        { images, k, features: a.features, runDir, seed: a.seed, restarts: a.restarts },
        ctx,
        (meta) =>
          a.name ??
          `k-means ${meta.features.kind} K=${meta.k}${meta.kRequested === 'auto' ? ' (auto)' : ''} seed ${meta.seed}`,
      )
      if (!stored) return { clusteringId: null, k: 0, images: 0, skipped: 0, silhouette: null }
      onStored(a.albumId)
      const { meta } = stored
      return {
        clusteringId: stored.clusteringId,
        k: meta.k,
        images: meta.images,
        skipped: meta.skipped,
        silhouette: meta.silhouette,
      }
    },
  )
  return { jobId: job.id }
}

export function clusteringHandlers(ctx: HandlerContext): HandlerGroup<ClusteringMethods> {
  return {
    clusterAlbum: (a) =>
      startClustering(
        ctx.project(),
        ctx.jobs(),
        (albumId) => ctx.emit('library', { albumId, reason: 'clustered' }),
        a,
      ),
    listClusterings: (a) => listClusterings(ctx.project(), a.albumId),
  }
}
