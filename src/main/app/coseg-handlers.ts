/**
 * API handlers of tag-driven co-segmentation: `startCoseg` checks the album and the model at once (bad
 * input fails the call, before any job exists) and enqueues a job (queue 'coseg') that
 *   1. clusters the album first when it has no clustering (the clustering job of clustering-handlers.ts,
 *      colour features, K = N/8, seed 0; it is stored and shown like any other),
 *   2. reads every image's tags again (they may have changed while the job waited): images without a
 *      valid tag are skipped and counted, values that are not VOC classes 1–20 are ignored and reported
 *      by image name,
 *   3. co-segments each cluster's tagged images in the engine worker (engine/coseg) and stores each
 *      cluster's proposals through ProposalsRepo as soon as they arrive (kind 'tags', source
 *      `tags:album-<id>`), so a cancel keeps the clusters already done.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { ApiParsedArgs } from '../../shared/api'
import { cosegSourceId, type CosegBadTags, type CosegJobResult } from '../../shared/coseg'
import type { StartedJob } from '../../shared/domain'
import { cosegConfig } from '../engine/api'
import type { CosegGroup, CosegGroupResult, CosegOutcome } from '../engine/api'
import { startCosegWorker } from '../engine/api'
import { withCancel } from '../engine/api'
import type { JobContext, JobQueue } from '../jobs/job-queue'
import { parseJson } from '../project/db'
import { InvalidInputError } from '../project/errors'
import type { ImageRow } from '../project/images-repo'
import type { Project } from '../project/project'
import { ProposalsRepo } from '../project/proposals-repo'
import { RunsRepo } from '../project/runs-repo'
import { startClustering, type ClusterJobResult } from './clustering-handlers'
import { chooseJobBackend } from './job-backend'
import type { HandlerContext, HandlerGroup } from './handler-context'

export const COSEG_QUEUE = 'coseg'
export const COSEG_JOB_KIND = 'coseg'

type CosegMethods = 'startCoseg'

/** The run whose weights co-segment: a done source run, or the source model of a done No-DA run. */
export function cosegModelRun(project: Project, runId: number): { modelRunId: number; runDir: string } {
  const runs = new RunsRepo(project.db, project.paths)
  const row = runs.row(runId) // NOT_FOUND for an unknown run
  if (row.status !== 'done') {
    throw new InvalidInputError(`run ${runId} is ${row.status}; co-segmentation needs a finished run's model`)
  }
  let modelRunId = runId
  if (row.kind === 'album') {
    if (row.method !== 'noda') {
      throw new InvalidInputError(
        `run ${runId} is a ${row.method} run; co-segmentation uses a source model: give a source run or a No-DA run (adapted models are not supported yet)`,
      )
    }
    const source = parseJson<Record<string, unknown>>(row.config, {}).sourceRunId
    if (typeof source !== 'number' || !Number.isInteger(source) || source < 1) {
      throw new InvalidInputError(`No-DA run ${runId} records no source model`)
    }
    modelRunId = source
  }
  const runDir = runs.dir(modelRunId)
  if (!fs.existsSync(path.join(runDir, 'checkpoint.json'))) {
    throw new InvalidInputError(`run ${modelRunId} has no trained model in its folder (no checkpoint)`)
  }
  return { modelRunId, runDir }
}

/** An image's stored tags split into valid VOC classes (1–20) and the rest (0, background, is implicit). */
export function splitTags(raw: string): { valid: number[]; bad: unknown[] } {
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return { valid: [], bad: [raw] }
  }
  if (!Array.isArray(parsed)) return { valid: [], bad: [parsed] }
  const valid = new Set<number>()
  const bad: unknown[] = []
  for (const t of parsed) {
    if (typeof t === 'number' && Number.isInteger(t) && t >= 1 && t <= 20) valid.add(t)
    else if (t !== 0) bad.push(t)
  }
  return { valid: [...valid].sort((a, b) => a - b), bad }
}

function albumRows(project: Project, albumId: number): ImageRow[] {
  return project.db
    .prepare('SELECT * FROM images WHERE album_id = ? ORDER BY name COLLATE NOCASE, id')
    .all(albumId) as ImageRow[]
}

