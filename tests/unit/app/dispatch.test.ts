import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { ApiError } from '../../../src/main/app/api-error'
import { ErrorCode } from '../../../src/shared/api'
import { TempDirs } from '../project/fixtures'

const tmp = new TempDirs()
const studios: Studio[] = []
afterEach(async () => {
  for (const s of studios.splice(0)) await s.close()
  tmp.cleanup()
})
const studio = (): Studio => {
  const s = new Studio({ mode: 'cli', homeDir: tmp.make('pss-home-') })
  studios.push(s)
  return s
}

async function caught(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError)
    return e as ApiError
  }
  throw new Error('expected the call to fail')
}

describe('Studio.dispatch', () => {
  it('refuses an unknown method, including prototype names', async () => {
    const s = studio()
    for (const m of ['noSuchMethod', '__proto__', 'constructor', 'toString']) {
      const e = await caught(s.dispatch(m, {}))
      expect(e.payload).toEqual({ code: ErrorCode.BadArguments, message: `unknown method ${m}` })
    }
  })

  it('names the bad field in the issues', async () => {
    const s = studio()
    const e = await caught(s.dispatch('listImages', { albumId: 1, limit: 5000 }))
    expect(e.payload.code).toBe(ErrorCode.BadArguments)
    expect(e.payload.issues).toEqual([{ path: 'limit', message: expect.stringMatching(/1000/) }])
    expect(e.message).toMatch(/^invalid arguments for listImages: limit: /)
  })

  it('refuses unknown keys, wrong types, and missing required fields', async () => {
    const s = studio()
    const extra = await caught(s.dispatch('listAlbums', { evil: true }))
    expect(extra.payload.issues?.[0]?.message).toMatch(/evil/)
    const wrong = await caught(s.dispatch('getImage', { imageId: '1' }))
    expect(wrong.payload.issues).toEqual([{ path: 'imageId', message: expect.any(String) }])
    const missing = await caught(s.dispatch('openProject', {}))
    expect(missing.payload.issues?.map((i) => i.path)).toEqual(['path'])
    const notObject = await caught(s.dispatch('appInfo', 'hello'))
    expect(notObject.payload.issues?.[0]?.path).toBe('(arguments)')
    const nul = await caught(s.dispatch('openProject', { path: 'a\0b' }))
    expect(nul.payload.issues).toEqual([{ path: 'path', message: 'path contains a NUL byte' }])
    const both = await caught(s.dispatch('listImages', { albumId: 1, sourceId: 2 }))
    expect(both.payload.issues?.[0]?.message).toBe('give exactly one of albumId or sourceId')
  })

  it('the typed api validates the same way', async () => {
    const s = studio()
    const e = await caught(s.api.setImageTags({ imageId: 1, tags: [0] }))
    expect(e.payload.issues?.[0]?.path).toBe('tags.0')
  })

  it('treats missing arguments as {} and answers NO_PROJECT for project methods', async () => {
    const s = studio()
    const info = (await s.dispatch('appInfo', undefined)) as {
      project: unknown
      mode: string
      capabilities: unknown
    }
    expect(info).toMatchObject({
      name: 'PSS Studio',
      mode: 'cli',
      project: null,
      capabilities: { pickDirectory: false },
    })
    expect((info as unknown as { version: string }).version).toMatch(/^\d+\.\d+\.\d+/)
    for (const [m, args] of [
      ['listAlbums', {}],
      ['listJobs', {}],
      ['getImage', { imageId: 1 }],
      ['importFolder', { dir: '/x', albumName: 'a' }],
    ] as const) {
      const e = await caught(s.dispatch(m, args))
      expect(e.payload.code).toBe(ErrorCode.NoProject)
    }
  })

  it('maps a missing row to NOT_FOUND naming it', async () => {
    const s = studio()
    await s.api.createProject({ path: path.join(tmp.make(), 'p') })
    expect((await caught(s.api.getImage({ imageId: 42 }))).payload).toEqual({
      code: ErrorCode.NotFound,
      message: 'image 42 does not exist',
    })
    expect((await caught(s.api.getJob({ jobId: 7 }))).payload).toEqual({
      code: ErrorCode.NotFound,
      message: 'job 7 does not exist',
    })
    expect((await caught(s.api.renameAlbum({ albumId: 3, name: 'x' }))).payload.code).toBe(ErrorCode.NotFound)
    expect((await caught(s.api.listImages({ sourceId: 3 }))).payload.message).toBe(
      'source dataset 3 does not exist',
    )
  })

  it('pickDirectory is UNSUPPORTED without a picker and uses the given one otherwise', async () => {
    const s = studio()
    expect((await caught(s.api.pickDirectory({}))).payload.code).toBe(ErrorCode.Unsupported)
    const withPicker = new Studio({
      mode: 'electron',
      homeDir: tmp.make(),
      pickDirectory: async (t) => `/picked/${t}`,
    })
    studios.push(withPicker)
    expect(await withPicker.api.pickDirectory({ title: 'x' })).toEqual({ path: '/picked/x' })
    expect((await withPicker.api.appInfo({})).capabilities.pickDirectory).toBe(true)
  })
})
