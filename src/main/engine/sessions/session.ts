/**
 * What an engine worker session is, as data: its name (the registry key), its request parser (run on both
 * sides of the worker boundary), its events and its result. Declaring one loads no tfjs: the bodies live
 * in ../worker/session-bodies.ts, which only the worker entry imports. start-session.ts is the caller's
 * side, ../worker/engine-worker.ts the worker's.
 */

/** Every event of a session is a tagged object: `{ type: 'progress', …payload }`. */
export interface SessionEventBase {
  type: string
}

/** What the body of a session gets from the worker. */
export interface SessionContext<Ev extends SessionEventBase> {
  /** True once the caller cancelled: stop at the next safe point and return a 'cancelled' result. */
  shouldStop: () => boolean
  /** Sends one event to the caller; `transfer` moves those buffers instead of copying them. */
  emit: (event: Ev, transfer?: ArrayBuffer[]) => void
}

/** Folds a session's events so that a killed thread (`terminate()`) still gives a result. */
export interface KilledTracker<Ev, Res> {
  see(event: Ev): void
  result(): Res
}

export interface SessionDefinition<In, Req, Ev extends SessionEventBase, Res> {
  /** Names the session in error messages ("clustering failed: …"). */
  what: string
  /** Validates (and fills defaults of) a request; throws a RequestError naming every bad field. */
  parse: (raw: In) => Req
  /** Sessions that keep a result when their thread is killed (training, adaptation). */
  killed?: () => KilledTracker<Ev, Res>
  /** Type-level only (never set): the session's events and result, read by the registry's type helpers. */
  readonly types?: { event: Ev; result: Res }
}

/** The body of a session, run in the worker only (../worker/session-bodies.ts). */
export type SessionBody<Req, Ev extends SessionEventBase, Res> = (
  request: Req,
  ctx: SessionContext<Ev>,
) => Promise<Res>

/** Identity, for inference: `defineSession<In, Req, Ev, Res>({ … })` checks a definition's parts agree. */
export function defineSession<In, Req, Ev extends SessionEventBase, Res>(
  d: SessionDefinition<In, Req, Ev, Res>,
): SessionDefinition<In, Req, Ev, Res> {
  return d
}

/** The worker's `workerData`: which session, and its (already parsed, re-parsed there) request. */
export interface SessionWorkerData {
  session: string
  request: unknown
}

/** Caller → worker. */
export type ToSessionWorker = { type: 'cancel' }

/** Worker → caller. */
export type FromSessionWorker =
  | { type: 'event'; event: SessionEventBase }
  | { type: 'result'; result: unknown }
  | { type: 'error'; message: string; stack?: string }

/** One handler per event type: `{ onProgress?: (p) => void, onProblem?: … }`, the tag left out. */
export type SessionHandlers<Ev extends SessionEventBase> = {
  [T in Ev['type'] as `on${Capitalize<T>}`]?: (payload: Omit<Extract<Ev, { type: T }>, 'type'>) => void
}

/** The handler name of an event type ('progress' → 'onProgress'). */
export function handlerName(type: string): string {
  return `on${type.charAt(0).toUpperCase()}${type.slice(1)}`
}
