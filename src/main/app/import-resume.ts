/**
 * Resuming a folder import that did not finish. A folder import creates its album first and then adds
 * the images one by one, so a kill, a cancel or a failure leaves a partial album under the requested
 * name, and running the same import again used to be refused ("an album named … already exists").
 * Now the same import (same folder, same album name) continues into that album when the last import
 * that created it did not end 'done': images whose sha256 is already in the album are skipped as
 * duplicates (ImportTarget.addImage), so nothing is imported twice. An album whose import finished, or
 * one made by hand, still refuses a second import under its name. Discarding a partial album instead
 * is deleteAlbum.
 */
import type { ImportContext, ImportTarget } from '../project/import-target-port'
import { parseJson } from '../project/db'
import type { Project } from '../project/project'

export const FOLDER_IMPORT_KIND = 'import-folder'

export interface ResumableImport {
  albumId: number
  /** The job whose import is being continued. */
  jobId: number
}

interface FolderJobArgs {
  dir?: unknown
  albumName?: unknown
}

/**
 * The album a folder import of `dir` as `albumName` should continue, or null when it should create a new
 * one (and so be refused if the name is taken). It continues when the album was created by a folder import
 * of the same folder (the newest one that started before the album existed) and no import of it since —
 * that one or a resume — ended 'done' or is still queued/running. Imports refused because the name was
 * taken changed nothing and do not count.
 */
export function resumableFolderImport(
  project: Project,
  dir: string,
  albumName: string,
): ResumableImport | null {
  const name = albumName.trim()
  const album = project.db.prepare('SELECT id, created_at FROM albums WHERE name = ?').get(name) as
    { id: number; created_at: string } | undefined
  if (!album) return null
  const jobs = (
    project.db
      .prepare('SELECT id, status, args, started_at FROM jobs WHERE kind = ? ORDER BY id DESC')
      .all(FOLDER_IMPORT_KIND) as { id: number; status: string; args: string; started_at: string | null }[]
  )
    .map((j) => ({ ...j, args: parseJson<FolderJobArgs>(j.args, {}) }))
    .filter((j) => typeof j.args.albumName === 'string' && j.args.albumName.trim() === name)
  // ISO timestamps of one clock compare as strings.
  const creator = jobs.find((j) => j.started_at !== null && j.started_at <= album.created_at)
  if (!creator || creator.args.dir !== dir) return null
  const since = jobs.filter((j) => j.id >= creator.id && j.args.dir === dir)
  if (since.some((j) => j.status === 'done' || j.status === 'queued' || j.status === 'running')) return null
  return { albumId: album.id, jobId: since[0]!.id }
}

/** The import context with `createAlbum(albumName)` answering the existing album instead of creating one. */
export function continuingInto(ctx: ImportContext, albumName: string, albumId: number): ImportContext {
  const t = ctx.target
  // Delegates method by method (a spread would drop the methods of a class-based target).
  const target: ImportTarget = {
    createAlbum: (name, userId) => (name.trim() === albumName.trim() ? albumId : t.createAlbum(name, userId)),
    createSource: (name, format, root) => t.createSource(name, format, root),
    addImage: (owner, image) => t.addImage(owner, image),
    addMask: (imageId, mask) => t.addMask(imageId, mask),
    addSplit: (id, name, ids, meta) => t.addSplit(id, name, ids, meta),
    addClustering: (id, name, assignments, meta) => t.addClustering(id, name, assignments, meta),
    addSourceList: (sourceId, name, ids) => t.addSourceList(sourceId, name, ids),
  }
  return { ...ctx, target }
}