interface CosegDeps {
  project: Project
  jobs: JobQueue
  backend: () => Promise<string>
  emitLibrary: (albumId: number, reason: string) => void
}

/** Runs the album's clustering job (clustering-handlers.ts) and waits for it; cancelling cancels it. */
async function clusterFirst(deps: CosegDeps, ctx: JobContext, albumId: number): Promise<number> {
  ctx.progress({ message: 'clustering the album first (colour features, K = N/8)' })
  const { jobId } = startClustering(deps.project, deps.jobs, (id) => deps.emitLibrary(id, 'clustered'), {
    albumId,
    features: 'color',
    seed: 0,
    restarts: 10,
    name: 'k-means color (for tag co-segmentation)',
  })
  const done = await withCancel(ctx.signal, () => deps.jobs.cancel(jobId), deps.jobs.settled(jobId))
  const result = done.result as ClusterJobResult | null
  if (done.status !== 'done' || !result || result.clusteringId === null) {
    throw new Error(
      `clustering the album ${done.status === 'done' ? 'stored nothing' : done.status}${done.error ? `: ${done.error}` : ''}`,
    )
  }
  return result.clusteringId
}

export function startCoseg(deps: CosegDeps, a: ApiParsedArgs<'startCoseg'>): StartedJob {
  const { project } = deps
  const album = project.albums.get(a.albumId)
  const model = cosegModelRun(project, a.runId)
  const rows = albumRows(project, a.albumId)
  if (rows.length === 0) throw new InvalidInputError(`album "${album.name}" has no images`)
  if (!rows.some((r) => splitTags(r.tags).valid.length > 0)) {
    throw new InvalidInputError(
      `no image of album "${album.name}" has a tag (a VOC class); tag some images first`,
    )
  }
  const config = cosegConfig({
    ...(a.affinityWeight !== undefined ? { affinityWeight: a.affinityWeight } : {}),
    ...(a.temperature !== undefined ? { temperature: a.temperature } : {}),
    ...(a.seedConfidence !== undefined ? { seedConfidence: a.seedConfidence } : {}),
    ...(a.minConfidence !== undefined ? { minConfidence: a.minConfidence } : {}),
    ...(a.crf ? {} : { crf: null }),
  })
  const sourceId = cosegSourceId(a.albumId)
  const job = deps.jobs.enqueue(
    {
      kind: COSEG_JOB_KIND,
      queue: COSEG_QUEUE,
      title: `Tag co-segmentation of "${album.name}" (model of ${new RunsRepo(project.db, project.paths).displayName(model.modelRunId)})`,
      args: { ...a, modelRunId: model.modelRunId },
    },
    async (ctx): Promise<CosegJobResult> => {
      const t0 = performance.now()
      let clusteringId: number | null = null
      if (albumRows(project, a.albumId).every((r) => r.cluster === null)) {
        clusteringId = await clusterFirst(deps, ctx, a.albumId)
      }
      // Re-read now: tags and clusters may have changed while the job waited.
      const now = albumRows(project, a.albumId)
      const badTags: CosegBadTags[] = []
      const byGroup = new Map<number, CosegGroup['items']>()
      let untagged = 0
      const singles: CosegGroup[] = []
      for (const r of now) {
        const { valid, bad } = splitTags(r.tags)
        if (bad.length > 0) {
          badTags.push({ imageId: r.id, image: r.name, tags: bad })
          ctx.problem({
            file: r.name,
            reason: `tag${bad.length > 1 ? 's' : ''} ${bad.map((t) => JSON.stringify(t)).join(', ')} ${bad.length > 1 ? 'are not VOC classes' : 'is not a VOC class'} (1–20); ignored`,
          })
        }
        if (valid.length === 0) {
          untagged++
          continue
        }
        const item = { imageId: r.id, name: r.name, path: project.originalPath(r), tags: valid }
        // An image outside every cluster (unreadable when the album was clustered) is co-segmented alone.
        if (r.cluster === null) singles.push({ group: -1, items: [item] })
        else byGroup.set(r.cluster, [...(byGroup.get(r.cluster) ?? []), item])
      }
      const groups: CosegGroup[] = [
        ...[...byGroup.entries()].sort((x, y) => x[0] - y[0]).map(([group, items]) => ({ group, items })),
        ...singles,
      ]
      const tagged = groups.reduce((s, g) => s + g.items.length, 0)
      const backend = await chooseJobBackend(deps.backend)
      const repo = new ProposalsRepo(project.db, project.paths)
      let stored = 0
      let unreadable = 0
      ctx.progress({ done: 0, total: tagged, message: `co-segmenting ${groups.length} group(s)` })
      const store = (g: CosegGroupResult): void => {
        const protos = g.prototypes.map((p) => ({ cls: p.cls, seeded: p.seeded, images: p.images }))
        repo.putMany(
          g.proposals.map((p) => ({
            imageId: p.imageId,
            kind: 'tags' as const,
            sourceId,
            label:
              g.group >= 0 ? `Tag co-segmentation (cluster ${g.group})` : 'Tag co-segmentation (no cluster)',
            png: p.png,
            classes: p.classes,
            meta: {
              albumId: a.albumId,
              group: g.group,
              groupSize: g.proposals.length,
              tags: p.tags,
              coverage: p.coverage,
              modelRunId: model.modelRunId,
              prototypes: protos,
              config,
              jobId: ctx.jobId,
            },
          })),
        )
        stored += g.proposals.length
      }
      let outcome: CosegOutcome | null = null
      try {
        if (groups.length > 0) {
          const handle = startCosegWorker(
            { runDir: model.runDir, backend, config, groups },
            {
              onGroup: store,
              onProgress: (p) =>
                ctx.progress({
                  done: p.done,
                  total: p.total,
                  message: `group ${p.groupsDone} of ${p.groups}`,
                }),
              onProblem: (p) => {
                unreadable++
                ctx.problem(p)
              },
            },
          )
          outcome = await withCancel(ctx.signal, () => handle.cancel(), handle.result)
        }
      } finally {
        if (stored > 0) deps.emitLibrary(a.albumId, 'proposals')
      }
      return {
        status: outcome?.status === 'cancelled' || ctx.cancelled() ? 'cancelled' : 'done',
        albumId: a.albumId,
        runId: a.runId,
        modelRunId: model.modelRunId,
        checkpointIteration: outcome?.iteration ?? null,
        sourceId,
        clusteringId,
        images: now.length,
        tagged,
        untagged,
        unreadable,
        proposed: stored,
        groups: groups.length,
        badTags,
        seconds: (performance.now() - t0) / 1000,
      }
    },
  )
  return { jobId: job.id }
}

