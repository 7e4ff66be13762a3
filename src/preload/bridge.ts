/** The shape of `window.studio` in the desktop app (types only; shared by the preload and its .d.ts). */
import type { StudioApi, StudioEventName, StudioEvents } from '../shared/api'

export type StudioBridge = StudioApi & {
  /**
   * Subscribes to a studio event; returns the unsubscribe function. Unknown event names throw.
   */
  on<E extends StudioEventName>(event: E, cb: (payload: StudioEvents[E]) => void): () => void
  readonly mode: 'electron'
}
