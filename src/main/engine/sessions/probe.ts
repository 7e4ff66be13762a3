/**
 * The backend probe: select the backend as a run would and report it. Run in the worker, never on the
 * caller's thread: selecting a backend loads tfjs and compiles its wasm, which would block the Electron
 * main process or the browser-mode server for a second or more.
 */
import type { BackendReport } from '../backend/select-backend'
import { defineSession } from './session'

export interface ProbeRequest {
  /** A forced backend ('' / 'auto' / absent = the best available). */
  force?: string
}

export const probeSession = defineSession<ProbeRequest, ProbeRequest, never, BackendReport>({
  what: 'the backend probe',
  parse: (raw) => (raw.force === undefined ? {} : { force: String(raw.force) }),
})
