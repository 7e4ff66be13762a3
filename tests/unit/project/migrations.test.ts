import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDb, WRITE_LOCK_WAIT_MS } from '../../../src/main/project/db'
import { latestVersion, migrate, schemaVersion, type Migration } from '../../../src/main/project/migrations'
import { SCHEMA_MIGRATIONS } from '../../../src/main/project/schema'
import { Project } from '../../../src/main/project/project'
import { SchemaTooNewError, StoreIoError } from '../../../src/main/project/errors'
import { TempDirs } from './fixtures'

const tmp = new TempDirs()
afterEach(() => tmp.cleanup())

const tables = (file: string): string[] => {
  const db = openDb(file)
  const names = (
    db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as {
      name: string
    }[]
  ).map((r) => r.name)
  db.close()
  return names
}

describe('migrations', () => {
  it('brings a fresh database to the latest version with every table', () => {
    const file = path.join(tmp.make(), 'p.sqlite')
    const db = openDb(file)
    expect(migrate(db, file)).toEqual(SCHEMA_MIGRATIONS.map((m) => m.version))
    expect(schemaVersion(db)).toBe(latestVersion())
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.pragma('busy_timeout', { simple: true })).toBe(WRITE_LOCK_WAIT_MS)
    db.close()
    expect(tables(file)).toEqual(
      expect.arrayContaining([
        'project',
        'albums',
        'sources',
        'source_lists',
        'source_list_members',
        'images',
        'masks',
        'splits',
        'split_members',
        'clusterings',
        'cluster_members',
        'runs',
        'run_masks',
        'jobs',
        'metrics',
      ]),
    )
  })

  it('migrates a database left at version 1, keeping its rows', () => {
    const file = path.join(tmp.make(), 'p.sqlite')
    const db = openDb(file)
    migrate(db, file, SCHEMA_MIGRATIONS.slice(0, 1))
    expect(schemaVersion(db)).toBe(1)
    db.prepare(`INSERT INTO albums (name, slug, created_at) VALUES ('trip', 'trip', '2024-01-01')`).run()
    expect(tables(file)).not.toContain('jobs')
    const later = SCHEMA_MIGRATIONS.slice(1).map((m) => m.version)
    expect(migrate(db, file)).toEqual(later)
    expect(schemaVersion(db)).toBe(latestVersion())
    expect(db.prepare('SELECT name, active_split_id FROM albums').all()).toEqual([
      { name: 'trip', active_split_id: null },
    ])
    expect(migrate(db, file)).toEqual([]) // idempotent
    db.close()
  })

  it('rolls back a failing migration and leaves the previous version and tables', () => {
    const file = path.join(tmp.make(), 'p.sqlite')
    const db = openDb(file)
    const last = latestVersion()
    const broken: Migration = {
      version: last + 1,
      name: 'broken',
      up(d) {
        d.exec('CREATE TABLE half_done (x INTEGER)')
        d.exec('INSERT INTO no_such_table VALUES (1)')
      },
    }
    expect(() => migrate(db, file, [...SCHEMA_MIGRATIONS, broken])).toThrow(StoreIoError)
    try {
      migrate(db, file, [...SCHEMA_MIGRATIONS, broken])
    } catch (e) {
      expect((e as Error).message).toContain(`migration ${last + 1} (broken) failed and was rolled back`)
      expect((e as Error).message).toContain(`schema version ${last}`)
      expect((e as Error).message).toContain(file)
    }
    expect(schemaVersion(db)).toBe(last)
    expect(db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'`).get()).toEqual({
      n: 0,
    })
    db.close()
  })

  it('refuses a database newer than the code, without changing it', () => {
    const dir = tmp.make()
    const p = Project.create(path.join(dir, 'proj'))
    p.db.pragma(`user_version = ${latestVersion() + 5}`)
    p.close()
    const file = path.join(dir, 'proj', 'project.sqlite')
    const before = fs.readFileSync(file)
    let err: unknown
    try {
      Project.open(path.join(dir, 'proj'))
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(SchemaTooNewError)
    expect((err as Error).message).toContain(
      `schema version ${latestVersion() + 5}, but this PSS Studio understands versions up to ${latestVersion()}`,
    )
    expect(fs.readFileSync(file).equals(before)).toBe(true)
    // the failed open gave the lock back
    expect(fs.existsSync(path.join(dir, 'proj', '.lock'))).toBe(false)
  })

  it('refuses a migration list with a gap', () => {
    const file = path.join(tmp.make(), 'p.sqlite')
    const db = openDb(file)
    const next = latestVersion() + 1
    const gap: Migration = { version: next + 1, name: 'gap', up: () => {} }
    expect(() => migrate(db, file, [...SCHEMA_MIGRATIONS, gap])).toThrow(
      `has version ${next + 1}, expected ${next}`,
    )
    db.close()
  })
})
