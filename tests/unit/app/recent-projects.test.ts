import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_RECENT, RecentProjects } from '../../../src/main/app/recent-projects'
import { TempDirs } from '../project/fixtures'

const tmp = new TempDirs()
afterEach(() => tmp.cleanup())

describe('RecentProjects', () => {
  it('keeps at most 20, newest first, without repeats', () => {
    const home = path.join(tmp.make(), 'home-not-yet-created')
    const r = new RecentProjects(home)
    expect(r.list()).toEqual([])
    for (let i = 0; i < MAX_RECENT + 5; i++) r.add(`/p/${i}`, `P${i}`)
    r.add('/p/10', 'P10 again')
    const list = r.list()
    expect(list).toHaveLength(MAX_RECENT)
    expect(list[0]).toMatchObject({ path: '/p/10', name: 'P10 again', exists: false })
    expect(list.filter((x) => x.path === '/p/10')).toHaveLength(1)
    expect(list[1]!.path).toBe(`/p/${MAX_RECENT + 4}`)
    expect(fs.readdirSync(home)).toEqual(['recent.json']) // no temp files left
  })

  it('reads a damaged or foreign file as empty and then replaces it', () => {
    const home = tmp.make()
    const file = path.join(home, 'recent.json')
    fs.writeFileSync(file, '{"not": "a list"')
    const r = new RecentProjects(home)
    expect(r.list()).toEqual([])
    fs.writeFileSync(file, JSON.stringify([{ path: 1 }, { path: '/ok', name: 'ok', openedAt: 't' }]))
    expect(r.list().map((x) => x.path)).toEqual(['/ok'])
    r.add('/new', 'new')
    expect(r.list().map((x) => x.path)).toEqual(['/new', '/ok'])
  })

  it('marks exists by the presence of project.sqlite', () => {
    const home = tmp.make()
    const proj = tmp.make()
    const r = new RecentProjects(home)
    r.add(proj, 'p')
    expect(r.list()[0]!.exists).toBe(false)
    fs.writeFileSync(path.join(proj, 'project.sqlite'), '')
    expect(r.list()[0]!.exists).toBe(true)
  })
})
