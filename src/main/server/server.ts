/**
 * Browser-mode host: the built renderer, the StudioApi over HTTP and the event stream over
 * WebSocket, for one local user. Every request passes the same gate — Host (DNS rebinding), Origin
 * (cross-site pages), session token (everything else on this machine) — before any route runs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { API_PREFIX, handleApi } from './api-route'
import { contentSecurityPolicy } from './csp'
import { EVENTS_PATH, EventsSocket } from './events-socket'
import { sendText, splitTarget } from './http-util'
import { MEDIA_PREFIX, handleMedia } from './media-route'
import {
  TOKEN_HEADER,
  authority,
  hostAllowed,
  isLoopbackHost,
  isWildcardHost,
  newSessionToken,
  originAllowed,
  requestAuthenticated,
  sessionCookie,
  tokenMatches,
} from './security'
import { StaticFiles, staticRelPath } from './static-route'
import type { StudioPort } from './studio-port'

export interface ServerOptions {
  studio: StudioPort
  /** Folder holding the built renderer (index.html, assets/). */
  rendererDir: string
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0 (a free port chosen by the OS). */
  port?: number
  /** Binding to a non-loopback address exposes the studio to the network: only with this flag. */
  allowRemote?: boolean
  /** Largest accepted API request body, bytes (default 1 MiB). */
  bodyLimit?: number
  /** WebSocket ping interval (default 30 s). */
  heartbeatMs?: number
  /** Fixed token (tests); default a fresh random one per start. */
  token?: string
}

export interface RunningServer {
  host: string
  port: number
  token: string
  /** The URL to open: carries the token once, the page then authenticates by cookie. */
  url: string
  close(): Promise<void>
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024

export class RemoteBindRefusedError extends Error {
  constructor(host: string) {
    super(
      `refusing to listen on ${host}: it is not a loopback address, so anyone on the network could reach the studio. ` +
        'Pass --allow-remote (allowRemote: true) if that is really what you want.',
    )
  }
}

/** `localhost` may resolve to ::1 or 127.0.0.1 depending on the system; bind an explicit address. */
function bindAddress(host: string): string {
  return host.toLowerCase() === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, '')
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = bindAddress(opts.host ?? '127.0.0.1')
  if (!isLoopbackHost(host) && opts.allowRemote !== true) throw new RemoteBindRefusedError(host)
  const token = opts.token ?? newSessionToken()
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT
  const files = new StaticFiles(opts.rendererDir)
  const studio = opts.studio
  let port = 0 // known once listening; requests cannot arrive earlier

  const server: Server = createServer({ requestTimeout: 60_000, headersTimeout: 20_000 })
  const events = new EventsSocket(studio, opts.heartbeatMs ?? 30_000)

  function gate(req: IncomingMessage): { status: number; reason: string } | null {
    if (!hostAllowed(req.headers.host, host, port))
      return { status: 403, reason: 'forbidden: unexpected Host header' }
    if (!originAllowed(req.headers.origin, req.headers.host))
      return { status: 403, reason: 'forbidden: cross-origin request' }
    return null
  }

  function authenticated(req: IncomingMessage): boolean {
    return requestAuthenticated(token, port, {
      cookie: req.headers.cookie,
      tokenHeader: req.headers[TOKEN_HEADER],
    })
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refused = gate(req)
    if (refused) {
      req.resume()
      sendText(res, refused.status, refused.reason)
      return
    }
    const { path, query } = splitTarget(req.url ?? '/')
    const rel = staticRelPath(path)
    // The printed URL carries the token once; trade it for an HttpOnly cookie the page cannot read.
    const queryToken = rel === 'index.html' ? query.get('token') : null
    const viaQuery = queryToken !== null && tokenMatches(token, queryToken)
    if (!viaQuery && !authenticated(req)) {
      req.resume()
      sendText(
        res,
        401,
        'unauthorized: open the studio with the URL printed by `pss-studio serve` (it carries the session token)',
      )
      return
    }
    if (path.startsWith(API_PREFIX)) return handleApi(studio, req, res, path, bodyLimit)
    if (path.startsWith(MEDIA_PREFIX)) return handleMedia(studio, req, res, path)
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      req.resume()
      sendText(res, 405, 'method not allowed', { Allow: 'GET, HEAD' })
      return
    }
    if (rel === null) {
      sendText(res, 404, 'not found')
      return
    }
    if (rel === 'index.html') {
      const ws = [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]
      if (!isLoopbackHost(host) && req.headers.host) ws.push(`ws://${req.headers.host}`)
      const headers: Record<string, string> = {
        'Content-Security-Policy': contentSecurityPolicy({ connect: ws }),
        'X-Frame-Options': 'DENY',
      }
      if (viaQuery) headers['Set-Cookie'] = sessionCookie(port, token)
      return files.send(res, rel, headers)
    }
    return files.send(res, rel)
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendText(res, 500, `internal error: ${(err as Error).message}`)
      else res.destroy()
    })
  })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: number, reason: string): void => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    const { path } = splitTarget(req.url ?? '/')
    if (path !== EVENTS_PATH) return refuse(404, 'Not Found')
    if (gate(req)) return refuse(403, 'Forbidden')
    if (!authenticated(req)) return refuse(401, 'Unauthorized')
    events.accept(req, socket, head)
  })

  const sockets = new Set<Socket>()
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (err) {
    // Port taken, address not available…: stop forwarding events before reporting it.
    await events.close()
    throw err
  }
  port = (server.address() as AddressInfo).port
  const urlHost = isWildcardHost(host) ? '127.0.0.1' : host
  const url = `http://${authority(urlHost, port)}/?token=${token}`

  let closing: Promise<void> | null = null
  return {
    host,
    port,
    token,
    url,
    close(): Promise<void> {
      closing ??= (async () => {
        await events.close()
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          // Keep-alive connections would hold close() open; in-flight requests get 2 s to finish.
          server.closeIdleConnections()
          setTimeout(() => {
            for (const s of sockets) s.destroy()
          }, 2000).unref()
        })
      })()
      return closing
    },
  }
}
