/**
 * The click-mask API (shared/click-mask.ts, issue 16 item 5): for an image, the class probabilities of
 * its album's best model, as a top-2 map at a bounded resolution, for the editor's "Click mask" tool.
 *
 * "Best" model: among the album's done runs that have class probabilities (SegSort labels by k-NN and has
 * none) and were scored on a validation split, the one with the highest FIoU, the newest on ties; its
 * model is the one its predictions came from (the chosen snapshot, or the source model when the run kept
 * it — variants-handlers.ts `currentModel`). Without such a run: the project's newest done source-model
 * run. Without either the answer says so (available: false) instead of failing.
 *
 * The map is computed in the engine worker (a plain inference pass with the `top2` option) and cached in
 * the model's run folder, runs/<run>/click-mask/<stage>@<iteration>/<image>.top2, so a second click — or
 * a second session — reads the file; deleting the run deletes its cache. Concurrent calls for the same
 * (image, model) share one forward pass.
 */
import fs from 'node:fs'
import path from 'node:path'
import { CLICK_MASK_MAX_SIDE, type ClickMaskMap, type ClickMaskModel } from '../../shared/click-mask'
import { runDisplayNumbers, runName } from '../../shared/run-names'
import {
  isBackendChoice,
  parseBackendChoice,
  readTop2File,
  sourceCheckpointIteration,
  startInferenceWorker,
  top2FileName,
  type BackendChoice,
  type Top2Map,
} from '../engine/api'
import { parseJson } from '../project/db'
import { MetricsRepo } from '../project/metrics-repo'
import type { Project } from '../project/project'
import { RunsRepo, type RunRow } from '../project/runs-repo'
import type { HandlerContext, HandlerGroup } from './handler-context'
import { currentModel } from './variants-handlers'

/** The chosen model: what the editor is told, and where its checkpoint and cache are. */
export interface ClickMaskModelRef extends ClickMaskModel {
  dir: string
  cacheDir: string
}

const CACHE = 'click-mask'

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`

/** The album's best model for click masks (see the file comment), or why there is none. */
export function chooseClickMaskModel(
  project: Project,
  albumId: number,
): ClickMaskModelRef | { missing: string } {
  const runs = new RunsRepo(project.db, project.paths)
  const all = runs.list()
  const numbers = runDisplayNumbers(all)
  const album = all.filter(
    (r) => r.kind === 'album' && r.album_id === albumId && r.status === 'done' && r.method !== 'segsort',
  )
  const scores = new MetricsRepo(project.db).summaries(album.map((r) => r.id))
  const ranked = album
    .filter((r) => scores.has(r.id))
    .sort((a, b) => scores.get(b.id)!.fiou - scores.get(a.id)!.fiou || b.id - a.id)
  const skipped: string[] = []
  for (const row of ranked) {
    try {
      const m = currentModel(project, row, parseJson<Record<string, unknown>>(row.config, {}))
      const fiou = scores.get(row.id)!.fiou
      const others = ranked.length - 1
      return {
        runId: row.id,
        label: runName(row, numbers),
        kind: 'album-run',
        fiou,
        stage: m.stage,
        iteration: m.iteration,
        reason: `${runName(row, numbers)}: FIoU ${pct(fiou)} on its validation split${others > 0 ? `, the best of ${ranked.length} scored runs of this album` : ''}`,
        dir: m.dir,
        cacheDir: path.join(runs.dir(row.id), CACHE, `${m.stage}@${m.iteration}`),
      }
    } catch (e) {
      // A run whose model files are gone cannot predict: the next best one can.
      skipped.push(`${runName(row, numbers)} (${message(e)})`)
    }
  }
  const sources = all.filter((r: RunRow) => r.kind === 'source' && r.status === 'done')
  for (const row of sources) {
    const dir = runs.dir(row.id)
    let iteration: number
    try {
      iteration = sourceCheckpointIteration(dir)
    } catch (e) {
      skipped.push(`${runName(row, numbers)} (${message(e)})`)
      continue
    }
    const why =
      album.length === 0
        ? 'this album has no finished run yet'
        : "none of this album's finished runs was scored on a validation split"
    return {
      runId: row.id,
      label: runName(row, numbers),
      kind: 'source-model',
      fiou: null,
      stage: 'source',
      iteration,
      reason: `${runName(row, numbers)}, the project's newest source model (${why})`,
      dir,
      cacheDir: path.join(dir, CACHE, `source@${iteration}`),
    }
  }
  const tried = skipped.length > 0 ? ` (unusable: ${skipped.join('; ')})` : ''
  return {
    missing: `This project has no trained model yet: finish a run (No-DA or Personalize) in "Runs & results" and click masks use its model${tried}.`,
  }
}

