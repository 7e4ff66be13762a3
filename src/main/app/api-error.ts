/**
 * ApiError: what every door catches and serialises. `toApiError` turns anything thrown below the
 * façade into one, choosing the code from the error's type (never from its wording) and keeping the
 * file name in the message for I/O and database failures.
 */
import { ErrorCode, type ApiErrorPayload } from '../../shared/api'
import { StudioError } from '../project/errors'
import { DiskFullError, isDiskFull } from '../files/disk-full'

export class ApiError extends Error {
  readonly payload: ApiErrorPayload

  constructor(payload: ApiErrorPayload) {
    super(payload.message)
    this.name = 'ApiError'
    this.payload = payload
  }

  get code(): ErrorCode {
    return this.payload.code
  }

  static of(code: ErrorCode, message: string, issues?: ApiErrorPayload['issues']): ApiError {
    return new ApiError(issues ? { code, message, issues } : { code, message })
  }
}

interface SqliteErrorLike {
  name: string
  code: string
  message: string
}

function isSqliteError(e: unknown): e is SqliteErrorLike {
  return e instanceof Error && e.name === 'SqliteError' && typeof (e as { code?: unknown }).code === 'string'
}

function isErrno(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && 'syscall' in e
}

/**
 * Maps a thrown value to an ApiError. `dbFile` names the open project's database for SQLite errors,
 * whose own messages do not say which file they concern.
 */
export function toApiError(e: unknown, dbFile?: string): ApiError {
  if (e instanceof ApiError) return e
  if (e instanceof StudioError) return ApiError.of(e.code, e.message)
  if (isDiskFull(e)) {
    const err = e as { path?: unknown }
    const file =
      e instanceof DiskFullError
        ? e.file
        : typeof err.path === 'string'
          ? err.path
          : (dbFile ?? 'the project database')
    return ApiError.of(ErrorCode.Io, `disk full while writing ${file}; free some space and try again`)
  }
  if (isSqliteError(e)) {
    const where = dbFile ?? 'the project database'
    // A foreign process (a database tool, a backup) holds the write lock: only writes meet it, and they
    // give up after the short busy timeout instead of stalling every request (db.ts).
    if (e.code.startsWith('SQLITE_BUSY') || e.code.startsWith('SQLITE_LOCKED')) {
      return ApiError.of(
        ErrorCode.Io,
        `the project database is locked by another process (${where}); the change was not saved — ` +
          'close the program that holds it and try again',
      )
    }
    if (e.code.startsWith('SQLITE_READONLY')) {
      return ApiError.of(ErrorCode.Io, `the project is open read-only (${where}); the change was not saved`)
    }
    if (e.code.startsWith('SQLITE_CONSTRAINT')) {
      return ApiError.of(ErrorCode.Conflict, `${where}: the change conflicts with stored data (${e.message})`)
    }
    return ApiError.of(ErrorCode.Io, `database error in ${where} (${e.code}): ${e.message}`)
  }
  if (isErrno(e)) {
    // Node's message already names the path ("ENOENT: no such file or directory, open '/x/y.jpg'").
    const named = e.path && !e.message.includes(e.path) ? `${e.path}: ${e.message}` : e.message
    return ApiError.of(ErrorCode.Io, named)
  }
  const message = e instanceof Error ? e.message : String(e)
  return ApiError.of(ErrorCode.Internal, `internal error: ${message}`)
}
