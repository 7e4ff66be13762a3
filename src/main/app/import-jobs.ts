/**
 * Import jobs: each API import method becomes a job on the shared 'import' queue (imports contend for
 * the same disk, so they run one at a time) that calls the importer with the project's ImportTarget.
 * The importers are loaded on first use: they pull in sharp, which the rest of the app does not need.
 */
import path from 'node:path'
import type { StudioEvents } from '../../shared/api'
import type { ImportSummary, StartedJob } from '../../shared/domain'
import type { ImportContext, ImportTarget } from '../project/import-target-port'
import type { JobContext } from '../jobs/job-queue'
import type { HandlerContext, HandlerGroup } from './handler-context'
import { StoreIoError } from '../project/errors'
import { continuingInto, FOLDER_IMPORT_KIND, resumableFolderImport } from './import-resume'

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

/** `stop`: another reason to end the import at the next file (its project folder is gone). */
function importContext(
  job: JobContext,
  target: ImportTarget,
  stop: () => boolean = () => false,
): ImportContext {
  return { target, progress: job.progress, problem: job.problem, cancelled: () => job.cancelled() || stop() }
}

/** Import jobs check their project folder themselves (before every file) and fail with the reason. */
export function isImportJob(kind: string): boolean {
  return kind === FOLDER_IMPORT_KIND || kind === 'import-pis' || kind === 'import-voc'
}

/**
 * The target with the project folder checked before every write: an import whose project folder is moved
 * or deleted fails at the next file with that message, instead of writing into a recreated folder.
 */
function inPlaceTarget(target: ImportTarget, assertInPlace: () => void): ImportTarget {
  const checked =
    <A extends unknown[], R>(f: (...a: A) => R) =>
    (...a: A): R => {
      assertInPlace()
      return f(...a)
    }
  return {
    createAlbum: checked((name, userId) => target.createAlbum(name, userId)),
    createSource: checked((name, format, root) => target.createSource(name, format, root)),
    addImage: checked((owner, image) => target.addImage(owner, image)),
    addMask: checked((imageId, mask) => target.addMask(imageId, mask)),
    addSplit: checked((albumId, name, ids, meta) => target.addSplit(albumId, name, ids, meta)),
    addClustering: checked((albumId, name, assignments, meta) =>
      target.addClustering(albumId, name, assignments, meta),
    ),
    addSourceList: checked((sourceId, name, ids) => target.addSourceList(sourceId, name, ids)),
  }
}

function startImport(
  ctx: HandlerContext,
  spec: { kind: string; title: string; args: unknown },
  run: (ctx: ImportContext) => Promise<ImportSummary>,
): StartedJob {
  const project = ctx.project()
  // Opened read-only because its disk is full: refuse with the reason rather than a database error.
  if (project.readOnly !== null)
    throw new StoreIoError(`cannot import into ${project.root}: ${project.readOnly}`)
  const emit: LibraryEmit = (p) => ctx.emit('library', p)
  const job = ctx.jobs().enqueue({ ...spec, queue: IMPORT_QUEUE }, async (job) => {
    const inPlace = (): void => project.assertInPlace()
    const target = notifyingTarget(inPlaceTarget(project.importTarget, inPlace), emit)
    // A gone folder stops the importer at the next file (it would refuse each one), and the check below
    // then fails the job with the reason.
    const summary = await run(importContext(job, target, () => project.folderGone))
    // The job is reported done only if what it wrote is still in the project's folder.
    inPlace()
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
      // The same import again after it was cut off continues into its album (import-resume.ts).
      const resume = resumableFolderImport(ctx.project(), args.dir, args.albumName)
      const title = resume
        ? `Resume import of ${args.dir} into album "${args.albumName}" (after job #${resume.jobId})`
        : `Import ${args.dir} as album "${args.albumName}"`
      const jobArgs = resume ? { ...args, resumes: resume.jobId } : args
      return startImport(ctx, { kind: FOLDER_IMPORT_KIND, title, args: jobArgs }, async (c) =>
        (await importers()).importFolder(
          resume ? continuingInto(c, args.albumName, resume.albumId) : c,
          args,
        ),
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
