/**
 * The one error type the renderer sees from any API call, whichever door carried it.
 * Server codes come from the contract (ErrorCode); the client adds codes for failures that never
 * reached the studio core (network down, token refused, a reply that is not the contract's shape).
 */
import type { ApiErrorPayload, ErrorCode } from '../../../shared/api'

export const ClientErrorCode = {
  Network: 'NETWORK_ERROR',
  Unauthorized: 'UNAUTHORIZED',
  BadResponse: 'BAD_RESPONSE',
} as const
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode]

export type StudioErrorCode = ErrorCode | ClientErrorCode

export interface StudioIssue {
  path: string
  message: string
}

const SERVER_CODES: ReadonlySet<string> = new Set([
  'BAD_ARGUMENTS',
  'NO_PROJECT',
  'NOT_FOUND',
  'CONFLICT',
  'PROJECT_LOCKED',
  'IO_ERROR',
  'UNSUPPORTED',
  'INTERNAL',
])
const CLIENT_CODES: ReadonlySet<string> = new Set(Object.values(ClientErrorCode))

export class StudioError extends Error {
  readonly code: StudioErrorCode
  readonly issues: StudioIssue[]

  constructor(code: StudioErrorCode, message: string, issues: StudioIssue[] = []) {
    super(message)
    this.name = 'StudioError'
    this.code = code
    this.issues = issues
  }

  /** Message plus the per-field issues, for a toast ("name: name is empty"). */
  get detail(): string {
    if (this.issues.length === 0) return this.message
    return `${this.message} — ${this.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`
  }
}

function isIssue(v: unknown): v is StudioIssue {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as StudioIssue).path === 'string' &&
    typeof (v as StudioIssue).message === 'string'
  )
}

/** True when `v` has the shape of an ApiErrorPayload (code from the contract, a message). */
export function isErrorPayload(v: unknown): v is ApiErrorPayload {
  if (typeof v !== 'object' || v === null) return false
  const p = v as Record<string, unknown>
  return typeof p.code === 'string' && SERVER_CODES.has(p.code) && typeof p.message === 'string'
}

export function fromPayload(p: ApiErrorPayload): StudioError {
  const issues = Array.isArray(p.issues) ? p.issues.filter(isIssue) : []
  return new StudioError(p.code, p.message, issues)
}

/**
 * Turns whatever a transport rejected with into a StudioError. Electron's ipcRenderer.invoke wraps
 * thrown errors as "Error invoking remote method 'x': Error: <message>", so a payload may arrive as an
 * object, as JSON inside a message, or not at all.
 */
export function toStudioError(err: unknown): StudioError {
  if (err instanceof StudioError) return err
  if (isErrorPayload(err)) return fromPayload(err)
  if (typeof err === 'object' && err !== null) {
    const o = err as Record<string, unknown>
    if (isErrorPayload(o.payload)) return fromPayload(o.payload)
    if (isErrorPayload(o.error)) return fromPayload(o.error)
    if (
      typeof o.code === 'string' &&
      typeof o.message === 'string' &&
      (SERVER_CODES.has(o.code) || CLIENT_CODES.has(o.code))
    ) {
      return new StudioError(
        o.code as StudioErrorCode,
        o.message,
        Array.isArray(o.issues) ? o.issues.filter(isIssue) : [],
      )
    }
  }
  const message = err instanceof Error ? err.message : String(err)
  const json = message.indexOf('{')
  if (json >= 0) {
    try {
      const parsed: unknown = JSON.parse(message.slice(json))
      const found = toStudioErrorOrNull(parsed)
      if (found) return found
    } catch {
      // not JSON: fall through to a plain internal error carrying the original message
    }
  }
  return new StudioError('INTERNAL', message.replace(/^Error invoking remote method '[^']*': (Error: )?/, ''))
}

function toStudioErrorOrNull(v: unknown): StudioError | null {
  if (isErrorPayload(v)) return fromPayload(v)
  if (typeof v === 'object' && v !== null && isErrorPayload((v as Record<string, unknown>).error)) {
    return fromPayload((v as { error: ApiErrorPayload }).error)
  }
  return null
}
