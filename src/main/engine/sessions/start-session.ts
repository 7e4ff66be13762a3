/**
 * The caller's side of every engine session: parse the request (a bad one fails at the call with a clear
 * message, not inside the thread), spawn the engine worker with `{ session, request }`, route its events
 * to the `on<Event>` handlers, and settle the job with its result — or reject on its 'error' message, a
 * thread error or an early exit. Cancellation: `signal` (an AbortSignal) or `cancel()` asks the worker to
 * stop at its next safe point; the result then says 'cancelled'. Imports no tfjs.
 */
import { spawnEngineWorker } from '../worker/spawn-engine-worker'
import {
  SESSIONS,
  type SessionEvent,
  type SessionInput,
  type SessionName,
  type SessionResult,
} from './registry'
import {
  handlerName,
  type FromSessionWorker,
  type KilledTracker,
  type SessionEventBase,
  type SessionHandlers,
  type SessionWorkerData,
  type ToSessionWorker,
} from './session'

export type SessionOptions<N extends SessionName> = SessionHandlers<SessionEvent<N>> & {
  /** Aborting it cancels the session (as `cancel()` does). */
  signal?: AbortSignal
  /** Overrides the worker entry file (see `resolveWorkerEntry`). */
  entry?: string
}

export interface SessionJob<R> {
  readonly result: Promise<R>
  /** Asks the worker to stop at its next safe point; the result then says 'cancelled'. */
  cancel(): void
  /** Kills the thread now, as a crash would (sessions with a killed result resolve with it, others reject). */
  terminate(): Promise<void>
}

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never

/**
 * One overload per session name (an intersection of signatures), so that inline handlers are typed by the
 * session's events: `startSession('cluster', req, { onProgress: (p) => p.done })`.
 */
export type StartSession = UnionToIntersection<
  {
    [N in SessionName]: (
      name: N,
      input: SessionInput<N>,
      opts?: SessionOptions<N>,
    ) => SessionJob<SessionResult<N>>
  }[SessionName]
>

export const startSession = startAnySession as StartSession

function startAnySession(
  name: SessionName,
  input: unknown,
  opts: SessionOptions<SessionName> = {},
): SessionJob<unknown> {
  const def = SESSIONS[name] as unknown as {
    what: string
    parse: (raw: unknown) => unknown
    killed?: () => KilledTracker<SessionEventBase, unknown>
  }
  const data: SessionWorkerData = { session: name, request: def.parse(input) }
  const handlers = opts as unknown as Record<string, ((payload: unknown) => void) | undefined>
  const tracker = def.killed?.()
  const worker = spawnEngineWorker(data, opts.entry)
  let killed = false
  let settled = false
  const cancel = (): void => {
    if (!settled) worker.postMessage({ type: 'cancel' } satisfies ToSessionWorker)
  }
  const result = new Promise<unknown>((resolve, reject) => {
    const finish = (f: () => void): void => {
      if (settled) return
      settled = true
      opts.signal?.removeEventListener('abort', cancel)
      f()
      void worker.terminate()
    }
    worker.on('message', (m: FromSessionWorker) => {
      if (settled) return
      try {
        switch (m.type) {
          case 'event': {
            tracker?.see(m.event)
            const { type, ...payload } = m.event
            handlers[handlerName(type)]?.(payload)
            return
          }
          case 'result':
            finish(() => resolve(m.result))
            return
          case 'error':
            finish(() => reject(new Error(`${def.what} failed: ${m.message}`)))
            return
          default: {
            const never: never = m
            throw new Error(`unexpected worker message ${JSON.stringify(never)}`)
          }
        }
      } catch (e) {
        finish(() => reject(e instanceof Error ? e : new Error(String(e))))
      }
    })
    worker.on('error', (e) => finish(() => reject(e)))
    worker.on('exit', (code) => {
      if (killed && tracker) {
        const r = tracker.result()
        finish(() => resolve(r))
      } else finish(() => reject(new Error(`${def.what} worker exited with code ${code} before finishing`)))
    })
  })
  if (opts.signal?.aborted) cancel()
  else opts.signal?.addEventListener('abort', cancel, { once: true })
  return {
    result,
    cancel,
    async terminate() {
      killed = true
      await worker.terminate()
    },
  }
}
