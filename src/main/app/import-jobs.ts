/**
 * Import jobs: each API import method becomes a job on the shared 'import' queue (imports contend for
 * the same disk, so they run one at a time) that calls the importer with the project's ImportTarget.
 * The importers are loaded on first use: they pull in sharp, which the rest of the app does not need.
 */
import path from 'node:path'
import type { StudioEvents } from '../../shared/api'
import type { ImportSummary, StartedJob } from '../../shared/domain'
import type { ImportContext, ImportTarget } from '../datasets/import-target'
import type { JobContext } from '../jobs/job-queue'
import type { HandlerContext, HandlerGroup } from './handler-context'

export const IMPORT_QUEUE = 'import'
/** Live grid refreshes while an import adds images: at most one library event per owner per second. */
const LIBRARY_EVENT_INTERVAL_MS = 1000

type LibraryEmit = (p: StudioEvents['library']) => void

/** Wraps the store's target so the renderer hears about new albums and images while an import runs. */
export function notifyingTarget(
  target: ImportTarget,
  emit: LibraryEmit,
  now: () => number = Date.now,
): ImportTarget {
  const last = new Map<string, number>()
  const changed = (owner: { albumId: number } | { sourceId: number }): void => {
    const key = 'albumId' in owner ? `a${owner.albumId}` : `s${owner.sourceId}`
    const t = now()
    if (t - (last.get(key) ?? -Infinity) < LIBRARY_EVENT_INTERVAL_MS) return
    last.set(key, t)
    emit({ ...owner, reason: 'import' })
  }
  return {
    createAlbum(name, userId) {
      const albumId = target.createAlbum(name, userId)
      emit({ albumId, reason: 'album created' })
      return albumId
    },
    createSource(name, format, root) {
      const sourceId = target.createSource(name, format, root)
      emit({ sourceId, reason: 'source created' })
      return sourceId
    },
    addImage(owner, image) {
      const r = target.addImage(owner, image)
      if (typeof r === 'number') changed(owner)
      return r
    },
    addMask: (imageId, mask) => target.addMask(imageId, mask),
    addSplit: (albumId, name, ids, meta) => target.addSplit(albumId, name, ids, meta),
    addClustering: (albumId, name, assignments, meta) =>
      target.addClustering(albumId, name, assignments, meta),
    addSourceList: (sourceId, name, ids) => target.addSourceList(sourceId, name, ids),
  }
}

function importContext(job: JobContext, target: ImportTarget): ImportContext {
  return { target, progress: job.progress, problem: job.problem, cancelled: job.cancelled }
}

function startImport(
  ctx: HandlerContext,
  spec: { kind: string; title: string; args: unknown },
  run: (ctx: ImportContext) => Promise<ImportSummary>,
): StartedJob {
  const project = ctx.project()
  const emit: LibraryEmit = (p) => ctx.emit('library', p)
  const job = ctx.jobs().enqueue({ ...spec, queue: IMPORT_QUEUE }, async (job) => {
    const summary = await run(importContext(job, notifyingTarget(project.importTarget, emit)))
    for (const albumId of summary.albumIds) emit({ albumId, reason: 'import finished' })
    for (const sourceId of summary.sourceIds) emit({ sourceId, reason: 'import finished' })
    return summary
  })
  return { jobId: job.id }
}

/** importFolder / importPis / importVoc: each starts its importer as a job on the 'import' queue. */
export function importHandlers(
  ctx: HandlerContext,
): HandlerGroup<'importFolder' | 'importPis' | 'importVoc'> {
  const importers = (): Promise<typeof import('../datasets/index')> => import('../datasets/index')
  return {
    importFolder: (a) => {
      const args = { ...a, dir: path.resolve(a.dir) }
      const title = `Import ${args.dir} as album "${args.albumName}"`
      return startImport(ctx, { kind: 'import-folder', title, args }, async (c) =>
        (await importers()).importFolder(c, args),
      )
    },
    importPis: (a) => {
      const args = { ...a, root: path.resolve(a.root) }
      const title = `Import PIS albums from ${args.root}`
      return startImport(ctx, { kind: 'import-pis', title, args }, async (c) =>
        (await importers()).importPis(c, args),
      )
    },
    importVoc: (a) => {
      const args = { ...a, root: path.resolve(a.root) }
      const title = `Import VOC dataset from ${args.root}`
      return startImport(ctx, { kind: 'import-voc', title, args }, async (c) =>
        (await importers()).importVoc(c, args),
      )
    },
  }
}
