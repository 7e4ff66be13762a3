/**
 * An open project: its folder, lock, database and repositories. Creating or opening takes the lock
 * first and gives it back if anything after that fails, so a failed open never leaves a lock behind.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { ProjectInfo } from '../../shared/domain'
import { nowIso, openDb, type Db } from './db'
import { ConflictError, InvalidInputError, NotFoundError, ProjectLockedError, StoreIoError } from './errors'
import { DB_FILE, ensureLayout, fromRelPath, projectPaths, type ProjectPaths } from './layout'
import { acquireLock, type ProjectLock } from './lock'
import { migrate, schemaVersion } from './migrations'
import { AlbumsRepo } from './albums-repo'
import { SourcesRepo } from './sources-repo'
import { ImagesRepo, type ImageRow } from './images-repo'
import { MasksRepo } from './masks-repo'
import { GroupingsRepo } from './groupings-repo'
import { StoreImportTarget } from './import-target'
import { removeQuietly } from '../files/atomic-file'
import {
  folderChange,
  ProjectFolderGoneError,
  readFolderIdentity,
  type FolderIdentity,
} from './folder-identity'
import { watchFolder } from './folder-watch'
import { sweepInterruptedWrites } from './sweep-interrupted'
import { MakeDirError, makeDirSync } from '../files/make-dir'
import { openReadOnlyCopy, readOnlyReason, refuseWrites } from './read-only-open'
import { inRegisteredFolder, realFolder } from './registered-folders'

/** Whether `file` is `dir` itself or below it (both absolute). */
function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file)
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel))
}

export interface CreateProjectOptions {
  name?: string | undefined
  demo?: boolean
}

export class Project {
  readonly albums: AlbumsRepo
  readonly sources: SourcesRepo
  readonly images: ImagesRepo
  readonly masks: MasksRepo
  readonly groupings: GroupingsRepo
  readonly importTarget: StoreImportTarget
  private closed = false
  /** Why the folder stopped being this project's (moved, deleted, replaced); sticky once set. */
  private gone: string | null = null
  private stopWatching: (() => void) | null = null
  private readonly goneListeners = new Set<(e: ProjectFolderGoneError) => void>()

  private constructor(
    readonly paths: ProjectPaths,
    readonly db: Db,
    private readonly lock: ProjectLock,
    private readonly identity: FolderIdentity,
    /** Why the project is open read-only (its disk is full), or null when it is writable. */
    readonly readOnly: string | null = null,
  ) {
    this.albums = new AlbumsRepo(db)
    this.sources = new SourcesRepo(db)
    this.images = new ImagesRepo(db)
    this.masks = new MasksRepo(db, paths)
    this.groupings = new GroupingsRepo(db)
    this.importTarget = new StoreImportTarget(db, paths, this)
  }

