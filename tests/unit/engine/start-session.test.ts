/**
 * The caller's side of every engine session (src/main/engine/sessions/start-session.ts): request parsing
 * at the call, event routing to `on<Event>` handlers, cancellation through an AbortSignal, the worker's
 * error message, an early exit and a killed thread. The worker here is a small stand-in entry that speaks
 * the session protocol (no tfjs), so these cases run in a second; the real sessions are exercised by the
 * cluster, inference, training and snapshot tests.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { RequestError, startSession } from '../../../src/main/engine/api'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-session-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** The stand-in worker: its behaviour is picked by the first image path of a clustering request. */
const entry = path.join(dir, 'fake-engine-worker.cjs')
fs.writeFileSync(
  entry,
  `
const { parentPort, workerData } = require('node:worker_threads')
const { session, request } = workerData
const mode = session === 'train' ? 'train' : request.images[0].path
let cancelled = false
parentPort.on('message', (m) => { if (m.type === 'cancel') cancelled = true })
const event = (e) => parentPort.postMessage({ type: 'event', event: e })
if (mode === 'events') {
  event({ type: 'progress', phase: 'features', done: 1, total: 2 })
  event({ type: 'problem', file: 'b.png', reason: 'unreadable' })
  const wait = setInterval(() => {
    if (!cancelled) return
    clearInterval(wait)
    parentPort.postMessage({ type: 'result', result: { status: 'cancelled', assignments: [], meta: null, request } })
  }, 5)
} else if (mode === 'error') {
  parentPort.postMessage({ type: 'error', message: 'boom' })
} else if (mode === 'exit') {
  process.exit(3)
} else if (mode === 'train') {
  event({ type: 'started', fromIteration: 4, resumedFrom: 'checkpoints/000004', backend: {} })
  event({ type: 'progress', iteration: 5, steps: 9, loss: 1.5, ceMain: 1.5, lr: 0.1 })
  event({ type: 'progress', iteration: 6, steps: 9, loss: 1.25, ceMain: 1.25, lr: 0.1 })
  setInterval(() => {}, 1000)
}
`,
)

const images = (mode: string) => [{ id: 1, path: mode }]

describe('startSession', () => {
  it('refuses a bad request at the call, naming the field, before any thread starts', () => {
    expect(() => startSession('cluster', { images: [] }, { entry: path.join(dir, 'missing.cjs') })).toThrow(
      RequestError,
    )
    expect(() => startSession('cluster', { images: [] })).toThrow(
      /Invalid clustering request: images: the album has no images/,
    )
  })

  it('routes events to on<Event> handlers without the tag, and an aborted signal cancels', async () => {
    const seen: unknown[] = []
    const controller = new AbortController()
    const job = startSession(
      'cluster',
      { images: images('events'), k: 2 },
      {
        entry,
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(['progress', p])
        },
        onProblem: (p) => {
          seen.push(['problem', p])
          controller.abort()
        },
      },
    )
    const r = (await job.result) as unknown as { status: string; request: { k: number; features: string } }
    expect(r.status).toBe('cancelled')
    // The worker got the parsed request, defaults filled in.
    expect(r.request.k).toBe(2)
    expect(r.request.features).toBe('color')
    expect(seen).toEqual([
      ['progress', { phase: 'features', done: 1, total: 2 }],
      ['problem', { file: 'b.png', reason: 'unreadable' }],
    ])
  }, 30_000)

  it("rejects with the session's name and the worker's message", async () => {
    await expect(startSession('cluster', { images: images('error') }, { entry }).result).rejects.toThrow(
      'clustering failed: boom',
    )
  }, 30_000)

  it('rejects when the thread exits before its result', async () => {
    await expect(startSession('cluster', { images: images('exit') }, { entry }).result).rejects.toThrow(
      'clustering worker exited with code 3 before finishing',
    )
  }, 30_000)

  it('a killed training thread resolves with the last iteration and losses it reported', async () => {
    const config = { runDir: path.join(dir, 'run'), seed: 1, steps: 9 }
    let reached!: () => void
    const atSix = new Promise<void>((resolve) => (reached = resolve))
    const job = startSession(
      'train',
      { config, resume: true },
      { entry, onProgress: (p) => p.iteration === 6 && reached() },
    )
    await atSix
    await job.terminate()
    expect(await job.result).toEqual({
      status: 'killed',
      iteration: 6,
      losses: [
        { iteration: 5, loss: 1.5 },
        { iteration: 6, loss: 1.25 },
      ],
    })
  }, 30_000)
})
