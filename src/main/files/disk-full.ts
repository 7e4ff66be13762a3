/**
 * Recognising a full disk. A full disk is not a per-file problem: every later write fails the same way,
 * so an import or save that meets one stops at once and says so ("disk full while writing <file>")
 * instead of listing the same failure for every remaining file. Node reports it as ENOSPC (or EDQUOT
 * for a quota), SQLite as SQLITE_FULL; both are recognised here, by code, never by wording.
 */

/** The disk (or the user's quota) is full; `file` is the file whose write failed. */
export class DiskFullError extends Error {
  readonly code = 'ENOSPC'
  constructor(
    readonly file: string,
    cause?: unknown,
  ) {
    super(`disk full while writing ${file}`, cause === undefined ? undefined : { cause })
    this.name = 'DiskFullError'
  }
}

const FULL_ERRNO = new Set(['ENOSPC', 'EDQUOT'])

/** True for ENOSPC/EDQUOT errno errors, SQLITE_FULL and DiskFullError, also when wrapped in `cause`. */
export function isDiskFull(e: unknown): boolean {
  for (let cur = e, depth = 0; cur instanceof Error && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code
    if (cur instanceof DiskFullError) return true
    if (typeof code === 'string' && (FULL_ERRNO.has(code) || code.startsWith('SQLITE_FULL'))) return true
    cur = (cur as { cause?: unknown }).cause
  }
  return false
}

/**
 * A DiskFullError naming the file: the errno error's own path when it has one, else `file` (SQLite's
 * errors do not say which file they concern, so callers pass the database's path).
 */
export function diskFullError(e: unknown, file: string): DiskFullError {
  if (e instanceof DiskFullError) return e
  const errPath = (e as { path?: unknown } | null)?.path
  return new DiskFullError(typeof errPath === 'string' && errPath !== '' ? errPath : file, e)
}
