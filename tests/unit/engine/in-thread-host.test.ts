/**
 * The engine worker's in-thread session host (src/main/engine/worker/in-thread-host.ts), with stand-in
 * bodies (no tfjs, no thread): the request is parsed as a spawned session's is, events reach the
 * on<Event> handlers without their tag, a cancel (its own signal, or the enclosing session's stop flag)
 * reaches the body's shouldStop(), and a failure reads as a spawned session's ("clustering failed: …").
 */
import { describe, expect, it } from 'vitest'
import type { SessionContext } from '../../../src/main/engine/sessions/session'
import { inThreadHost, type SessionBodies } from '../../../src/main/engine/worker/in-thread-host'

const request = { images: [{ id: 1, path: 'a.png' }], k: 2 }

/** A stand-in clustering body: emits, then waits for a stop (or fails when the first image says so). */
function bodies(): SessionBodies {
  const cluster = async (
    req: { images: { path: string }[]; k: number },
    ctx: SessionContext<{ type: string; [k: string]: unknown }>,
  ) => {
    if (req.images[0]!.path === 'fail.png') throw new Error('boom')
    ctx.emit({ type: 'progress', phase: 'features', done: 1, total: 2 })
    ctx.emit({ type: 'problem', file: 'b.png', reason: 'unreadable' })
    while (!ctx.shouldStop()) await new Promise((r) => setTimeout(r, 2))
    return { status: 'cancelled', k: req.k }
  }
  return { cluster } as unknown as SessionBodies
}

describe('inThreadHost', () => {
  it('parses the request, routes events without the tag and stops on its signal', async () => {
    const seen: unknown[] = []
    const controller = new AbortController()
    const host = inThreadHost(bodies())
    const job = host.run('cluster', request, {
      signal: controller.signal,
      onProgress: (p) => seen.push(['progress', p]),
      onProblem: (p) => {
        seen.push(['problem', p])
        controller.abort()
      },
    })
    const result = (await job.result) as unknown as { status: string; k: number }
    expect(result).toEqual({ status: 'cancelled', k: 2 })
    expect(seen).toEqual([
      ['progress', { phase: 'features', done: 1, total: 2 }],
      ['problem', { file: 'b.png', reason: 'unreadable' }],
    ])
  })

  it('stops when the enclosing session is stopped, and cancel() stops it too', async () => {
    let outer = false
    const host = inThreadHost(bodies(), () => outer)
    const a = host.run('cluster', request, {})
    setTimeout(() => (outer = true), 5)
    await expect(a.result).resolves.toMatchObject({ status: 'cancelled' })
    const b = inThreadHost(bodies()).run('cluster', request, {})
    b.cancel()
    await expect(b.result).resolves.toMatchObject({ status: 'cancelled' })
  })

  it('a bad request or a failing body rejects with the session name', async () => {
    const host = inThreadHost(bodies())
    await expect(host.run('cluster', { images: [] }, {}).result).rejects.toThrow(
      /clustering failed: Invalid clustering request: images: the album has no images/,
    )
    await expect(
      host.run('cluster', { images: [{ id: 1, path: 'fail.png' }], k: 2 }, {}).result,
    ).rejects.toThrow(/^clustering failed: boom$/)
  })
})
