/**
 * Every engine worker session, by name. The caller's side (start-session.ts) parses a request with its
 * definition before spawning; the worker's side (../worker/engine-worker.ts) looks the same name up,
 * parses again and runs its body (../worker/session-bodies.ts, which must have one per name here).
 * Declaring them loads no tfjs.
 */
import { adaptSession } from './adapt'
import { clusterSession } from './cluster'
import { cosegSession } from './coseg'
import { embedSession } from './embed'
import { inferSession } from './infer'
import { probeSession } from './probe'
import { runSession } from './run'
import { pthInferSession } from './pth-infer'
import { segsortSession } from './segsort'
import type { SessionDefinition, SessionEventBase } from './session'
import { snapshotsSession } from './snapshots'
import { trainSession } from './train'

export const SESSIONS = {
  train: trainSession,
  adapt: adaptSession,
  infer: inferSession,
  'pth-infer': pthInferSession,
  cluster: clusterSession,
  embed: embedSession,
  snapshots: snapshotsSession,
  coseg: cosegSession,
  segsort: segsortSession,
  probe: probeSession,
  run: runSession,
} as const

export type SessionName = keyof typeof SESSIONS
type Def<N extends SessionName> = (typeof SESSIONS)[N]
export type SessionInput<N extends SessionName> = Parameters<Def<N>['parse']>[0]
export type SessionRequest<N extends SessionName> = ReturnType<Def<N>['parse']>
export type SessionEvent<N extends SessionName> = NonNullable<Def<N>['types']>['event']
export type SessionResult<N extends SessionName> = NonNullable<Def<N>['types']>['result']

export function isSessionName(name: unknown): name is SessionName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(SESSIONS, name)
}

/** The definition of a session, loosely typed (the worker entry's view of it). */
export function sessionDefinition(
  name: unknown,
): SessionDefinition<unknown, unknown, SessionEventBase, unknown> {
  if (!isSessionName(name)) {
    throw new Error(
      `unknown engine session ${JSON.stringify(name)} (known: ${Object.keys(SESSIONS).join(', ')})`,
    )
  }
  return SESSIONS[name] as unknown as SessionDefinition<unknown, unknown, SessionEventBase, unknown>
}