/**
 * The album's co-segmentation proposals as labelled training files (image + proposal PNG, 255 ignored by
 * the cross-entropy): the "initial mask generator → final model" source of pseudo labels, for a training
 * run to add to its source items. Proposals that label no pixel (nothing but 255, or only background
 * when `requireObject`) are left out: they add no object supervision.
 */
export function cosegPseudoLabelled(
  project: Project,
  albumId: number,
  opts: { requireObject?: boolean } = {},
): { image: string; mask: string; imageId: number }[] {
  project.albums.get(albumId) // NOT_FOUND for an unknown album
  const repo = new ProposalsRepo(project.db, project.paths)
  const source = cosegSourceId(albumId)
  const out: { image: string; mask: string; imageId: number }[] = []
  for (const r of albumRows(project, albumId)) {
    const p = repo.listForImage(r.id).find((x) => x.sourceId === source)
    if (!p) continue
    const useful = opts.requireObject === true ? p.classes.some((c) => c > 0) : p.classes.length > 0
    if (!useful) continue
    out.push({ image: project.originalPath(r), mask: repo.filePath(p), imageId: r.id })
  }
  return out
}

export function cosegHandlers(ctx: HandlerContext): HandlerGroup<CosegMethods> {
  return {
    startCoseg: (a) =>
      startCoseg(
        {
          project: ctx.project(),
          jobs: ctx.jobs(),
          backend: async () => (await ctx.backend()).name,
          emitLibrary: (albumId, reason) => ctx.emit('library', { albumId, reason }),
        },
        a,
      ),
  }
}
