import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiError, toApiError } from '../../../src/main/app/api-error'
import {
  ConflictError,
  NoProjectError,
  NotFoundError,
  ProjectLockedError,
  SchemaTooNewError,
} from '../../../src/main/project/errors'
import { ErrorCode } from '../../../src/shared/api'
import { TempDirs } from '../project/fixtures'

const tmp = new TempDirs()
afterEach(() => tmp.cleanup())

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected a throw')
}

describe('toApiError', () => {
  it('keeps the code of typed store errors', () => {
    expect(toApiError(new NotFoundError('image 42 does not exist')).payload).toEqual({
      code: ErrorCode.NotFound,
      message: 'image 42 does not exist',
    })
    expect(toApiError(new ConflictError('x')).payload.code).toBe(ErrorCode.Conflict)
    expect(toApiError(new ProjectLockedError('x')).payload.code).toBe(ErrorCode.Locked)
    expect(toApiError(new NoProjectError()).payload.code).toBe(ErrorCode.NoProject)
    expect(toApiError(new SchemaTooNewError(9, 3, '/p/project.sqlite')).payload.code).toBe(
      ErrorCode.Unsupported,
    )
    const api = ApiError.of(ErrorCode.BadArguments, 'm', [{ path: 'a', message: 'b' }])
    expect(toApiError(api)).toBe(api)
  })

  it('maps SQLite errors to IO_ERROR naming the database file, constraint failures to CONFLICT', () => {
    const file = path.join(tmp.make(), 'x.sqlite')
    const db = new Database(file)
    db.exec('CREATE TABLE t (a INTEGER UNIQUE)')
    db.exec('INSERT INTO t VALUES (1)')
    const unique = toApiError(
      thrown(() => db.exec('INSERT INTO t VALUES (1)')),
      file,
    )
    expect(unique.payload.code).toBe(ErrorCode.Conflict)
    expect(unique.message).toContain(file)
    const syntax = toApiError(
      thrown(() => db.exec('SELECT * FROM missing')),
      file,
    )
    expect(syntax.payload.code).toBe(ErrorCode.Io)
    expect(syntax.message).toMatch(
      new RegExp(`database error in ${file} \\(SQLITE_ERROR\\): no such table: missing`),
    )
    db.close()
  })

  it('maps file-system errors to IO_ERROR with the path', () => {
    const missing = path.join(tmp.make(), 'missing.jpg')
    const e = toApiError(thrown(() => fs.readFileSync(missing)))
    expect(e.payload.code).toBe(ErrorCode.Io)
    expect(e.message).toContain(missing)
  })

  it('anything else is INTERNAL with its message', () => {
    expect(toApiError(new TypeError('boom')).payload).toEqual({
      code: ErrorCode.Internal,
      message: 'internal error: boom',
    })
    expect(toApiError('text').payload.message).toBe('internal error: text')
  })
})
