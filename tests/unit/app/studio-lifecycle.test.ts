import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { ApiError } from '../../../src/main/app/api-error'
import { ErrorCode, type ProjectInfo } from '../../../src/shared/api'
import { TempDirs } from '../project/fixtures'

const tmp = new TempDirs()
const studios: Studio[] = []
afterEach(async () => {
  for (const s of studios.splice(0)) await s.close()
  tmp.cleanup()
})
const studio = (home?: string): Studio => {
  const s = new Studio({ mode: 'cli', homeDir: home ?? tmp.make('pss-home-') })
  studios.push(s)
  return s
}
async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    return (e as ApiError).payload.code
  }
  return 'ok'
}

describe('Studio project lifecycle', () => {
  it('create → open in a second studio is PROJECT_LOCKED → released on close', async () => {
    const root = path.join(tmp.make(), 'shared')
    const a = studio()
    const b = studio()
    const events: (ProjectInfo | null)[] = []
    a.on('project', (p) => events.push(p))
    const info = await a.api.createProject({ path: root, name: 'Shared' })
    expect(info).toMatchObject({ path: root, name: 'Shared', demo: false })
    let err: ApiError | null = null
    try {
      await b.api.openProject({ path: root })
    } catch (e) {
      err = e as ApiError
    }
    expect(err?.payload.code).toBe(ErrorCode.Locked)
    expect(err?.message).toMatch(/already open in this PSS Studio/)
    expect(await a.api.closeProject({})).toEqual({ closed: true })
    expect(await a.api.closeProject({})).toEqual({ closed: false })
    expect(events).toEqual([info, null])
    expect((await b.api.openProject({ path: root })).name).toBe('Shared')
    expect((await b.api.appInfo({})).project?.path).toBe(root)
  })

  it('opening the open project again is a no-op; switching closes the old one', async () => {
    const s = studio()
    const p1 = path.join(tmp.make(), 'one')
    const p2 = path.join(tmp.make(), 'two')
    await s.api.createProject({ path: p1 })
    await s.api.closeProject({})
    await s.api.createProject({ path: p2 })
    expect((await s.api.openProject({ path: p2 })).path).toBe(p2)
    await s.api.openProject({ path: p1 })
    expect(fs.existsSync(path.join(p2, '.lock'))).toBe(false)
    expect(fs.existsSync(path.join(p1, '.lock'))).toBe(true)
  })

  it('a failed open keeps the current project open', async () => {
    const s = studio()
    const p1 = path.join(tmp.make(), 'one')
    await s.api.createProject({ path: p1 })
    expect(await code(s.api.openProject({ path: tmp.make() }))).toBe(ErrorCode.BadArguments)
    expect((await s.api.appInfo({})).project?.path).toBe(p1)
  })

  it('createProject refuses a non-empty folder with CONFLICT', async () => {
    const dir = tmp.make()
    fs.writeFileSync(path.join(dir, 'x.txt'), '')
    expect(await code(studio().api.createProject({ path: dir }))).toBe(ErrorCode.Conflict)
  })

  it('keeps recent projects newest first with exists computed', async () => {
    const home = tmp.make()
    const s = studio(home)
    const p1 = path.join(tmp.make(), 'one')
    const p2 = path.join(tmp.make(), 'two')
    await s.api.createProject({ path: p1, name: 'One' })
    await s.api.createProject({ path: p2, name: 'Two' })
    await s.api.openProject({ path: p1 })
    await s.close()
    fs.rmSync(p2, { recursive: true })
    const recent = await studio(home).api.recentProjects({})
    expect(recent.map((r) => [r.name, r.exists])).toEqual([
      ['One', true],
      ['Two', false],
    ])
    expect(JSON.parse(fs.readFileSync(path.join(home, 'recent.json'), 'utf8'))).toHaveLength(2)
  })

  it('renames and deletes albums with library events', async () => {
    const s = studio()
    await s.api.createProject({ path: path.join(tmp.make(), 'p') })
    const id = s.currentProject().importTarget.createAlbum('a', null)
    const reasons: string[] = []
    s.on('library', (e) => reasons.push(e.reason))
    expect((await s.api.renameAlbum({ albumId: id, name: '  b  ' })).name).toBe('b')
    expect(await s.api.deleteAlbum({ albumId: id })).toEqual({ deleted: true })
    expect(await s.api.listAlbums({})).toEqual([])
    expect(reasons).toEqual(['album renamed', 'album deleted'])
  })
})
