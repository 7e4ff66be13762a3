/** The server's gate: loopback bind, session token (header and cookie flow), Host and Origin checks. */
import os from 'node:os'
import net from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RemoteBindRefusedError, startServer } from '../../../src/main/server'
import { TempDirs, request, startFixture, type ServerFixture } from './helpers'

const tmp = new TempDirs()
let fx: ServerFixture

beforeEach(async () => {
  fx = await startFixture(tmp)
})
afterEach(async () => {
  await fx.close()
  tmp.cleanup()
})

const call = (headers: Record<string, string>, method = 'appInfo', body = '{}') =>
  request(fx.port, {
    method: 'POST',
    path: `/api/${method}`,
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })

describe('bind', () => {
  it('listens on 127.0.0.1 only and prints a URL carrying a fresh random token', async () => {
    expect(fx.server.host).toBe('127.0.0.1')
    expect(fx.server.url).toBe(`http://127.0.0.1:${fx.port}/?token=${fx.token}`)
    expect(fx.token).toMatch(/^[A-Za-z0-9_-]{32}$/)
    const other = await startServer({ studio: fx.studio, rendererDir: fx.rendererDir })
    try {
      expect(other.token).not.toBe(fx.token)
      expect(other.port).not.toBe(fx.port)
    } finally {
      await other.close()
    }
  })

  it('is not reachable on a non-loopback address of this machine', async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)
    if (!external) {
      console.warn(
        'no non-loopback IPv4 interface on this machine: the reachability half of this test is not run',
      )
      return
    }
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const s = net.connect({ host: external.address, port: fx.port })
      s.once('connect', () => {
        s.destroy()
        resolve(null)
      })
      s.once('error', (e) => resolve(e))
    })
    expect(err?.code).toBe('ECONNREFUSED')
  })

  it('a port in use is reported as the listen error', async () => {
    await expect(
      startServer({ studio: fx.studio, rendererDir: fx.rendererDir, port: fx.port }),
    ).rejects.toMatchObject({
      code: 'EADDRINUSE',
    })
  })

  it('refuses a non-loopback bind unless explicitly allowed', async () => {
    await expect(
      startServer({ studio: fx.studio, rendererDir: fx.rendererDir, host: '0.0.0.0' }),
    ).rejects.toBeInstanceOf(RemoteBindRefusedError)
    await expect(
      startServer({ studio: fx.studio, rendererDir: fx.rendererDir, host: '0.0.0.0' }),
    ).rejects.toThrow(/--allow-remote/)
    const local = await startServer({ studio: fx.studio, rendererDir: fx.rendererDir, host: 'localhost' })
    try {
      expect(local.host).toBe('127.0.0.1')
    } finally {
      await local.close()
    }
  })
})

