/** POST /api/<method>: JSON body = the method's argument object → `studio.dispatch`. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { ErrorCode, type ApiErrorPayload } from '../../shared/api'
import { toApiError } from '../app/api-error'
import { httpStatusFor } from './errors'
import { BodyTooLargeError, mediaType, readBody, sendJson, sendText } from './http-util'
import type { StudioPort } from './studio-port'

export const API_PREFIX = '/api/'

function sendError(res: ServerResponse, payload: ApiErrorPayload): void {
  sendJson(res, httpStatusFor(payload.code), { error: payload })
}

/**
 * Methods whose arguments carry image data get a larger body limit than the default: a saved mask is a
 * palette PNG (or raw indices) in base64 — a busy mask of a 12-megapixel photo can pass 1 MiB. The zod
 * schema caps the fields themselves; this only lets such a request reach it.
 */
const LARGE_BODY_METHODS: ReadonlyMap<string, number> = new Map([['saveMask', 96 * 1024 * 1024]])

function badArguments(message: string): ApiErrorPayload {
  return { code: ErrorCode.BadArguments, message }
}

export async function handleApi(
  studio: StudioPort,
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  bodyLimit: number,
): Promise<void> {
  if (req.method !== 'POST') {
    sendText(res, 405, 'API methods are called with POST', { Allow: 'POST' })
    return
  }
  // Only JSON: a cross-site <form> can post text/plain or urlencoded without a CORS preflight.
  if (mediaType(req.headers['content-type']) !== 'application/json') {
    req.resume()
    sendText(res, 415, 'API requests must have Content-Type: application/json')
    return
  }
  // Unknown method names (also `__proto__` and friends) are refused by dispatch as BAD_ARGUMENTS.
  const method = rawPath.slice(API_PREFIX.length)
  let body: Buffer
  try {
    body = await readBody(req, Math.max(bodyLimit, LARGE_BODY_METHODS.get(method) ?? 0))
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      sendJson(res, 413, { error: badArguments(err.message) })
      return
    }
    throw err
  }
  let args: unknown = {}
  if (body.length > 0) {
    try {
      args = JSON.parse(body.toString('utf8'))
    } catch (err) {
      sendError(res, badArguments(`request body is not valid JSON: ${(err as Error).message}`))
      return
    }
  }
  try {
    const result = await studio.dispatch(method, args)
    // `undefined` would vanish from JSON; the contract's results are always values.
    sendJson(res, 200, { result: result ?? null })
  } catch (err) {
    sendError(res, toApiError(err).payload)
  }
}
