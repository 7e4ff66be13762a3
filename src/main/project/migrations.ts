/**
 * Numbered, transactional schema migrations. The schema version lives in `PRAGMA user_version`, which
 * SQLite stores in the file header and journals like any page: setting it inside the migration's
 * transaction means a failing migration leaves both the tables and the version as they were.
 */
import type { Db } from './db'
import { SchemaTooNewError, StoreIoError } from './errors'
import { SCHEMA_MIGRATIONS } from './schema'

export interface Migration {
  version: number
  name: string
  up(db: Db): void
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

export function latestVersion(migrations: readonly Migration[] = SCHEMA_MIGRATIONS): number {
  return migrations.reduce((m, x) => Math.max(m, x.version), 0)
}

/** Checks that versions are 1, 2, 3… in order (a gap or a duplicate is a programming error). */
function checkSequence(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration "${m.name}" has version ${m.version}, expected ${i + 1}`)
    }
  })
}

/**
 * Brings the database up to the newest version. Returns the versions applied. Refuses (without
 * touching anything) a database newer than the code.
 */
export function migrate(
  db: Db,
  file: string,
  migrations: readonly Migration[] = SCHEMA_MIGRATIONS,
): number[] {
  checkSequence(migrations)
  const latest = latestVersion(migrations)
  const current = schemaVersion(db)
  if (current > latest) throw new SchemaTooNewError(current, latest, file)
  const applied: number[] = []
  for (const m of migrations) {
    if (m.version <= current) continue
    // Each migration in its own transaction: a failure keeps everything applied before it.
    const run = db.transaction(() => {
      m.up(db)
      db.pragma(`user_version = ${m.version}`)
    })
    try {
      run.immediate()
    } catch (e) {
      throw new StoreIoError(
        `${file}: migration ${m.version} (${m.name}) failed and was rolled back; the project stays at ` +
          `schema version ${schemaVersion(db)}: ${(e as Error).message}`,
      )
    }
    applied.push(m.version)
  }
  return applied
}
