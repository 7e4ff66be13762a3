/**
 * The renderer's HTTP door against a fake `fetch` and a fake WebSocket — the network boundary — so
 * what is tested is the client's own work: request shape, token handling, error mapping, events.
 */
import { describe, expect, it } from 'vitest'
import { createClient } from '../../src/renderer/src/api-client'
import {
  createHttpTransport,
  takeToken,
  TOKEN_STORAGE_KEY,
  type SocketHandlers,
} from '../../src/renderer/src/api/http-transport'
import { StudioError, toStudioError } from '../../src/renderer/src/api/studio-error'
import type { JobRecord } from '../../src/shared/api'

interface Sent {
  url: string
  headers: Record<string, string>
  body: unknown
}

function fakeFetch(reply: (url: string, body: unknown) => { status: number; body: string } | Error) {
  const sent: Sent[] = []
  const fetch = async (url: string, init: { headers: Record<string, string>; body: string }) => {
    const body: unknown = JSON.parse(init.body)
    sent.push({ url, headers: init.headers, body })
    const r = reply(url, body)
    if (r instanceof Error) throw r
    return { ok: r.status >= 200 && r.status < 300, status: r.status, text: async () => r.body }
  }
  return { fetch, sent }
}

function fakeSockets() {
  const opened: { url: string; h: SocketHandlers; closed: boolean }[] = []
  const factory = (url: string, h: SocketHandlers) => {
    const s = { url, h, closed: false }
    opened.push(s)
    return { close: () => (s.closed = true) }
  }
  return { opened, factory }
}

function client(reply: Parameters<typeof fakeFetch>[0], token: string | null = 'tok-123') {
  const f = fakeFetch(reply)
  const sockets = fakeSockets()
  const timers: (() => void)[] = []
  const transport = createHttpTransport({
    baseUrl: 'http://127.0.0.1:4321',
    token,
    fetch: f.fetch,
    socket: sockets.factory,
    setTimer: (fn) => timers.push(fn),
  })
  return { c: createClient(transport), sent: f.sent, sockets, timers }
}

async function caught(p: Promise<unknown>): Promise<StudioError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(StudioError)
    return err as StudioError
  }
  throw new Error('expected the call to fail')
}

describe('HTTP transport: calls', () => {
  it('POSTs the arguments to /api/<method> with the token header and returns `result`', async () => {
    const { c, sent } = client(() => ({
      status: 200,
      body: JSON.stringify({ result: { total: 1, offset: 0, items: [] } }),
    }))
    const page = await c.api.listImages({ albumId: 3, offset: 200, limit: 200, filter: 'masked' })
    expect(page).toEqual({ total: 1, offset: 0, items: [] })
    expect(sent).toHaveLength(1)
    expect(sent[0]!.url).toBe('http://127.0.0.1:4321/api/listImages')
    expect(sent[0]!.headers['x-pss-token']).toBe('tok-123')
    expect(sent[0]!.headers['content-type']).toBe('application/json')
    expect(sent[0]!.body).toEqual({ albumId: 3, offset: 200, limit: 200, filter: 'masked' })
  })

  it('sends no token header when the page has none (cookie only)', async () => {
    const { c, sent } = client(() => ({ status: 200, body: '{"result":[]}' }), null)
    await c.api.listAlbums({})
    expect(sent[0]!.headers['x-pss-token']).toBeUndefined()
  })

  it('maps an error payload to StudioError with code, message and issues', async () => {
    const { c } = client(() => ({
      status: 400,
      body: JSON.stringify({
        error: {
          code: 'BAD_ARGUMENTS',
          message: 'invalid arguments for importFolder',
          issues: [{ path: 'albumName', message: 'name is empty' }],
        },
      }),
    }))
    const e = await caught(c.api.importFolder({ dir: '/x', albumName: '' }))
    expect(e.code).toBe('BAD_ARGUMENTS')
    expect(e.message).toBe('invalid arguments for importFolder')
    expect(e.issues).toEqual([{ path: 'albumName', message: 'name is empty' }])
    expect(e.detail).toBe('invalid arguments for importFolder — albumName: name is empty')
  })

  it('keeps the server codes for 404 / 409 / 500', async () => {
    for (const [status, code] of [
      [404, 'NOT_FOUND'],
      [409, 'PROJECT_LOCKED'],
      [500, 'IO_ERROR'],
    ] as const) {
      const { c } = client(() => ({
        status,
        body: JSON.stringify({ error: { code, message: `m-${code}` } }),
      }))
      const e = await caught(c.api.openProject({ path: '/p' }))
      expect([e.code, e.message, e.issues]).toEqual([code, `m-${code}`, []])
    }
  })

  it('turns a refused token (plain-text 403) into UNAUTHORIZED with advice', async () => {
    const { c } = client(() => ({ status: 403, body: 'forbidden' }))
    const e = await caught(c.api.appInfo({}))
    expect(e.code).toBe('UNAUTHORIZED')
    expect(e.message).toMatch(/token/)
  })

  it('reports an unreachable server as NETWORK_ERROR', async () => {
    const { c } = client(() => new TypeError('Failed to fetch'))
    const e = await caught(c.api.appInfo({}))
    expect(e.code).toBe('NETWORK_ERROR')
    expect(e.message).toMatch(/Failed to fetch/)
  })

  it('reports replies outside the contract as BAD_RESPONSE, with the status', async () => {
    const { c } = client(() => ({ status: 502, body: '<html>Bad gateway</html>' }))
    const e = await caught(c.api.appInfo({}))
    expect(e.code).toBe('BAD_RESPONSE')
    expect(e.message).toMatch(/502/)
    const { c: c2 } = client(() => ({ status: 200, body: '{"nothing":1}' }))
    expect((await caught(c2.api.appInfo({}))).code).toBe('BAD_RESPONSE')
    const { c: c3 } = client(() => ({ status: 500, body: '{"error":{"code":"WHATEVER","message":"x"}}' }))
    expect((await caught(c3.api.appInfo({}))).code).toBe('BAD_RESPONSE')
  })

  it('names media under /media/', () => {
    const { c } = client(() => ({ status: 200, body: '{}' }))
    expect(c.mediaUrl('thumb/17')).toBe('http://127.0.0.1:4321/media/thumb/17')
    expect(c.kind).toBe('http')
  })
})

