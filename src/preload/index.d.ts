/**
 * `window.studio` as the preload exposes it in the desktop app (absent in browser mode).
 * Methods reject with a plain `ApiErrorPayload` object ({code, message, issues?}), not an Error.
 */
import type { StudioBridge } from './bridge'

export type { StudioBridge }

declare global {
  interface Window {
    studio?: StudioBridge
  }
}
