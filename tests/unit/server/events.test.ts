/** WebSocket /events: same gate as HTTP, forwards studio events as {event, payload}, closes cleanly. */
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { JobRecord } from '../../../src/shared/api'
import { TempDirs, startFixture, waitForJob, writeJpeg, type ServerFixture } from './helpers'

const tmp = new TempDirs()
let fx: ServerFixture
const sockets: WebSocket[] = []

beforeEach(async () => {
  fx = await startFixture(tmp, { heartbeatMs: 100 })
})
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate()
  await fx.close()
  tmp.cleanup()
})

type Message = { event: string; payload: unknown }

/** Opens a socket; resolves with it once open, or rejects with the HTTP status of the refusal. */
function connect(
  headers: Record<string, string>,
  opts: { origin?: string; path?: string } = {},
): Promise<{ ws: WebSocket; messages: Message[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${fx.port}${opts.path ?? '/events'}`, {
      headers,
      origin: opts.origin,
    })
    sockets.push(ws)
    const messages: Message[] = []
    ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Message))
    ws.once('open', () => resolve({ ws, messages }))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('/events', () => {
  it('refuses upgrades without the token, with a foreign Origin or Host, or on another path', async () => {
    await expect(connect({})).rejects.toThrow('HTTP 401')
    await expect(connect({ 'x-pss-token': 'nope' })).rejects.toThrow('HTTP 401')
    await expect(connect({ 'x-pss-token': fx.token }, { origin: 'http://evil.example' })).rejects.toThrow(
      'HTTP 403',
    )
    await expect(connect({ 'x-pss-token': fx.token, host: `evil.example:${fx.port}` })).rejects.toThrow(
      'HTTP 403',
    )
    await expect(connect({ 'x-pss-token': fx.token }, { path: '/other' })).rejects.toThrow('HTTP 404')
  })

  it('accepts the page: cookie and same Origin, as a browser sends them', async () => {
    const { ws } = await connect(
      { cookie: `pss_token_${fx.port}=${fx.token}` },
      { origin: `http://127.0.0.1:${fx.port}` },
    )
    expect(ws.readyState).toBe(WebSocket.OPEN)
  })

  it('forwards a project event after an API call', async () => {
    const { messages } = await connect({ 'x-pss-token': fx.token })
    await fx.studio.api.closeProject({})
    await fx.studio.api.openProject({ path: fx.projectPath })
    await until(() => messages.filter((m) => m.event === 'project').length >= 2, 'two project events')
    const project = messages.filter((m) => m.event === 'project')
    expect(project[0]!.payload).toBeNull()
    expect(project[1]!.payload).toMatchObject({ path: fx.projectPath, name: 'Doors test' })
  })

  it('forwards job and library events of an import started over HTTP, to every page', async () => {
    const a = await connect({ 'x-pss-token': fx.token })
    const b = await connect({ 'x-pss-token': fx.token })
    const photos = tmp.make('pss-photos-')
    await writeJpeg(path.join(photos, 'one.jpg'))
    await writeJpeg(path.join(photos, 'two.jpg'), 64, 64, 2)
    const res = await fetch(`http://127.0.0.1:${fx.port}/api/importFolder`, {
      method: 'POST',
      headers: fx.auth,
      body: JSON.stringify({ dir: photos, albumName: 'Events' }),
    })
    const { result } = (await res.json()) as { result: { jobId: number } }
    await waitForJob(fx.studio, result.jobId)
    for (const { messages } of [a, b]) {
      await until(
        () => messages.some((m) => m.event === 'job' && (m.payload as JobRecord).status === 'done'),
        'job done event',
      )
      const jobs = messages.filter((m) => m.event === 'job').map((m) => m.payload as JobRecord)
      expect(jobs.every((j) => j.id === result.jobId)).toBe(true)
      expect(messages.some((m) => m.event === 'library')).toBe(true)
    }
  })

  it('answers pings (heartbeat) and stays open while the client responds', async () => {
    const { ws } = await connect({ 'x-pss-token': fx.token })
    let pings = 0
    ws.on('ping', () => pings++)
    await until(() => pings >= 3, 'three heartbeats')
    expect(ws.readyState).toBe(WebSocket.OPEN)
  })

  it('drops a page that stops answering pings', async () => {
    const silent = new WebSocket(`ws://127.0.0.1:${fx.port}/events`, {
      headers: { 'x-pss-token': fx.token },
      autoPong: false,
    })
    sockets.push(silent)
    await new Promise((resolve) => silent.once('open', resolve))
    const closed = new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)))
    // Terminated without a close frame: 1006 on the client side.
    expect(await closed).toBe(1006)
  })

  it('close() says goodbye (1001) to connected pages and stops accepting', async () => {
    const { ws } = await connect({ 'x-pss-token': fx.token })
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    await fx.server.close()
    expect(await closed).toBe(1001)
    await expect(connect({ 'x-pss-token': fx.token })).rejects.toThrow(/ECONNREFUSED/)
  })
})
