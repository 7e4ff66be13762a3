/**
 * Opening the project database with the settings every connection needs. better-sqlite3 is synchronous,
 * which suits a single-writer desktop store: each repository call is one short transaction.
 */
import Database from 'better-sqlite3'

export type Db = Database.Database

export interface OpenDbOptions {
  readonly?: boolean
  /** Fail instead of creating the file when it does not exist. */
  mustExist?: boolean
}

/**
 * Electron needs a better-sqlite3 build for its own ABI, tests and the CLI the Node one; the Electron
 * entry sets PSS_STUDIO_SQLITE_BINDING to the path of its `.node` file (environment.md).
 */
function nativeBinding(): string | undefined {
  const p = process.env.PSS_STUDIO_SQLITE_BINDING
  return p && p.length > 0 ? p : undefined
}

/** How long a write waits for a foreign process's write lock before it fails (see openDb). */
export const WRITE_LOCK_WAIT_MS = 250

export function openDb(file: string, opts: OpenDbOptions = {}): Db {
  const binding = nativeBinding()
  const db = new Database(file, {
    readonly: opts.readonly ?? false,
    fileMustExist: opts.mustExist ?? false,
    ...(binding ? { nativeBinding: binding } : {}),
  })
  try {
    // The project lock keeps other studios out, so the only competing writer is a foreign process (a
    // database tool, a backup). WAL readers never wait for it; a write does, and better-sqlite3 waits
    // synchronously — the whole event loop with it. So a write waits briefly (a tool's short write
    // passes) and then fails with "locked by another process" instead of stalling every request 5 s.
    db.pragma(`busy_timeout = ${WRITE_LOCK_WAIT_MS}`)
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL')
      // NORMAL is durable across application crashes in WAL mode; only a power loss can drop the
      // last transactions, never corrupt the file.
      db.pragma('synchronous = NORMAL')
    }
    db.pragma('foreign_keys = ON')
    return db
  } catch (e) {
    db.close()
    throw e
  }
}

/** JSON column helpers: the DB stores JSON text, the code works with typed values. */
export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback
  try {
    return JSON.parse(text) as T
  } catch {
    return fallback
  }
}

export const nowIso = (): string => new Date().toISOString()
