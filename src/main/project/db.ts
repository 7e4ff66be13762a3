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

export function openDb(file: string, opts: OpenDbOptions = {}): Db {
  const binding = nativeBinding()
  const db = new Database(file, {
    readonly: opts.readonly ?? false,
    fileMustExist: opts.mustExist ?? false,
    ...(binding ? { nativeBinding: binding } : {}),
  })
  try {
    // Wait for a competing connection instead of failing at once (e.g. a reader during a checkpoint).
    db.pragma('busy_timeout = 5000')
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