describe('session token', () => {
  it('401 without a token or with a wrong one, 200 with the header', async () => {
    expect((await call({})).status).toBe(401)
    expect((await call({ 'x-pss-token': 'x'.repeat(32) })).status).toBe(401)
    expect((await call({ 'x-pss-token': fx.token.slice(0, -1) })).status).toBe(401)
    expect((await call({ cookie: `pss_token_${fx.port}=wrong` })).status).toBe(401)
    const ok = await call({ 'x-pss-token': fx.token })
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.text).result).toMatchObject({ mode: 'browser', project: { name: 'Doors test' } })
  })

  it('the page needs the token too; /?token= sets an HttpOnly SameSite=Strict cookie that then authenticates', async () => {
    expect((await request(fx.port, { path: '/' })).status).toBe(401)
    expect((await request(fx.port, { path: '/?token=nope' })).status).toBe(401)
    expect((await request(fx.port, { path: '/assets/app-1.js' })).status).toBe(401)

    const page = await request(fx.port, { path: `/?token=${fx.token}` })
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.text).toContain('<div id="app">')
    const setCookie = page.headers['set-cookie']?.[0] ?? ''
    expect(setCookie).toMatch(new RegExp(`^pss_token_${fx.port}=${fx.token};`))
    expect(setCookie).toMatch(/; HttpOnly/)
    expect(setCookie).toMatch(/; SameSite=Strict/)
    expect(setCookie).toMatch(/; Path=\//)

    const cookie = setCookie.split(';')[0]!
    expect((await call({ cookie })).status).toBe(200)
    expect((await request(fx.port, { path: '/', headers: { cookie } })).status).toBe(200)
    const asset = await request(fx.port, { path: '/assets/app-1.js', headers: { cookie } })
    expect(asset.status).toBe(200)
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8')
    // A cookie for another studio's port does not open this one.
    expect((await call({ cookie: `pss_token_${fx.port + 1}=${fx.token}` })).status).toBe(401)
  })

  it('a token in the query authenticates the page only, not the API', async () => {
    const r = await request(fx.port, {
      method: 'POST',
      path: `/api/appInfo?token=${fx.token}`,
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(r.status).toBe(401)
  })

  it('serves the page with a strict CSP and hardening headers', async () => {
    const page = await request(fx.port, { path: `/?token=${fx.token}` })
    const csp = String(page.headers['content-security-policy'])
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self';")
    expect(csp).not.toMatch(/script-src[^;]*unsafe/)
    expect(csp).toContain("img-src 'self' blob: data:")
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${fx.port} ws://localhost:${fx.port}`)
    expect(csp).toContain("style-src 'self' 'unsafe-inline'")
    expect(csp).toContain("object-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    expect(page.headers['cache-control']).toBe('no-cache')
  })
})

describe('Host and Origin', () => {
  it('403 for a Host that is not 127.0.0.1/localhost on our port (DNS rebinding)', async () => {
    for (const host of [
      'evil.example:' + fx.port,
      `127.0.0.1:${fx.port + 1}`,
      'localhost',
      `127.0.0.1.nip.io:${fx.port}`,
    ]) {
      const r = await call({ 'x-pss-token': fx.token, host })
      expect(r.status, host).toBe(403)
    }
    expect((await call({ 'x-pss-token': fx.token, host: `localhost:${fx.port}` })).status).toBe(200)
    expect((await call({ 'x-pss-token': fx.token, host: `LOCALHOST:${fx.port}` })).status).toBe(200)
  })

  it('403 for a foreign Origin even with the token; our own origin passes', async () => {
    for (const origin of [
      'http://evil.example',
      'null',
      `http://localhost:${fx.port + 1}`,
      `https://127.0.0.1:${fx.port}`,
    ]) {
      const r = await call({ 'x-pss-token': fx.token, origin })
      expect(r.status, origin).toBe(403)
    }
    expect((await call({ 'x-pss-token': fx.token, origin: `http://127.0.0.1:${fx.port}` })).status).toBe(200)
    // The page loaded from localhost talks to localhost.
    expect(
      (
        await call({
          'x-pss-token': fx.token,
          origin: `http://localhost:${fx.port}`,
          host: `localhost:${fx.port}`,
        })
      ).status,
    ).toBe(200)
    expect((await call({ 'x-pss-token': fx.token, origin: `http://localhost:${fx.port}` })).status).toBe(403)
  })

  it('the page itself is refused to a wrong Host even with the token', async () => {
    const r = await request(fx.port, {
      path: `/?token=${fx.token}`,
      headers: { host: `attacker.example:${fx.port}` },
    })
    expect(r.status).toBe(403)
    expect(r.headers['set-cookie']).toBeUndefined()
  })
})

describe('static files', () => {
  it('no directory listing, no dotfiles, no traversal out of the renderer folder', async () => {
    const cookie = `pss_token_${fx.port}=${fx.token}`
    for (const p of [
      '/assets',
      '/assets/',
      '/.env',
      '/assets/../.env',
      '/%2e%2e/package.json',
      '/assets/%2e%2e/index.html',
      '/assets%2fapp-1.js',
      '/nope.js',
      '/assets/app-1.js%00.css',
    ]) {
      const r = await request(fx.port, { path: p, headers: { cookie } })
      expect(r.status, p).toBe(404)
      expect(r.text).not.toContain('SECRET')
    }
    expect(
      (await request(fx.port, { path: '/assets/style-1.css', headers: { cookie } })).headers['content-type'],
    ).toBe('text/css; charset=utf-8')
    expect((await request(fx.port, { method: 'POST', path: '/', headers: { cookie } })).status).toBe(405)
  })
})
