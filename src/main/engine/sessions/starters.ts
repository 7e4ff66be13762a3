/**
 * The named session starters the app, the CLI and the engine's own pipelines call: each is
 * `startSession(name, request, options)` with the request in the caller's terms (the training config and
 * its `resume` flag, the embedding's images and layout). Imports no tfjs.
 */
import type { BackendReport } from '../backend/select-backend'
import type { AdaptRequestInput } from './adapt'
import type { SessionInput, SessionName } from './registry'
import { startSession, type SessionJob, type SessionOptions } from './start-session'

type Options<N extends SessionName> = SessionOptions<N>

export const startInferenceWorker = (request: SessionInput<'infer'>, opts: Options<'infer'> = {}) =>
  startSession('infer', request, opts)

export const startPthInferenceWorker = (
  request: SessionInput<'pth-infer'>,
  opts: Options<'pth-infer'> = {},
) => startSession('pth-infer', request, opts)

export const startClusterWorker = (request: SessionInput<'cluster'>, opts: Options<'cluster'> = {}) =>
  startSession('cluster', request, opts)

export const startCosegWorker = (request: SessionInput<'coseg'>, opts: Options<'coseg'>) =>
  startSession('coseg', request, opts)

export type TrainingWorkerOptions = Options<'train'> & { resume?: boolean }

/** A training run; `resume` continues from the run folder's latest checkpoint. */
export function startTrainingWorker(config: unknown, { resume, ...opts }: TrainingWorkerOptions = {}) {
  return startSession('train', { config, resume }, opts)
}

/** An adaptation run; `predict` lists albums to predict with the final model. */
export function startAdaptationWorker(
  config: unknown,
  { resume, predict, ...opts }: Options<'adapt'> & Omit<AdaptRequestInput, 'config'> = {},
) {
  return startSession('adapt', { config, resume, predict }, opts)
}

/** The embedding map's layout of `images` (progress as (done, total)). */
export function startEmbedWorker(
  images: { id: number; path: string }[],
  embed: { method: 'umap' | 'pca'; seed: number; encoder?: { runDir: string; backend: string } },
  opts: {
    onProgress?: (done: number, total: number) => void
    onProblem?: (p: { file: string; reason: string }) => void
    signal?: AbortSignal
    entry?: string
  } = {},
) {
  const { onProgress, ...rest } = opts
  const options: Options<'embed'> = { ...rest, onProgress: (p) => onProgress?.(p.done, p.total) }
  return startSession('embed', { images, ...embed }, options)
}

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

const DEFAULT_PROBE_TIMEOUT_MS = 60_000

/**
 * Which backend would the engine train on here? Selects it in the worker (the probe session) and returns
 * its report; rejects with the worker's reason, or after `timeoutMs`.
 */
export async function probeBackend(opts: ProbeBackendOptions = {}): Promise<BackendReport> {
  const force = resolveForceAlias(opts.force)
  const job: SessionJob<BackendReport> = startSession('probe', force === undefined ? {} : { force }, {
    entry: opts.entry,
  })
  const timeoutMs = opts.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void job.terminate()
      reject(new Error(`the backend probe did not answer within ${timeoutMs / 1000} s`))
    }, timeoutMs)
  })
  try {
    return await Promise.race([job.result, timeout])
  } catch (e) {
    // The probe's own reason, without the session prefix ("the backend probe failed: …").
    throw e instanceof Error ? new Error(e.message.replace(/^the backend probe failed: /, '')) : e
  } finally {
    clearTimeout(timer)
  }
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
