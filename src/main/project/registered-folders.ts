/**
 * The folders outside the project the user chose to reference photos from (in-place, `--no-copy`
 * imports). A project reference may only lead into the project folder or into one of these: a
 * hand-edited project.sqlite that points an image at /etc/passwd names a file in no registered folder, and
 * the media doors refuse it. Folders are stored as real paths (symlinks resolved) when registered.
 */
import fs from 'node:fs'
import path from 'node:path'
import { nowIso, type Db } from './db'

/** The real path of `dir` (as given when it no longer exists, so a registration is never lost). */
export function realFolder(dir: string): string {
  const abs = path.resolve(dir)
  try {
    return fs.realpathSync(abs)
  } catch {
    return abs
  }
}

/** Registers the folder an in-place image is referenced from (idempotent). */
export function registerFolder(db: Db, dir: string, origin: string): void {
  db.prepare('INSERT OR IGNORE INTO registered_folders (path, origin, registered_at) VALUES (?, ?, ?)').run(
    realFolder(dir),
    origin,
    nowIso(),
  )
}

/** Every folder from `file`'s own up to the file-system root (`/a/b/c.jpg` → `/a/b`, `/a`, `/`). */
export function ancestorsOf(file: string): string[] {
  const out: string[] = []
  let dir = path.dirname(file)
  for (;;) {
    out.push(dir)
    const up = path.dirname(dir)
    if (up === dir) return out
    dir = up
  }
}

/** True when the real path of a file lies inside a registered folder. */
export function inRegisteredFolder(db: Db, realFile: string): boolean {
  const row = db
    .prepare('SELECT 1 FROM registered_folders WHERE path IN (SELECT value FROM json_each(?)) LIMIT 1')
    .get(JSON.stringify(ancestorsOf(realFile)))
  return row !== undefined
}

export function listRegisteredFolders(db: Db): string[] {
  return (db.prepare('SELECT path FROM registered_folders ORDER BY path').all() as { path: string }[]).map(
    (r) => r.path,
  )
}
