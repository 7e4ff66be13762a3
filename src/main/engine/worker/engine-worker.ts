/**
 * The engine's worker-thread entry (built to out/main/engine-worker.js; see spawn-engine-worker.ts). It is
 * started with `{ session, request }` as workerData, looks the session up in the registry, parses the
 * request again (the thread trusts nothing it is sent), runs its body (session-bodies.ts, tfjs) and
 * posts its events, then its result or its error. A 'cancel' message makes `shouldStop()` true; the
 * bodies check it between steps, batches or images (they yield to the event loop, which is when the
 * message is delivered).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { sessionDefinition } from '../sessions/registry'
import type { FromSessionWorker, SessionBody, SessionEventBase, SessionWorkerData } from '../sessions/session'
import { SESSION_BODIES } from './session-bodies'

const port = parentPort
if (!port) throw new Error('engine-worker must be started as a worker thread')

let stopRequested = false
port.on('message', (m: unknown) => {
  if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'cancel') stopRequested = true
})

function send(m: FromSessionWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(m, transfer)
}

async function main(): Promise<void> {
  const data = workerData as SessionWorkerData
  const def = sessionDefinition(data?.session)
  const body = SESSION_BODIES[data.session as keyof typeof SESSION_BODIES] as SessionBody<
    unknown,
    SessionEventBase,
    unknown
  >
  const result = await body(def.parse(data.request), {
    shouldStop: () => stopRequested,
    emit: (event, transfer) => send({ type: 'event', event }, transfer),
  })
  send({ type: 'result', result })
}

main().catch((e: unknown) => {
  send({
    type: 'error',
    message: e instanceof Error ? e.message : String(e),
    stack: e instanceof Error ? e.stack : undefined,
  })
})
