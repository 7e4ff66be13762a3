/** HTTP status of an API error code (team brief: 400 / 404 / 409 / 500). */
import { ErrorCode } from '../../shared/api'

function exhaustive(x: never): never {
  throw new Error(`unhandled error code ${String(x)}`)
}

export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.BadArguments:
      return 400
    case ErrorCode.NotFound:
      return 404
    case ErrorCode.Conflict:
    case ErrorCode.Locked:
      return 409
    case ErrorCode.NoProject:
    case ErrorCode.Io:
    case ErrorCode.Unsupported:
    case ErrorCode.Internal:
      return 500
    default:
      return exhaustive(code)
  }
}
