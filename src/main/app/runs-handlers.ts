/**
 * API handlers of runs, metrics and results: start an album run (a job), list and read runs with their
 * stored metrics, per-image FIoU, delete a run. Reads never write: runs whose job ended without them
 * (an app closed mid-run) are settled when the project opens and when a run job ends (settleOrphanRuns).
 */
import fs from 'node:fs'
import path from 'node:path'
import {
  predictionRef,
  type RunDetail,
  type RunImageMetric,
  type RunSummary,
  type StartedRuns,
} from '../../shared/runs'
import { latestAdaptCheckpoint } from '../engine/api'
import { readLossCurve } from '../engine/api'
import { MetricsRepo } from '../project/metrics-repo'
import type { Project } from '../project/project'
import { RunsRepo, type RunRow } from '../project/runs-repo'
import { parseJson } from '../project/db'
import type { HandlerContext, HandlerGroup } from './handler-context'
import { liveRuns, startAlbumRun, type RunJobDeps } from './run-jobs'
import { InvalidInputError } from '../project/errors'
import type { ApiParsedArgs } from '../../shared/api'

type RunsMethods = 'startRun' | 'startRuns' | 'listRuns' | 'getRun' | 'runImageMetrics' | 'deleteRun'

interface Repos {
  project: Project
  runs: RunsRepo
  metrics: MetricsRepo
}

function repos(project: Project): Repos {
  return { project, runs: new RunsRepo(project.db, project.paths), metrics: new MetricsRepo(project.db) }
}

function sourceRunIdOf(config: Record<string, unknown>): number | null {
  const v = config.sourceRunId
  return typeof v === 'number' && Number.isInteger(v) ? v : null
}

function summaries(r: Repos, rows: readonly RunRow[]): RunSummary[] {
  const ids = rows.map((x) => x.id)
  const scores = r.metrics.summaries(ids)
  const sets = r.runs.maskSets(ids)
  const live = liveRuns(r.project)
  return rows.map((row) => {
    const config = parseJson<Record<string, unknown>>(row.config, {})
    return {
      id: row.id,
      kind: row.kind,
      method: row.method,
      albumId: row.album_id,
      albumName: row.album_name,
      status: row.status,
      config,
      sourceRunId: sourceRunIdOf(config),
      seed: row.seed,
      backend: row.backend,
      codeVersion: row.code_version,
      splitId: row.split_id,
      splitVersion: row.split_version,
      maskSet: sets.get(row.id)?.fingerprint ?? null,
      jobId: row.job_id,
      error: row.error,
      createdAt: row.created_at,
      finishedAt: row.finished_at,
      metrics: scores.get(row.id) ?? null,
      live: row.status === 'running' || row.status === 'queued' ? (live.get(row.id) ?? null) : null,
    }
  })
}

/**
 * The loss curves of an album run's adaptation stages, read from each stage's latest checkpoint
 * (<run>/adapt/<stage>/). Stage names sort in chain order (mrnet-s1 < mrnet-s2, pss-s1 < pss-s2).
 * A stage whose checkpoint cannot be read is left out: the curve is a view, the run's record is elsewhere.
 */
function stageCurves(runDir: string): RunDetail['stageCurves'] {
  const root = path.join(runDir, 'adapt')
  let names: string[]
  try {
    names = fs
      .readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
  } catch {
    return []
  }
  return names.flatMap((stage) => {
    try {
      const c = latestAdaptCheckpoint(path.join(root, stage))
      return c
        ? [{ stage, points: c.state.losses.map((p) => ({ iteration: p.iteration, loss: p.loss })) }]
        : []
    } catch {
      return []
    }
  })
}

function detail(r: Repos, runId: number): RunDetail {
  const row = r.runs.row(runId)
  const [summary] = summaries(r, [row])
  const s = summary!
  // The album run keeps a copy of its source model's loss curve; fall back to the source run's folder.
  let lossCurve = readLossCurve(r.runs.dir(runId))
  if (lossCurve.length === 0 && s.sourceRunId !== null) lossCurve = readLossCurve(r.runs.dir(s.sourceRunId))
  return {
    ...s,
    durations: r.metrics.durations(runId),
    perClass: r.metrics.perClass(runId),
    confusion: r.metrics.confusion(runId),
    lossCurve,
    stageCurves: stageCurves(r.runs.dir(runId)),
    maskCount: r.runs.masks(runId).length,
  }
}

function runDeps(ctx: HandlerContext): RunJobDeps {
  return {
    project: ctx.project(),
    jobs: ctx.jobs(),
    backend: async () => (await ctx.backend()).name,
    emit: (e) => ctx.emit('run', e),
    farm: () => ctx.farm(),
  }
}

/**
 * The same run on many albums: each album's run is checked and started as `startRun` would; an album that
 * cannot be run is left out with the reason (a bad argument for one album is not a failure of the batch).
 */
function startRunsOnAlbums(ctx: HandlerContext, a: ApiParsedArgs<'startRuns'>): StartedRuns {
  const project = ctx.project()
  const albums = a.albumIds ? a.albumIds.map((id) => project.albums.get(id)) : project.albums.list()
  const { albumIds: _ids, ...run } = a
  const out: StartedRuns = { started: [], skipped: [] }
  for (const album of albums) {
    try {
      out.started.push({ albumId: album.id, ...startAlbumRun(runDeps(ctx), { ...run, albumId: album.id }) })
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e
      out.skipped.push({ albumId: album.id, album: album.name, reason: e.message })
    }
  }
  return out
}

export function runsHandlers(ctx: HandlerContext): HandlerGroup<RunsMethods> {
  return {
    startRun: (a) => startAlbumRun(runDeps(ctx), a),
    startRuns: (a) => startRunsOnAlbums(ctx, a),
    listRuns: (a) => {
      const r = repos(ctx.project())
      if (a.albumId !== undefined) ctx.project().albums.get(a.albumId) // NOT_FOUND for a missing album
      return summaries(r, r.runs.list(a.albumId))
    },
    getRun: (a) => detail(repos(ctx.project()), a.runId),
    runImageMetrics: (a): RunImageMetric[] => {
      const r = repos(ctx.project())
      r.runs.row(a.runId)
      return r.metrics.images(a.runId).map((m) => ({
        ...m,
        media: {
          prediction: predictionRef.label(a.runId, m.imageId),
          color: predictionRef.color(a.runId, m.imageId),
        },
      }))
    },
    deleteRun: (a) => {
      const r = repos(ctx.project())
      r.runs.delete(a.runId)
      return { deleted: true }
    },
  }
}

/** The prediction files of a run: <project>/runs/<runId>/predictions/<imageId>.png and _color.png. */
export function predictionFile(project: Project, runId: number, imageId: number, color: boolean): string {
  return path.join(project.paths.runs, String(runId), 'predictions', `${imageId}${color ? '_color' : ''}.png`)
}