  /** Creates a project in an absent or empty folder and opens it. */
  static create(root: string, opts: CreateProjectOptions = {}): Project {
    const paths = projectPaths(root)
    let entries: string[] | null = null
    try {
      entries = fs.readdirSync(paths.root)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code === 'ENOTDIR') throw new ConflictError(`${paths.root} is a file, not a folder`)
      if (code !== 'ENOENT') throw new StoreIoError(`cannot read ${paths.root}: ${(e as Error).message}`)
    }
    if (entries !== null && entries.length > 0) {
      const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '')
      const hint = entries.includes(DB_FILE) ? ' (it already holds a project: open it instead)' : ''
      throw new ConflictError(
        `cannot create a project in ${paths.root}: the folder is not empty (${entries.length} entries: ${shown})${hint}`,
      )
    }
    const createdFolder = entries === null
    try {
      makeDirSync(paths.root)
    } catch (e) {
      if (e instanceof MakeDirError) throw new StoreIoError(e.message)
      throw new StoreIoError(`cannot create the folder ${paths.root}: ${(e as Error).message}`)
    }
    const name = opts.name?.trim() || path.basename(paths.root) || 'Project'
    try {
      return Project.openAt(paths, (db) => {
        db.prepare('INSERT INTO project (id, name, created_at, demo) VALUES (1, ?, ?, ?)').run(
          name,
          nowIso(),
          opts.demo ? 1 : 0,
        )
      })
    } catch (e) {
      // Another studio creating the same folder at this moment won the lock: its files are not ours.
      if (e instanceof ProjectLockedError) throw e
      // Leave the folder as we found it: empty (or absent).
      for (const entry of fs.readdirSync(paths.root))
        fs.rmSync(path.join(paths.root, entry), { recursive: true, force: true })
      if (createdFolder) fs.rmSync(paths.root, { recursive: true, force: true })
      throw e
    }
  }

  /** Opens an existing project folder (must hold project.sqlite). */
  static open(root: string): Project {
    const paths = projectPaths(root)
    let stat: fs.Stats
    try {
      stat = fs.statSync(paths.root)
    } catch {
      throw new NotFoundError(`${paths.root} does not exist`)
    }
    if (!stat.isDirectory()) throw new InvalidInputError(`${paths.root} is a file, not a project folder`)
    if (!fs.existsSync(paths.db)) {
      const entries = fs.readdirSync(paths.root)
      const found =
        entries.length === 0
          ? 'the folder is empty'
          : `it holds ${entries.length} entries (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''})`
      throw new InvalidInputError(
        `${paths.root} is not a PSS Studio project: there is no ${DB_FILE} (${found})`,
      )
    }
    const init = (db: Db): void => {
      if (!db.prepare('SELECT 1 FROM project WHERE id = 1').get()) {
        throw new StoreIoError(`${paths.db} has no project row; the file is damaged`)
      }
    }
    try {
      return Project.openAt(paths, init)
    } catch (e) {
      const why = readOnlyReason(e, paths.root, paths.db)
      if (why === null) throw e
      return Project.openReadOnly(paths, init, why)
    }
  }

  /**
   * The full-disk fallback of open(): no lock file (it cannot be written; the copy cannot be harmed by
   * another opener), no temp sweep or folder layout, and a database copy that refuses writes.
   */
  private static openReadOnly(paths: ProjectPaths, init: (db: Db) => void, why: string): Project {
    const { db, removeCopy } = openReadOnlyCopy(paths.db)
    try {
      migrate(db, paths.db)
      init(db)
      refuseWrites(db)
      const lock: ProjectLock = {
        file: paths.lock,
        info: { pid: process.pid, host: '', createdAt: nowIso(), token: '' },
        release: removeCopy,
      }
      return new Project(paths, db, lock, readFolderIdentity(paths), why)
    } catch (e) {
      db.close()
      removeCopy()
      throw e
    }
  }

  private static openAt(paths: ProjectPaths, init: (db: Db) => void): Project {
    const lock = acquireLock(paths.lock, paths.root)
    let db: Db | null = null
    try {
      try {
        db = openDb(paths.db)
      } catch (e) {
        // The cause keeps SQLite's code (a full disk shows as SQLITE_FULL or SQLITE_IOERR_SHMSIZE).
        throw Object.assign(new StoreIoError(`cannot open ${paths.db}: ${(e as Error).message}`), {
          cause: e,
        })
      }
      migrate(db, paths.db)
      ensureLayout(paths)
      init(db)
      // Files an interrupted import or save left behind (temp files, copies whose row never committed).
      sweepInterruptedWrites(db, paths)
      return new Project(paths, db, lock, readFolderIdentity(paths))
    } catch (e) {
      ;(db as Db | null)?.close()
      lock.release()
      throw e
    }
  }

  get root(): string {
    return this.paths.root
  }

  get isOpen(): boolean {
    return !this.closed
  }

  /**
   * Throws ProjectFolderGoneError when the folder was moved, deleted or replaced since it was opened. Every
   * write checks this before it starts and again before it is acknowledged, so nothing is reported saved
   * that did not reach this project's folder, and no write recreates a folder at the old path.
   */
  assertInPlace(): void {
    if (this.closed) return
    if (this.gone === null) {
      this.gone = folderChange(this.paths, this.identity)
      if (this.gone === null) return
      const err = new ProjectFolderGoneError(this.paths.root, this.gone)
      for (const l of [...this.goneListeners]) {
        // Listeners run inside a write's check or a watch callback: one that throws must break neither.
        try {
          l(err)
        } catch (e) {
          console.error(`PSS Studio: a listener for the moved project folder ${this.paths.root} failed:`, e)
        }
      }
    }
    throw new ProjectFolderGoneError(this.paths.root, this.gone)
  }

  /** True once a check or the folder watch found the folder moved or deleted (no new check). */
  get folderGone(): boolean {
    return this.gone !== null
  }

  /** Why the folder is no longer this project's, or null while it is in place. */
  folderProblem(): string | null {
    try {
      this.assertInPlace()
      return null
    } catch (e) {
      if (e instanceof ProjectFolderGoneError) return e.message
      throw e
    }
  }

  /**
   * Calls `cb` once when the folder is found moved or deleted — by a watch on the folder, a slow poll, or
   * a write that checked. Returns the function that removes the listener.
   */
  onFolderGone(cb: (e: ProjectFolderGoneError) => void): () => void {
    this.goneListeners.add(cb)
    if (!this.stopWatching && !this.closed) {
      this.stopWatching = watchFolder(this.paths.root, () => {
        if (this.gone === null) this.folderProblem()
        if (this.gone !== null) this.stopWatching?.()
      })
    }
    return () => {
      this.goneListeners.delete(cb)
    }
  }

  info(): ProjectInfo {
    const row = this.db.prepare('SELECT name, created_at, demo FROM project WHERE id = 1').get() as {
      name: string
      created_at: string
      demo: number
    }
    return {
      path: this.paths.root,
      name: row.name,
      schemaVersion: schemaVersion(this.db),
      createdAt: row.created_at,
      demo: row.demo === 1,
      ...(this.readOnly !== null ? { readOnly: this.readOnly } : {}),
    }
  }

  /**
   * Absolute path of an image's original (copied ones live under the project). Confined like the media
   * doors (media-resolver.ts): the path must lead inside the project folder or, for an in-place import,
   * inside a folder the user registered by importing from it — so a hand-edited row can make neither an
   * export nor a run read some other file (e.g. /etc/passwd). Symlinks are followed before the check.
   */
  originalPath(r: ImageRow): string {
    const file = r.copied === 1 ? fromRelPath(this.paths, r.original_path) : path.resolve(r.original_path)
    let real = file
    try {
      real = fs.realpathSync(file)
    } catch {
      // Missing: the reader that opens it reports that, naming the file; the lexical check still applies.
    }
    if (isInside(this.paths.root, real) || isInside(realFolder(this.paths.root), real)) return file
    if (r.copied !== 1 && inRegisteredFolder(this.db, real)) return file
    throw new InvalidInputError(
      `image ${r.id}: its original ${r.original_path}${real !== file ? ` (→ ${real})` : ''} is outside the project ` +
        'folder and every registered import folder; refusing to read it (was project.sqlite edited by hand?)',
    )
  }

  /** Deletes an album and then the files only it used (after the commit, so a failure loses nothing). */
  deleteAlbum(albumId: number): void {
    const { files, runIds } = this.albums.delete(albumId)
    for (const rel of files) removeQuietly(fromRelPath(this.paths, rel))
    // Run ids come from the database (integers), never from user text.
    for (const runId of runIds)
      fs.rmSync(path.join(this.paths.runs, String(runId)), { recursive: true, force: true })
    for (const rel of files) {
      // Remove emptied per-image mask folders.
      const m = /^masks\/(\d+)\//.exec(rel)
      if (m) fs.rmSync(path.join(this.paths.masks, m[1]!), { recursive: true, force: true })
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.stopWatching?.()
    this.stopWatching = null
    this.goneListeners.clear()
    try {
      // Fold the WAL back into the main file so the folder is a single portable file when closed.
      this.db.pragma('wal_checkpoint(TRUNCATE)')
    } catch {
      /* a reader may hold the WAL; it is checkpointed on the next open */
    } finally {
      this.db.close()
      this.lock.release()
    }
  }
}
