/**
 * Which backend would the engine train on here? Answered by the engine worker (see training-worker.ts),
 * never on the caller's thread: selecting a backend loads tfjs and compiles its wasm, which would block
 * the Electron main process or the browser-mode server for a second or more. Imports no tfjs.
 */
import type { BackendReport } from '../backend/select-backend'
import type { FromProbeWorker, ProbeWorkerData } from './messages'
import { spawnEngineWorker } from './spawn-engine-worker'

export interface ProbeBackendOptions {
  /** Force a backend: a backend name, 'gpu' (= tfjs-node-gpu), 'node' (= tfjs-node), or '' / 'auto'. */
  force?: string
  /** Overrides the worker entry file (tests). */
  entry?: string
  /** Give up after this long (ms); a stuck native library must not leave the studio waiting forever. */
  timeoutMs?: number
}

/** Short names people type for the native backends. */
const FORCE_ALIASES: Record<string, string> = { gpu: 'tfjs-node-gpu', node: 'tfjs-node' }

export function resolveForceAlias(force: string | undefined): string | undefined {
  if (force === undefined) return undefined
  return FORCE_ALIASES[force.trim().toLowerCase()] ?? force
}

const DEFAULT_TIMEOUT_MS = 60_000

/** Selects the backend in a worker thread and returns its report; rejects with the worker's reason. */
export function probeBackend(opts: ProbeBackendOptions = {}): Promise<BackendReport> {
  const force = resolveForceAlias(opts.force)
  const data: ProbeWorkerData = force === undefined ? { probe: true } : { probe: true, force }
  const worker = spawnEngineWorker(data, opts.entry)
  return new Promise<BackendReport>((resolve, reject) => {
    let settled = false
    const finish = (f: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      f()
      void worker.terminate()
    }
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    const timer = setTimeout(
      () => finish(() => reject(new Error(`the backend probe did not answer within ${timeoutMs / 1000} s`))),
      timeoutMs,
    )
    worker.on('message', (m: FromProbeWorker) => {
      if (m.type === 'backend') finish(() => resolve(m.report))
      else finish(() => reject(new Error(m.message)))
    })
    worker.on('error', (e) => finish(() => reject(e)))
    worker.on('exit', (code) =>
      finish(() => reject(new Error(`the backend probe worker exited with code ${code} before answering`))),
    )
  })
}

/** The report as the UI shows it (AppInfo.backend): reasons, then one line with the forced flag and kernels. */
export function backendSummary(r: BackendReport): { name: string; device: string; notes: string[] } {
  const kernels = r.trainingKernels.length
    ? `the project's training kernels: ${r.trainingKernels.join(', ')}`
    : 'its own training kernels'
  return {
    name: r.name,
    device: r.device,
    notes: [...r.reasons, `${r.forced ? 'forced by a setting' : 'chosen automatically'}; ${kernels}`],
  }
}
