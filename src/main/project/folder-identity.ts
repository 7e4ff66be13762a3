/**
 * The identity of an open project's folder: device and inode of the folder and of its database file,
 * taken when the project is opened. A project folder moved or deleted while it is open keeps working
 * through the open database handle (SQLite writes into the moved or unlinked file), but every file the
 * studio writes by path (masks, copied originals, thumbnails, run outputs) would land under the old path,
 * in a folder recreated there or nowhere. So before a write is acknowledged the folder is checked to still
 * be the one that was opened (same path, same inodes); anything else refuses the write.
 */
import fs from 'node:fs'
import { StoreIoError } from './errors'
import type { ProjectPaths } from './layout'

export interface FolderIdentity {
  root: { dev: bigint; ino: bigint }
  db: { dev: bigint; ino: bigint }
}

/** The folder and database were replaced, moved away or deleted since the project was opened. */
export class ProjectFolderGoneError extends StoreIoError {
  constructor(
    readonly root: string,
    readonly reason: string,
  ) {
    super(
      `the project folder ${root} was moved or deleted while it was open (${reason}); nothing more is saved ` +
        'there: reopen the project from where it is now, or close it',
    )
  }
}

function statId(file: string): { dev: bigint; ino: bigint } {
  // bigint: inode numbers above 2^53 exist (btrfs, some network file systems).
  const s = fs.statSync(file, { bigint: true })
  return { dev: s.dev, ino: s.ino }
}

/** Reads the identity of a project folder that was just opened (its database exists). */
export function readFolderIdentity(paths: ProjectPaths): FolderIdentity {
  return { root: statId(paths.root), db: statId(paths.db) }
}

/** Why the folder at `paths` is no longer the one described by `id`, or null when it still is. */
export function folderChange(paths: ProjectPaths, id: FolderIdentity): string | null {
  for (const [what, file, want] of [
    ['folder', paths.root, id.root],
    ['database', paths.db, id.db],
  ] as const) {
    let now: { dev: bigint; ino: bigint }
    try {
      now = statId(file)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      return code === 'ENOENT' || code === 'ENOTDIR'
        ? `${file} no longer exists`
        : `${file} cannot be checked: ${(e as Error).message}`
    }
    if (now.dev !== want.dev || now.ino !== want.ino) return `${file} is now a different ${what}`
  }
  return null
}