function chooseBackend(fallback: string): BackendChoice {
  return (
    parseBackendChoice(process.env.PSS_BACKEND, 'PSS_BACKEND') ??
    (isBackendChoice(fallback) ? fallback : 'wasm')
  )
}

/** Forward passes under way, per project: cache file → the pass (concurrent calls share it). */
const inFlight = new WeakMap<Project, Map<string, Promise<number>>>()

/** Runs the forward pass into the cache file; its wall milliseconds. */
async function computeTop2(
  project: Project,
  model: ClickMaskModelRef,
  imageFile: string,
  name: string,
  backend: BackendChoice,
): Promise<number> {
  const out = path.join(model.cacheDir, top2FileName(name))
  let m = inFlight.get(project)
  if (!m) inFlight.set(project, (m = new Map()))
  const running = m.get(out)
  if (running) return running
  const work = (async () => {
    const t0 = performance.now()
    const r = await startInferenceWorker({
      runDir: model.dir,
      checkpoint: model.iteration,
      backend,
      albums: [{ outDir: model.cacheDir, batches: [[{ image: imageFile, name }]] }],
      top2: { maxSide: CLICK_MASK_MAX_SIDE },
    }).result
    if (r.predicted !== 1)
      throw new Error(`${imageFile}: the model could not predict the image (see the log)`)
    return performance.now() - t0
  })()
  m.set(out, work)
  try {
    return await work
  } finally {
    m.delete(out)
  }
}

export async function clickMaskMap(
  ctx: Pick<HandlerContext, 'project' | 'backend'>,
  imageId: number,
): Promise<ClickMaskMap> {
  const project = ctx.project()
  const image = project.images.row(imageId)
  if (image.album_id === null)
    return {
      available: false,
      imageId,
      reason: `image ${imageId} belongs to a source dataset, not an album: click masks are for album images`,
    }
  const model = chooseClickMaskModel(project, image.album_id)
  if ('missing' in model) return { available: false, imageId, reason: model.missing }
  const name = String(imageId)
  const file = path.join(model.cacheDir, top2FileName(name))
  let forwardMs: number | null = null
  let map: Top2Map | null = null
  if (fs.existsSync(file)) {
    try {
      map = readTop2File(file)
    } catch {
      // A damaged cache file (a disk error, a foreign file) is made again, not served.
      fs.rmSync(file, { force: true })
    }
  }
  if (map === null) {
    try {
      forwardMs = await computeTop2(
        project,
        model,
        project.originalPath(image),
        name,
        chooseBackend((await ctx.backend()).name),
      )
    } catch (e) {
      throw new Error(`click mask of image ${imageId} with ${model.label}: ${message(e)}`)
    }
    map = readTop2File(file)
  }
  const { dir: _dir, cacheDir: _cache, ...shown } = model
  return {
    available: true,
    imageId,
    imageWidth: image.width,
    imageHeight: image.height,
    width: map.width,
    height: map.height,
    numClasses: map.numClasses,
    top2Base64: Buffer.from(map.planes.buffer, map.planes.byteOffset, map.planes.byteLength).toString(
      'base64',
    ),
    model: shown,
    cached: forwardMs === null,
    forwardMs,
  }
}

export function clickMaskHandlers(ctx: HandlerContext): HandlerGroup<'clickMaskMap'> {
  return {
    clickMaskMap: (a) => clickMaskMap(ctx, a.imageId),
  }
}
