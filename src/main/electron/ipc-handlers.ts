/**
 * The Electron IPC door: one `studio:<method>` handler per API method, each dispatching through the
 * studio (which validates the arguments), and the event forwarder. Written against tiny interfaces
 * instead of `ipcMain`/`webContents` so it is tested in plain Node.
 */
import { API_METHODS, ErrorCode, EVENT_NAMES } from '../../shared/api'
import { toApiError } from '../app/api-error'
import type { StudioPort } from '../server/studio-port'
import { apiChannel, type EventMessage, type IpcResult } from './channels'

/** The part of `ipcMain` we use. */
export interface IpcRegistry {
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => Promise<IpcResult>): void
  removeHandler(channel: string): void
}

export interface HandlerOptions {
  /** Refuses calls from frames that are not our renderer (e.g. a navigated-away or injected frame). */
  isTrustedSender?: (event: unknown) => boolean
}

export async function invokeApi(studio: StudioPort, method: string, args: unknown): Promise<IpcResult> {
  try {
    return { ok: true, result: await studio.dispatch(method, args) }
  } catch (err) {
    return { ok: false, error: toApiError(err).payload }
  }
}

/** Registers every API method; returns a function that removes them again. */
export function registerApiHandlers(
  ipc: IpcRegistry,
  studio: StudioPort,
  opts: HandlerOptions = {},
): () => void {
  const channels = API_METHODS.map((method) => {
    const channel = apiChannel(method)
    ipc.handle(channel, async (event, ...args) => {
      if (opts.isTrustedSender && !opts.isTrustedSender(event)) {
        return {
          ok: false,
          error: {
            code: ErrorCode.Unsupported,
            message: `refused: ${channel} called from an untrusted frame`,
          },
        }
      }
      // The preload sends exactly one argument object; anything else is the renderer misbehaving.
      if (args.length > 1) {
        return {
          ok: false,
          error: {
            code: ErrorCode.BadArguments,
            message: `${method} takes one argument object, got ${args.length}`,
          },
        }
      }
      return invokeApi(studio, method, args[0] ?? {})
    })
    return channel
  })
  return () => {
    for (const channel of channels) ipc.removeHandler(channel)
  }
}

/** Forwards every studio event to `send` (a window's webContents); returns the unsubscribe. */
export function forwardEvents(studio: StudioPort, send: (message: EventMessage) => void): () => void {
  const offs = EVENT_NAMES.map((event) =>
    studio.on(event, (payload) => send({ event, payload } as EventMessage)),
  )
  return () => {
    for (const off of offs) off()
  }
}
