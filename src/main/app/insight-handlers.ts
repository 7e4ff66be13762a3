/**
 * API handlers of insight: the album grid seen through runs and clusters (per-image FIoU of a run, gain
 * over a baseline run, filters by cluster / selection / gain), cluster summaries, and the embedding map's
 * 2-D layout (computed by a job in the engine worker, cached as <project>/insight/embedding-<album>.json).
 *
 * Ordering is `orderRows` from shared/insight.ts (the tested one), over light rows; only the page asked
 * for becomes full image records.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { ApiParsedArgs } from '../../shared/api'
import type { StartedJob } from '../../shared/domain'
import {
  keepRow,
  orderRows,
  SAMPLE_PER_CLUSTER,
  gainOf,
  type AlbumEmbedding,
  type ClusterOverview,
  type ClusterRow,
  type InsightPage,
  type InsightRow,
  type ProjectResults,
  type ResultsRun,
} from '../../shared/insight'
import { mediaRef } from '../../shared/domain'
import { isBackendChoice } from '../engine/api'
import { startEmbedWorker } from '../engine/api'
import { writeFileAtomic } from '../files/atomic-file'
import { InvalidInputError, NotFoundError } from '../project/errors'
import { contentFilterSql, toImageRecord, type ImageRow } from '../project/images-repo'
import { gridContentFilter } from './prediction-classes'
import { MetricsRepo } from '../project/metrics-repo'
import { RunsRepo } from '../project/runs-repo'
import { parseJson } from '../project/db'
import type { Project } from '../project/project'
import { listClusterings } from './clustering-handlers'
import type { HandlerContext, HandlerGroup } from './handler-context'
import { makeDirSync } from '../files/make-dir'
import { runDisplayNumbers, runName } from '../../shared/run-names'

type InsightMethods =
  'insightImages' | 'clusterOverview' | 'computeEmbedding' | 'albumEmbedding' | 'projectResults'

export const EMBED_QUEUE = 'cluster'

function checkRun(project: Project, runId: number | undefined, albumId: number): void {
  if (runId === undefined) return
  const r = project.db.prepare('SELECT album_id FROM runs WHERE id = ?').get(runId) as
    { album_id: number | null } | undefined
  if (!r) throw new NotFoundError(`run ${runId} does not exist`)
  if (r.album_id !== albumId) throw new InvalidInputError(`run ${runId} is not a run of album ${albumId}`)
}

const FILTER_SQL: Record<ApiParsedArgs<'insightImages'>['filter'], string | null> = {
  all: null,
  masked: 'i.mask_version IS NOT NULL',
  unmasked: 'i.mask_version IS NULL',
  validation: 'i.in_validation = 1',
  train: 'i.in_validation = 0',
}

/** Light rows of an album's images with the FIoU of `runId` and of `baseRunId` (−1: none). */
function insightRows(project: Project, a: ApiParsedArgs<'insightImages'>): InsightRow[] {
  const where = ['i.album_id = @album']
  const filter = FILTER_SQL[a.filter]
  if (filter) where.push(filter)
  const search = a.search?.trim() ?? ''
  if (search !== '') where.push("i.name LIKE @search ESCAPE '\\'")
  if (a.cluster !== undefined) where.push(a.cluster === -1 ? 'i.cluster IS NULL' : 'i.cluster = @cluster')
  // Class present (GT or a run's prediction) and FIoU range: the same filters as the plain grid page.
  const content = contentFilterSql(gridContentFilter(project, a.albumId, a), 'i')
  where.push(...content.where)
  const rows = project.db
    .prepare(
      `SELECT i.id, i.name, i.cluster, i.mask_version, m.value AS fiou, b.value AS base
       FROM images i
       LEFT JOIN metrics m ON m.run_id = @run AND m.image_id = i.id AND m.name = 'fiou'
       LEFT JOIN metrics b ON b.run_id = @base AND b.image_id = i.id AND b.name = 'fiou'
       WHERE ${where.join(' AND ')}`,
    )
    .all({
      album: a.albumId,
      run: a.runId ?? -1,
      base: a.baseRunId ?? -1,
      cluster: a.cluster ?? null,
      ...content.params,
      ...(search !== '' ? { search: `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` } : {}),
    }) as {
    id: number
    name: string
    cluster: number | null
    mask_version: number | null
    fiou: number | null
    base: number | null
  }[]
  const ids = a.ids ? new Set(a.ids) : null
  const out: InsightRow[] = []
  for (const r of rows) {
    if (ids && !ids.has(r.id)) continue
    const row: InsightRow = {
      id: r.id,
      name: r.name,
      cluster: r.cluster,
      hasMask: r.mask_version !== null,
      fiou: r.fiou,
      baseFiou: r.base,
    }
    if (keepRow(row, a.only)) out.push(row)
  }
  return out
}

