/** Small response/request helpers for the browser-mode server (node:http, no framework). */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Headers every response carries. */
export const BASE_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body), 'utf8')
  res.writeHead(status, {
    ...BASE_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(data.length),
    'Cache-Control': 'no-store',
  })
  res.end(data)
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  extra: Record<string, string> = {},
): void {
  const data = Buffer.from(text.endsWith('\n') ? text : `${text}\n`, 'utf8')
  res.writeHead(status, {
    ...BASE_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(data.length),
    'Cache-Control': 'no-store',
    ...extra,
  })
  res.end(data)
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body is larger than ${limit} bytes`)
  }
}

/**
 * Reads the whole body, refusing more than `limit` bytes. Past the limit the rest is drained unread
 * (the caller answers 413) so the client receives the answer instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) {
    req.resume()
    return Promise.reject(new BodyTooLargeError(limit))
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return
      size += chunk.length
      if (size > limit) {
        tooLarge = true
        chunks.length = 0
        reject(new BodyTooLargeError(limit))
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (!tooLarge) resolve(Buffer.concat(chunks))
    })
    req.on('error', reject)
  })
}

/** The media type of a Content-Type header, lower-case, without parameters. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase()
}

/**
 * Splits a raw request target into path and query without normalising it: WHATWG URL parsing would
 * collapse `/media/file/../project.sqlite` (and `%2e%2e`) before our checks could refuse it.
 */
export function splitTarget(target: string): { path: string; query: URLSearchParams } {
  const q = target.indexOf('?')
  if (q < 0) return { path: target, query: new URLSearchParams() }
  return { path: target.slice(0, q), query: new URLSearchParams(target.slice(q + 1)) }
}

/** decodeURIComponent that answers null instead of throwing on malformed escapes. */
export function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s)
  } catch {
    return null
  }
}
