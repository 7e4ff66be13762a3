/**
 * IPC channel names and envelopes shared by the Electron main process and the preload. No Node or
 * Electron imports: the sandboxed preload bundles this file.
 */
import type { ApiErrorPayload, ApiMethod, StudioEventName, StudioEvents } from '../../shared/api'

/** One invoke channel per API method: `studio:listAlbums`, … */
export function apiChannel(method: ApiMethod): string {
  return `studio:${method}`
}

/** Main → renderer: every studio event. */
export const EVENT_CHANNEL = 'studio:event'

/**
 * What an API handler returns. Errors travel as data, not as a rejected invoke: Electron would
 * flatten a thrown error to "Error invoking remote method …" and lose its code and issues.
 */
export type IpcResult = { ok: true; result: unknown } | { ok: false; error: ApiErrorPayload }

export type EventMessage = { [E in StudioEventName]: { event: E; payload: StudioEvents[E] } }[StudioEventName]
