/** POST /api/<method> over real HTTP against a real Studio: results, validation, error mapping, limits. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TempDirs, request, startFixture, type ServerFixture } from './helpers'

const tmp = new TempDirs()
let fx: ServerFixture

beforeEach(async () => {
  fx = await startFixture(tmp, { bodyLimit: 64 * 1024 })
})
afterEach(async () => {
  await fx.close()
  tmp.cleanup()
})

function post(method: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return request(fx.port, {
    method: 'POST',
    path: `/api/${method}`,
    headers: { ...fx.auth, ...headers },
    body,
  })
}

describe('/api', () => {
  it('returns {result} for a valid call', async () => {
    const r = await post('listAlbums', '{}')
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(r.headers['cache-control']).toBe('no-store')
    expect(JSON.parse(r.text)).toEqual({ result: [] })
    // An empty body means "no arguments".
    expect(JSON.parse((await post('listJobs', '')).text).result).toEqual([])
  })

  it('invalid arguments → 400 BAD_ARGUMENTS with the issues', async () => {
    const r = await post('listImages', JSON.stringify({ limit: 5000 }))
    expect(r.status).toBe(400)
    const { error } = JSON.parse(r.text)
    expect(error.code).toBe('BAD_ARGUMENTS')
    expect(error.issues.map((i: { path: string }) => i.path)).toContain('limit')
    const extra = JSON.parse((await post('appInfo', JSON.stringify({ evil: 1 }))).text).error
    expect(extra.code).toBe('BAD_ARGUMENTS')
    expect(extra.issues.length).toBeGreaterThan(0)
    const notObject = await post('appInfo', '[1,2]')
    expect(notObject.status).toBe(400)
  })

  it('unknown method → 400; prototype names are not methods', async () => {
    for (const m of ['nope', '__proto__', 'constructor', 'toString', 'listAlbums%2F..', 'appInfo/extra']) {
      const r = await post(m, '{}')
      expect(r.status, m).toBe(400)
      expect(JSON.parse(r.text).error.code).toBe('BAD_ARGUMENTS')
    }
  })

  it('body that is not JSON → 400', async () => {
    const r = await post('appInfo', '{"a":')
    expect(r.status).toBe(400)
    expect(JSON.parse(r.text).error.message).toMatch(/not valid JSON/)
  })

  it('only POST with application/json', async () => {
    expect((await request(fx.port, { path: '/api/appInfo', headers: fx.auth })).status).toBe(405)
    expect((await post('appInfo', '{}', { 'content-type': 'text/plain' })).status).toBe(415)
    expect(
      (await post('appInfo', 'a=1', { 'content-type': 'application/x-www-form-urlencoded' })).status,
    ).toBe(415)
    expect((await post('appInfo', '{}', { 'content-type': 'application/json; charset=utf-8' })).status).toBe(
      200,
    )
  })

  it('body over the limit → 413, and the server keeps serving', async () => {
    const big = JSON.stringify({ title: 'x'.repeat(70 * 1024) })
    const r = await post('pickDirectory', big)
    expect(r.status).toBe(413)
    expect(JSON.parse(r.text).error.message).toMatch(/larger than 65536 bytes/)
    expect((await post('appInfo', '{}')).status).toBe(200)
  })

  it('lets a saved mask through the body limit, so its own validation answers', async () => {
    // Over the server's 64 KiB test limit, under saveMask's own: the request reaches zod (and the store).
    const mask = JSON.stringify({ imageId: 999, pngBase64: 'A'.repeat(200 * 1024), baseVersion: null })
    const r = await post('saveMask', mask)
    expect(r.status).not.toBe(413)
    expect(JSON.parse(r.text).error.code).toMatch(/NOT_FOUND|NO_PROJECT|BAD_ARGUMENTS/)
  })

  it('maps error codes to HTTP statuses: NOT_FOUND 404, CONFLICT 409, UNSUPPORTED 500', async () => {
    const missing = await post('getImage', JSON.stringify({ imageId: 999 }))
    expect(missing.status).toBe(404)
    expect(JSON.parse(missing.text).error.code).toBe('NOT_FOUND')

    const conflict = await post('createProject', JSON.stringify({ path: fx.projectPath }))
    expect(conflict.status).toBe(409)
    expect(JSON.parse(conflict.text).error.code).toBe('CONFLICT')

    const pick = await post('pickDirectory', '{}')
    expect(pick.status).toBe(500)
    expect(JSON.parse(pick.text).error).toMatchObject({ code: 'UNSUPPORTED' })
  })
})
