/**
 * One session of the engine worker thread, as the start-*-worker functions need it: spawn the worker,
 * route its messages, turn its 'error' message, a thread error or an early exit into a rejection, and end
 * the thread once the final message arrived (its message port would keep it alive). Imports no tfjs.
 */
import type { ToWorker } from './messages'
import { spawnEngineWorker } from './spawn-engine-worker'

/** Every worker protocol ends a failed session with this message. */
interface ErrorMessage {
  type: 'error'
  message: string
}

export interface EngineJobOptions<M extends { type: string }, R> {
  /** workerData of the session (the worker's entry branches on it). */
  data: unknown
  /** Overrides the worker entry file (tests). */
  entry?: string
  /** Names the session in error messages ("training failed: …"). */
  what: string
  /**
   * Handles one message (never the 'error' one) and returns the session's result when the message is the
   * final one, undefined otherwise.
   */
  handle: (m: Exclude<M, ErrorMessage>) => R | undefined
  /** The result after `terminate()` (a simulated crash); without it a terminated session rejects. */
  killedResult?: () => R
}

export interface EngineJob<R> {
  readonly result: Promise<R>
  /** Asks the worker to stop at its next safe point; the final message then says 'cancelled'. */
  cancel(): void
  /** Kills the thread now, as a crash would. */
  terminate(): Promise<void>
}

export function runEngineJob<M extends { type: string }, R>(opts: EngineJobOptions<M, R>): EngineJob<R> {
  const worker = spawnEngineWorker(opts.data, opts.entry)
  let killed = false
  let settled = false
  const result = new Promise<R>((resolve, reject) => {
    const finish = (f: () => void): void => {
      if (settled) return
      settled = true
      f()
      void worker.terminate()
    }
    worker.on('message', (m: M | ErrorMessage) => {
      if (settled) return
      if (m.type === 'error') {
        finish(() => reject(new Error(`${opts.what} failed: ${(m as ErrorMessage).message}`)))
        return
      }
      try {
        const r = opts.handle(m as Exclude<M, ErrorMessage>)
        if (r !== undefined) finish(() => resolve(r))
      } catch (e) {
        finish(() => reject(e instanceof Error ? e : new Error(String(e))))
      }
    })
    worker.on('error', (e) => finish(() => reject(e)))
    worker.on('exit', (code) => {
      if (killed && opts.killedResult) {
        const r = opts.killedResult()
        finish(() => resolve(r))
      } else finish(() => reject(new Error(`${opts.what} worker exited with code ${code} before finishing`)))
    })
  })
  return {
    result,
    cancel() {
      if (!settled) worker.postMessage({ type: 'cancel' } satisfies ToWorker)
    },
    async terminate() {
      killed = true
      await worker.terminate()
    },
  }
}

/** For the `default:` of a message switch: a message type the protocol does not have. */
export function unexpectedMessage(m: never): never {
  throw new Error(`unexpected worker message ${JSON.stringify(m)}`)
}
