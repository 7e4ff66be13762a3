/**
 * Browser-mode door: `POST /api/<method>` with the JSON argument object, events over a WebSocket at
 * `/events`, media under `/media/<ref>`.
 *
 * Auth: the server sets an HttpOnly cookie when the page is opened with `?token=…`. The token is also
 * sent as the `x-pss-token` header, kept in sessionStorage so a reload still works after it has been
 * removed from the visible URL (so it does not end up in bookmarks, screenshots or shared links).
 */
import type { ApiArgs, ApiMethod, ApiResults, StudioEventName, StudioEvents } from '../../../shared/api'
import { ClientErrorCode, StudioError, isErrorPayload, fromPayload } from './studio-error'
import type { ConnectionState, Transport, Unsubscribe } from './transport'

export const TOKEN_STORAGE_KEY = 'pss-studio-token'
export const TOKEN_HEADER = 'x-pss-token'

type FetchLike = (
  input: string,
  init: { method: string; headers: Record<string, string>; body: string; credentials: 'same-origin' },
) => Promise<{
  ok: boolean
  status: number
  text(): Promise<string>
}>

/** What the event stream needs from a WebSocket (so tests can hand in a fake at the boundary). */
export interface SocketHandlers {
  open(): void
  message(data: unknown): void
  /** Also called after an error: the socket is gone either way. */
  close(): void
}
export interface SocketLike {
  close(): void
}
export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketLike

/** The browser's WebSocket behind SocketFactory. */
export const browserSocket: SocketFactory = (url, h) => {
  const ws = new WebSocket(url)
  ws.onopen = () => h.open()
  ws.onmessage = (ev) => h.message(ev.data)
  ws.onclose = () => h.close()
  return ws
}

export interface HttpTransportOptions {
  /** Origin + base path of the server, e.g. "http://127.0.0.1:5173". */
  baseUrl: string
  token: string | null
  fetch: FetchLike
  socket: SocketFactory
  /** Reconnect delays in ms, growing to the last one. */
  reconnectDelays?: number[]
  setTimer?: (fn: () => void, ms: number) => unknown
}

/**
 * Reads the session token: from `?token=` (then stored and stripped from the address bar) or from
 * sessionStorage after a reload.
 */
export function takeToken(win: Pick<Window, 'location' | 'history' | 'sessionStorage'>): string | null {
  const url = new URL(win.location.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl) {
    try {
      win.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl)
    } catch {
      // storage can be disabled; the cookie the server set still authenticates this tab
    }
    url.searchParams.delete('token')
    win.history.replaceState(win.history.state, '', url.pathname + url.search + url.hash)
    return fromUrl
  }
  try {
    return win.sessionStorage.getItem(TOKEN_STORAGE_KEY)
  } catch {
    return null
  }
}

function httpStatusError(status: number, body: string): StudioError {
  if (status === 401 || status === 403) {
    return new StudioError(
      ClientErrorCode.Unauthorized,
      'The studio server refused this page (session token missing or wrong). Open the URL printed by `pss-studio serve` again.',
    )
  }
  const text = body.trim().slice(0, 300)
  return new StudioError(
    ClientErrorCode.BadResponse,
    `The studio server answered HTTP ${status}${text ? `: ${text}` : ''}`,
  )
}

export function createHttpTransport(opts: HttpTransportOptions): Transport {
  const base = opts.baseUrl.replace(/\/+$/, '')
  const delays = opts.reconnectDelays ?? [250, 500, 1000, 2000, 4000]
  const setTimer = opts.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms))

  async function call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiResults[M]> {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (opts.token) headers[TOKEN_HEADER] = opts.token
    let res: Awaited<ReturnType<FetchLike>>
    try {
      res = await opts.fetch(`${base}/api/${method}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(args ?? {}),
        credentials: 'same-origin',
      })
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err)
      throw new StudioError(
        ClientErrorCode.Network,
        `Cannot reach the studio server (${why}). Is \`pss-studio serve\` still running?`,
      )
    }
    const body = await res.text()
    let parsed: unknown
    try {
      parsed = body === '' ? undefined : JSON.parse(body)
    } catch {
      throw httpStatusError(res.status, body)
    }
    if (typeof parsed === 'object' && parsed !== null) {
      const obj = parsed as Record<string, unknown>
      if ('error' in obj) {
        if (isErrorPayload(obj.error)) throw fromPayload(obj.error)
        throw httpStatusError(res.status, body)
      }
      if (res.ok && 'result' in obj) return obj.result as ApiResults[M]
    }
    throw res.ok
      ? new StudioError(
          ClientErrorCode.BadResponse,
          `The studio server sent a reply without a result for ${method}`,
        )
      : httpStatusError(res.status, body)
  }

  // ---- events: one socket, opened on the first subscription, reopened when it drops ----
  const listeners = new Map<StudioEventName, Set<(p: unknown) => void>>()
  const connectionListeners = new Set<(s: ConnectionState) => void>()
  let socket: SocketLike | null = null
  let attempt = 0
  let state: ConnectionState = 'connecting'

  function setState(s: ConnectionState): void {
    state = s
    for (const cb of connectionListeners) cb(s)
  }

  function wsUrl(): string {
    const u = new URL(`${base}/events`)
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:'
    return u.toString()
  }

  function connect(): void {
    let ws: SocketLike | null = null
    const handlers: SocketHandlers = {
      open() {
        attempt = 0
        setState('open')
      },
      message(data) {
        if (typeof data !== 'string') return
        let msg: unknown
        try {
          msg = JSON.parse(data)
        } catch {
          return // not ours; the server only sends JSON
        }
        if (typeof msg !== 'object' || msg === null) return
        const { event, payload } = msg as { event?: unknown; payload?: unknown }
        if (typeof event !== 'string') return
        for (const cb of [...(listeners.get(event as StudioEventName) ?? [])]) {
          try {
            cb(payload)
          } catch (err) {
            // One failing subscriber must not starve the others of the event.
            console.error(`listener of '${event}' failed:`, err)
          }
        }
      },
      close() {
        if (ws === null || socket !== ws) return
        socket = null
        setState('reconnecting')
        const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1000
        attempt++
        setTimer(() => {
          if (socket === null) connect()
        }, delay)
      },
    }
    ws = opts.socket(wsUrl(), handlers)
    socket = ws
  }

  function on<E extends StudioEventName>(event: E, cb: (payload: StudioEvents[E]) => void): Unsubscribe {
    let set = listeners.get(event)
    if (!set) {
      set = new Set()
      listeners.set(event, set)
    }
    const fn = cb as (p: unknown) => void
    set.add(fn)
    if (socket === null && state === 'connecting') connect()
    return () => {
      set.delete(fn)
    }
  }

  function onConnection(cb: (s: ConnectionState) => void): Unsubscribe {
    connectionListeners.add(cb)
    return () => {
      connectionListeners.delete(cb)
    }
  }

  return {
    kind: 'http',
    call,
    on,
    onConnection,
    mediaUrl: (ref) => `${base}/media/${ref}`,
  }
}
