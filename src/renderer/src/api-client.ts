/**
 * The renderer's one way to reach the studio core. Picks the door once: the Electron preload
 * (`window.studio`) when present, else the browser-mode HTTP server this page was served from.
 *
 *   import { studio } from './api-client'
 *   const albums = await studio().api.listAlbums({})      // typed by StudioApi
 *   const off = studio().on('job', (job) => …)            // returns unsubscribe
 *   <img :src="studio().mediaUrl(image.media.thumb)">
 *
 * Every failure is a StudioError {code, message, issues}.
 */
import type { StudioApi, StudioEventName, StudioEvents } from '../../shared/api'
import { METHOD_NAMES } from '../../shared/api-names'
import { browserSocket, createHttpTransport, takeToken } from './api/http-transport'
import { createPreloadTransport, isPreloadStudio } from './api/preload-transport'
import type { ConnectionState, Transport, Unsubscribe } from './api/transport'

export { StudioError } from './api/studio-error'
export type { StudioErrorCode } from './api/studio-error'
export type { ConnectionState, Transport, Unsubscribe } from './api/transport'

export interface StudioClient {
  readonly kind: Transport['kind']
  readonly api: StudioApi
  on<E extends StudioEventName>(event: E, cb: (payload: StudioEvents[E]) => void): Unsubscribe
  onConnection(cb: (state: ConnectionState) => void): Unsubscribe
  mediaUrl(ref: string): string
}

export function createClient(transport: Transport): StudioClient {
  const api = Object.fromEntries(
    METHOD_NAMES.map((method) => [method, (args: unknown) => transport.call(method, (args ?? {}) as never)]),
  ) as unknown as StudioApi
  return {
    kind: transport.kind,
    api,
    on: (event, cb) => transport.on(event, cb),
    onConnection: (cb) => transport.onConnection(cb),
    mediaUrl: (ref) => transport.mediaUrl(ref),
  }
}

/** Chooses the transport for this window. */
export function detectTransport(win: Window & { studio?: unknown }): Transport {
  if (isPreloadStudio(win.studio)) return createPreloadTransport(win.studio)
  const token = takeToken(win)
  return createHttpTransport({
    baseUrl: win.location.origin,
    token,
    fetch: (input, init) => win.fetch(input, init),
    socket: browserSocket,
  })
}

let current: StudioClient | null = null

/** The page's client (created on first use). */
export function studio(): StudioClient {
  if (!current) current = createClient(detectTransport(window as Window & { studio?: unknown }))
  return current
}

/** Replaces the page's client (tests). */
export function setStudioClient(client: StudioClient | null): void {
  current = client
}
