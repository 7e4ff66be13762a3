/**
 * The session host of the engine worker's own thread (see ../sessions/session-host.ts): a session asked for
 * here is parsed like a spawned one and its body (session-bodies.ts) is called right here — same thread,
 * same tfjs and backend, no worker boot, no checkpoint or module reloading. Its events go straight to the
 * caller's `on<Event>` handlers; its errors read as a spawned session's ("training failed: …").
 * Cancellation: the session stops when its own `cancel()`/signal asks, or when the enclosing session is
 * stopped (`outer`). Only the worker side imports this file (the bodies load tfjs).
 */
import { handlerName, type SessionBody, type SessionEventBase } from '../sessions/session'
import { sessionDefinition } from '../sessions/registry'
import type { HostRun, SessionHost, SessionRun } from '../sessions/session-host'

export type SessionBodies = Record<string, SessionBody<never, never, unknown>>

/** A host that runs `bodies[name]` on this thread; `outerShouldStop` is the enclosing session's stop flag. */
export function inThreadHost(
  bodies: SessionBodies,
  outerShouldStop: () => boolean = () => false,
): SessionHost {
  const run = (name: string, input: unknown, opts: Record<string, unknown> = {}): SessionRun<unknown> => {
    const def = sessionDefinition(name)
    const body = bodies[name] as unknown as SessionBody<unknown, SessionEventBase, unknown> | undefined
    if (!body) throw new Error(`engine session "${name}" has no body`)
    const signal = opts.signal as AbortSignal | undefined
    let stop = false
    const cancel = (): void => {
      stop = true
    }
    if (signal?.aborted) cancel()
    else signal?.addEventListener('abort', cancel, { once: true })
    const handlers = opts as Record<string, ((payload: unknown) => void) | undefined>
    const result = (async () => {
      try {
        // Parsed as the worker entry parses a spawned session's request (defaults filled, bad fields named).
        const request = def.parse(input)
        return await body(request, {
          shouldStop: () => stop || outerShouldStop(),
          emit: (event) => {
            const { type, ...payload } = event
            handlers[handlerName(type)]?.(payload)
          },
        })
      } catch (e) {
        throw new Error(`${def.what} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
      } finally {
        signal?.removeEventListener('abort', cancel)
      }
    })()
    return { result, cancel }
  }
  return { run: run as unknown as HostRun }
}
