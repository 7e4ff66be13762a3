/**
 * Typed errors of the store (and the layers above it). Each carries the API error code it maps to, so
 * the app façade can turn any of them into an ApiErrorPayload without string matching. They live here,
 * at the bottom of the dependency graph, because the store throws most of them.
 */
import { ErrorCode } from '../../shared/api'

export class StudioError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message)
    this.name = new.target.name
  }
}

/** A referenced row does not exist ("image 42 does not exist"). */
export class NotFoundError extends StudioError {
  constructor(message: string) {
    super(ErrorCode.NotFound, message)
  }
}

/** The request conflicts with what is stored (duplicate name, folder not empty…). */
export class ConflictError extends StudioError {
  constructor(message: string) {
    super(ErrorCode.Conflict, message)
  }
}

/** Bad input discovered after schema validation (a mask of the wrong size, an id of another album…). */
export class InvalidInputError extends StudioError {
  constructor(message: string) {
    super(ErrorCode.BadArguments, message)
  }
}

/** Another studio (this process or another one) holds the project's lock. */
export class ProjectLockedError extends StudioError {
  constructor(message: string) {
    super(ErrorCode.Locked, message)
  }
}

/** The project was written by a newer PSS Studio (schema version above what this code knows). */
export class SchemaTooNewError extends StudioError {
  constructor(
    readonly found: number,
    readonly supported: number,
    file: string,
  ) {
    super(
      ErrorCode.Unsupported,
      `${file} has schema version ${found}, but this PSS Studio understands versions up to ${supported}; ` +
        'open it with a newer PSS Studio',
    )
  }
}

/** A file-system or database failure, with the file it concerns in the message. */
export class StoreIoError extends StudioError {
  constructor(message: string) {
    super(ErrorCode.Io, message)
  }
}

/** No project is open. */
export class NoProjectError extends StudioError {
  constructor(message = 'no project is open; create or open one first') {
    super(ErrorCode.NoProject, message)
  }
}

/** Exhaustiveness helper for `default:` branches of switches over unions. */
export function exhaustive(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`)
}
