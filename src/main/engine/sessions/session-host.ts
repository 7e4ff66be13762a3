/**
 * Where an engine session runs, as a parameter: the pipelines (a run's source training, adaptation stages,
 * snapshot evaluation, prediction) ask a host for a session instead of spawning a worker themselves, so the
 * same pipeline code runs either
 *   - from the main thread (`workerHost`: each session boots its own engine worker, start-session.ts), or
 *   - inside the engine worker (worker/in-thread-host.ts: the session's body is called on the worker's own
 *     thread, same tfjs, no spawn) — how a whole run is one worker session (sessions/run.ts).
 * Imports no tfjs; the in-thread host is only reachable from the worker entry.
 */
import type { SessionInput, SessionName, SessionResult } from './registry'
import { startSession, type SessionOptions } from './start-session'

/** A session in progress: its result, and a cancel that asks it to stop at its next safe point. */
export interface SessionRun<R> {
  readonly result: Promise<R>
  cancel(): void
}

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never

/** One overload per session name, so that inline handlers are typed by the session's events. */
export type HostRun = UnionToIntersection<
  {
    [N in SessionName]: (
      name: N,
      input: SessionInput<N>,
      opts?: SessionOptions<N>,
    ) => SessionRun<SessionResult<N>>
  }[SessionName]
>

export interface SessionHost {
  run: HostRun
}

/** Every session in a fresh engine worker (the main thread's host). */
export const workerHost: SessionHost = { run: startSession }

/** Runs `cancel` when the signal aborts (also if it already has), until `work` settles. */
export async function withCancel<T>(signal: AbortSignal, cancel: () => void, work: Promise<T>): Promise<T> {
  const onAbort = (): void => cancel()
  if (signal.aborted) onAbort()
  signal.addEventListener('abort', onAbort)
  try {
    return await work
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