describe('HTTP transport: events', () => {
  const job = { id: 7, kind: 'import-folder', title: 'Import', status: 'running' } as unknown as JobRecord

  it('opens one socket at /events on the first subscription and dispatches {event, payload}', () => {
    const { c, sockets } = client(() => ({ status: 200, body: '{}' }))
    const got: JobRecord[] = []
    const libs: unknown[] = []
    const off = c.on('job', (j) => got.push(j))
    c.on('library', (l) => libs.push(l))
    expect(sockets.opened).toHaveLength(1)
    expect(sockets.opened[0]!.url).toBe('ws://127.0.0.1:4321/events')
    const h = sockets.opened[0]!.h
    h.open()
    h.message(JSON.stringify({ event: 'job', payload: job }))
    h.message(JSON.stringify({ event: 'library', payload: { albumId: 1, reason: 'import' } }))
    h.message('not json')
    h.message(JSON.stringify({ payload: 1 }))
    expect(got).toEqual([job])
    expect(libs).toEqual([{ albumId: 1, reason: 'import' }])
    off()
    h.message(JSON.stringify({ event: 'job', payload: job }))
    expect(got).toHaveLength(1)
  })

  it('reconnects after the socket drops and reports the connection state', () => {
    const { c, sockets, timers } = client(() => ({ status: 200, body: '{}' }))
    const states: string[] = []
    c.onConnection((s) => states.push(s))
    const got: JobRecord[] = []
    c.on('job', (j) => got.push(j))
    sockets.opened[0]!.h.open()
    sockets.opened[0]!.h.close()
    expect(states).toEqual(['open', 'reconnecting'])
    expect(timers).toHaveLength(1)
    timers.shift()!()
    expect(sockets.opened).toHaveLength(2)
    sockets.opened[1]!.h.open()
    expect(states.at(-1)).toBe('open')
    sockets.opened[1]!.h.message(JSON.stringify({ event: 'job', payload: job }))
    expect(got).toEqual([job])
    // a late close from the old socket does not start a second reconnect
    sockets.opened[0]!.h.close()
    expect(timers).toHaveLength(0)
  })
})

describe('token handling', () => {
  it('takes ?token= from the URL, stores it, and strips it from the address bar', () => {
    sessionStorage.clear()
    history.replaceState(null, '', '/?token=abc&x=1#/album/2')
    expect(takeToken(window)).toBe('abc')
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('abc')
    expect(location.search).toBe('?x=1')
    expect(location.hash).toBe('#/album/2')
    // after a reload the URL has no token: the stored one is used
    expect(takeToken(window)).toBe('abc')
  })
})

describe('toStudioError (Electron preload rejections)', () => {
  it('accepts the plain payload object the preload rejects with', () => {
    const e = toStudioError({ code: 'NO_PROJECT', message: 'no project is open' })
    expect([e.code, e.message]).toEqual(['NO_PROJECT', 'no project is open'])
  })
  it('unwraps Electron\'s "Error invoking remote method" wrapper', () => {
    const e = toStudioError(
      new Error("Error invoking remote method 'pss:api:openProject': Error: folder is locked"),
    )
    expect([e.code, e.message]).toEqual(['INTERNAL', 'folder is locked'])
  })
})