export function insightImages(project: Project, a: ApiParsedArgs<'insightImages'>): InsightPage {
  project.albums.get(a.albumId) // NOT_FOUND for an unknown album
  checkRun(project, a.runId, a.albumId)
  checkRun(project, a.baseRunId, a.albumId)
  return project.db.transaction((): InsightPage => {
    const ordered = orderRows(insightRows(project, a), a.order)
    const slice = ordered.slice(a.offset, a.offset + a.limit)
    const full = project.db
      .prepare('SELECT * FROM images WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(slice.map((r) => r.id))) as ImageRow[]
    const byId = new Map(full.map((r) => [r.id, r]))
    const items = slice.flatMap((r) => {
      const row = byId.get(r.id)
      return row
        ? [{ ...toImageRecord(row), fiou: r.fiou, baseFiou: r.baseFiou, gain: gainOf(r.fiou, r.baseFiou) }]
        : []
    })
    return { total: ordered.length, offset: a.offset, items }
  })()
}

export function clusterOverview(project: Project, a: ApiParsedArgs<'clusterOverview'>): ClusterOverview {
  project.albums.get(a.albumId)
  checkRun(project, a.runId, a.albumId)
  const clustering = listClusterings(project, a.albumId)[0] ?? null
  const stats = project.db
    .prepare(
      `SELECT i.cluster AS cluster, count(*) AS size,
              sum(i.mask_version IS NOT NULL) AS masked,
              sum(i.in_validation = 1) AS validation,
              sum(i.in_validation = 1 AND i.mask_version IS NOT NULL) AS validation_masked,
              count(m.value) AS scored, avg(m.value) AS mean_fiou
       FROM images i
       LEFT JOIN metrics m ON m.run_id = @run AND m.image_id = i.id AND m.name = 'fiou'
       WHERE i.album_id = @album GROUP BY i.cluster ORDER BY i.cluster`,
    )
    .all({ album: a.albumId, run: a.runId ?? -1 }) as {
    cluster: number | null
    size: number
    masked: number
    validation: number
    validation_masked: number
    scored: number
    mean_fiou: number | null
  }[]
  const samples = project.db
    .prepare(
      `SELECT id, name, cluster FROM (
         SELECT id, name, cluster, row_number() OVER (PARTITION BY cluster ORDER BY name COLLATE NOCASE, id) AS rn
         FROM images WHERE album_id = ? AND cluster IS NOT NULL
       ) WHERE rn <= ${SAMPLE_PER_CLUSTER} ORDER BY cluster, rn`,
    )
    .all(a.albumId) as { id: number; name: string; cluster: number }[]
  const sampleOf = new Map<number, ClusterRow['sample']>()
  for (const s of samples) {
    const list = sampleOf.get(s.cluster) ?? []
    list.push({ imageId: s.id, name: s.name, thumb: mediaRef.thumb(s.id) })
    sampleOf.set(s.cluster, list)
  }
  let unclustered = 0
  const clusters: ClusterRow[] = []
  for (const s of stats) {
    if (s.cluster === null) {
      unclustered = s.size
      continue
    }
    clusters.push({
      cluster: s.cluster,
      size: s.size,
      sample: sampleOf.get(s.cluster) ?? [],
      masked: s.masked,
      validation: s.validation,
      validationMasked: s.validation_masked,
      scored: s.scored,
      meanFiou: s.scored > 0 ? s.mean_fiou : null,
    })
  }
  return { albumId: a.albumId, clustering, runId: a.runId ?? null, clusters, unclustered }
}

/**
 * The project's results: every done album run with stored album-level metrics (as MetricsRepo reads
 * them, nothing recomputed), its per-class table, split and mask-set fingerprint, newest first; and every
 * album with its active split. Reading writes nothing: runs left running by a closed studio were settled
 * when the project opened (settleOrphanRuns).
 */
export function projectResults(project: Project): ProjectResults {
  const runs = new RunsRepo(project.db, project.paths)
  const metrics = new MetricsRepo(project.db)
  return project.db.transaction((): ProjectResults => {
    const splitVersion = new Map(
      (project.db.prepare('SELECT id, version FROM splits').all() as { id: number; version: number }[]).map(
        (r) => [r.id, r.version],
      ),
    )
    const albums = project.albums.list().map((a) => ({
      albumId: a.id,
      name: a.name,
      userId: a.userId,
      activeSplitId: a.splitId,
      activeSplitVersion: a.splitId !== null ? (splitVersion.get(a.splitId) ?? null) : null,
    }))
    const all = runs.list()
    const numbers = runDisplayNumbers(all)
    const rows = all.filter((r) => r.kind === 'album' && r.status === 'done' && r.album_id !== null)
    const ids = rows.map((r) => r.id)
    const scores = metrics.summaries(ids)
    const sets = runs.maskSets(ids)
    const out: ResultsRun[] = []
    for (const r of rows) {
      const m = scores.get(r.id)
      if (!m || r.album_id === null) continue
      const config = parseJson<Record<string, unknown>>(r.config, {})
      const source = config.sourceRunId
      out.push({
        runId: r.id,
        name: runName(r, numbers),
        albumId: r.album_id,
        albumName: r.album_name ?? `album ${r.album_id}`,
        method: r.method,
        createdAt: r.created_at,
        seed: r.seed,
        sourceRunId: typeof source === 'number' && Number.isInteger(source) ? source : null,
        splitId: r.split_id,
        splitVersion: r.split_version,
        maskSet: sets.get(r.id)?.fingerprint ?? null,
        metrics: m,
        perClass: metrics.perClass(r.id),
      })
    }
    return { albums, runs: out }
  })()
}

export function embeddingFile(project: Project, albumId: number): string {
  return path.join(project.root, 'insight', `embedding-${albumId}.json`)
}

/** The cached layout, or null when none was computed (or the file is unreadable: recompute). */
export function readEmbedding(project: Project, albumId: number): AlbumEmbedding | null {
  project.albums.get(albumId)
  let text: string
  try {
    text = fs.readFileSync(embeddingFile(project, albumId), 'utf8')
  } catch {
    return null
  }
  try {
    const e = JSON.parse(text) as Omit<AlbumEmbedding, 'clusters'>
    const ok =
      e.albumId === albumId &&
      Array.isArray(e.ids) &&
      e.ids.length === e.x.length &&
      e.ids.length === e.y.length
    if (!ok) return null
    // Images deleted since: drop their points. Clusters are read now (a later clustering recolours the map).
    const cluster = new Map(
      (
        project.db.prepare('SELECT id, cluster FROM images WHERE album_id = ?').all(albumId) as {
          id: number
          cluster: number | null
        }[]
      ).map((r) => [r.id, r.cluster]),
    )
    const keep = e.ids.map((id, i) => (cluster.has(id) ? i : -1)).filter((i) => i >= 0)
    return {
      ...e,
      ids: keep.map((i) => e.ids[i]!),
      x: keep.map((i) => e.x[i]!),
      y: keep.map((i) => e.y[i]!),
      clusters: keep.map((i) => cluster.get(e.ids[i]!) ?? null),
    }
  } catch {
    return null
  }
}

/** True when a source run's folder holds a trained model (what loadRunModel needs). */
function hasModel(runs: RunsRepo, runId: number): boolean {
  return fs.existsSync(path.join(runs.dir(runId), 'checkpoint.json'))
}

/**
 * The source model whose encoder lays out the album: the one asked for (a done source run with a
 * model), else the source model of the album's newest done run, else the project's newest trained one.
 */
export function embeddingSourceRun(project: Project, albumId: number, asked: number | undefined): number {
  const runs = new RunsRepo(project.db, project.paths)
  if (asked !== undefined) {
    const r = runs.row(asked)
    if (r.kind !== 'source')
      throw new InvalidInputError(`run ${asked} is an album run, not a source model; give a source run`)
    if (r.status !== 'done' || !hasModel(runs, asked))
      throw new InvalidInputError(`source run ${asked} has no trained model (it is ${r.status})`)
    return asked
  }
  for (const r of runs.list(albumId)) {
    if (r.status !== 'done') continue
    const source = parseJson<Record<string, unknown>>(r.config, {}).sourceRunId
    if (typeof source === 'number' && Number.isInteger(source) && source > 0 && hasModel(runs, source))
      return source
  }
  const any = runs.list().find((r) => r.kind === 'source' && r.status === 'done' && hasModel(runs, r.id))
  if (any) return any.id
  throw new InvalidInputError(
    'this project has no trained source model yet: start a run first, or lay out the colour features',
  )
}

export async function startEmbedding(
  project: Project,
  ctx: HandlerContext,
  a: ApiParsedArgs<'computeEmbedding'>,
): Promise<StartedJob> {
  const album = project.albums.get(a.albumId)
  const rows = project.db
    .prepare('SELECT * FROM images WHERE album_id = ? ORDER BY name COLLATE NOCASE, id')
    .all(a.albumId) as ImageRow[]
  if (rows.length === 0) throw new InvalidInputError(`album "${album.name}" has no images to lay out`)
  const images = rows.map((r) => ({ id: r.id, path: project.originalPath(r) }))
  const sourceRunId = a.features === 'encoder' ? embeddingSourceRun(project, a.albumId, a.sourceRunId) : null
  let encoder: { runDir: string; backend: string } | undefined
  if (sourceRunId !== null) {
    // The backend the studio trains on (PSS_BACKEND / the probe); '' lets the worker pick the same way.
    const probed = (await ctx.backend()).name
    encoder = {
      runDir: new RunsRepo(project.db, project.paths).dir(sourceRunId),
      backend: isBackendChoice(probed) ? probed : '',
    }
  }
  const what = sourceRunId !== null ? `encoder of source model #${sourceRunId}` : 'colour features'
  const job = ctx.jobs().enqueue(
    {
      kind: 'embedding',
      queue: EMBED_QUEUE,
      title: `Embedding map of album "${album.name}" (${a.method.toUpperCase()} of the ${what}, seed ${a.seed})`,
      args: { ...a, sourceRunId },
    },
    async (job) => {
      job.progress({ done: 0, total: images.length, message: 'computing features' })
      const handle = startEmbedWorker(
        images,
        { method: a.method, seed: a.seed, ...(encoder ? { encoder } : {}) },
        {
          onProgress: (done, total) =>
            job.progress({ done, total, message: done < total ? 'computing features' : 'laying out' }),
          onProblem: (p) => job.problem(p),
        },
      )
      const onAbort = (): void => handle.cancel()
      job.signal.addEventListener('abort', onAbort)
      try {
        const out = await handle.result
        if (out.status !== 'done' || job.cancelled()) return { points: 0 }
        const e: AlbumEmbedding = {
          albumId: a.albumId,
          method: out.method,
          seed: a.seed,
          features:
            sourceRunId !== null
              ? out.features.replace(/^encoder/, `encoder of source model #${sourceRunId}`)
              : out.features,
          featureKind: a.features,
          sourceRunId,
          createdAt: new Date().toISOString(),
          seconds: out.seconds,
          ids: out.ids,
          x: out.x,
          y: out.y,
          clusters: [],
        }
        const file = embeddingFile(project, a.albumId)
        makeDirSync(path.dirname(file))
        const { clusters: _c, ...stored } = e
        writeFileAtomic(file, JSON.stringify(stored))
        ctx.emit('library', { albumId: a.albumId, reason: 'embedding' })
        return { points: e.ids.length, method: e.method }
      } finally {
        job.signal.removeEventListener('abort', onAbort)
      }
    },
  )
  return { jobId: job.id }
}

export function insightHandlers(ctx: HandlerContext): HandlerGroup<InsightMethods> {
  return {
    insightImages: (a) => insightImages(ctx.project(), a),
    clusterOverview: (a) => clusterOverview(ctx.project(), a),
    computeEmbedding: (a) => startEmbedding(ctx.project(), ctx, a),
    albumEmbedding: (a) => readEmbedding(ctx.project(), a.albumId),
    projectResults: () => projectResults(ctx.project()),
  }
}
