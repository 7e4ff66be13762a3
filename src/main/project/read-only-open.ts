/**
 * Opening a project read-only when its disk is full. A writable open needs to write (the lock file,
 * SQLite's -shm index, the WAL), so on a full disk it fails — and the user could not even look at the
 * project to decide what to delete. Instead the database and its WAL are copied to the system's temp
 * folder and opened there with writes refused (`query_only`); photos, thumbnails and masks are still
 * read from the project folder. The copy is removed when the project closes.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openDb, type Db } from './db'
import { StoreIoError } from './errors'
import { diskFullError, isDiskFull } from '../files/disk-full'

/** Below this much free space a failed write is taken to mean "the disk is full". */
const NEARLY_FULL_BYTES = 1 << 20

/** Free bytes for unprivileged writers on the disk holding `dir`, or null when unknown. */
export function freeBytes(dir: string): number | null {
  if (typeof fs.statfsSync !== 'function') return null
  try {
    const s = fs.statfsSync(dir)
    return Number(s.bavail) * Number(s.bsize)
  } catch {
    return null
  }
}

function codesOf(e: unknown): string[] {
  const codes: string[] = []
  for (let cur = e, depth = 0; cur instanceof Error && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code
    if (typeof code === 'string') codes.push(code)
    cur = (cur as { cause?: unknown }).cause
  }
  return codes
}

/**
 * Why the project must open read-only, or null when the open failed for another reason. SQLite reports
 * a -shm index it cannot grow as SQLITE_IOERR_SHMSIZE, not SQLITE_FULL, so that one counts only when
 * the disk really has (almost) no space left.
 */
export function readOnlyReason(e: unknown, root: string, dbFile: string): string | null {
  const free = freeBytes(root)
  const nearlyFull = free !== null && free < NEARLY_FULL_BYTES
  const full = isDiskFull(e) || (nearlyFull && codesOf(e).some((c) => c.startsWith('SQLITE_IOERR')))
  if (!full) return null
  const what = diskFullError(e, dbFile).message
  const left = free !== null ? ` (${Math.floor(free / 1024)} KiB free)` : ''
  return `the disk holding ${root} is full${left}: ${what}; the project is open read-only until space is freed`
}

export interface ReadOnlyDb {
  db: Db
  /** Closes nothing; removes the temporary copy (call after the database is closed). */
  removeCopy(): void
}

/** Copies the database (and its WAL, which may hold the last commits) to a temp folder and opens it. */
export function openReadOnlyCopy(dbFile: string): ReadOnlyDb {
  let dir: string
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-read-only-'))
  } catch (e) {
    throw new StoreIoError(
      `cannot open ${dbFile} read-only: no room for a temporary copy (${(e as Error).message})`,
    )
  }
  const removeCopy = (): void => fs.rmSync(dir, { recursive: true, force: true })
  let db: Db | null = null
  try {
    const copy = path.join(dir, path.basename(dbFile))
    fs.copyFileSync(dbFile, copy)
    const wal = `${dbFile}-wal`
    if (fs.existsSync(wal) && fs.statSync(wal).size > 0) fs.copyFileSync(wal, `${copy}-wal`)
    // Writable only so SQLite can fold the copied WAL in; every write after that is refused.
    db = openDb(copy, { mustExist: true })
    return { db, removeCopy }
  } catch (e) {
    ;(db as Db | null)?.close()
    removeCopy()
    throw new StoreIoError(`cannot open ${dbFile} read-only: ${(e as Error).message}`)
  }
}

/** Makes a connection refuse every write from now on (SQLITE_READONLY). */
export function refuseWrites(db: Db): void {
  db.pragma('query_only = ON')
}
