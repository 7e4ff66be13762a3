/**
 * Electron door: the preload exposes `window.studio` with one named function per API method plus
 * `on(event, cb)` returning an unsubscribe function. Media is served by the `pss-media://` protocol.
 */
import type {
  ApiArgs,
  ApiMethod,
  ApiResults,
  StudioApi,
  StudioEventName,
  StudioEvents,
} from '../../../shared/api'
import { toStudioError } from './studio-error'
import type { Transport, Unsubscribe } from './transport'

/** The shape the preload exposes (kept structural so it matches src/preload/index.d.ts). */
export type PreloadStudio = StudioApi & {
  on<E extends StudioEventName>(event: E, cb: (payload: StudioEvents[E]) => void): () => void
}

export function isPreloadStudio(v: unknown): v is PreloadStudio {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { on?: unknown }).on === 'function' &&
    typeof (v as { appInfo?: unknown }).appInfo === 'function'
  )
}

export function createPreloadTransport(studio: PreloadStudio): Transport {
  return {
    kind: 'electron',
    async call<M extends ApiMethod>(method: M, args: ApiArgs<M>): Promise<ApiResults[M]> {
      const fn = studio[method] as unknown as (a: ApiArgs<M>) => Promise<ApiResults[M]>
      try {
        return await fn(args)
      } catch (err) {
        throw toStudioError(err)
      }
    },
    on: (event, cb) => studio.on(event, cb),
    // IPC has no connection to lose.
    onConnection: (cb): Unsubscribe => {
      cb('open')
      return () => {}
    },
    mediaUrl: (ref) => `pss-media://media/${ref}`,
  }
}
