import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/project/project'
import type { PageQuery } from '../../../src/main/project/images-repo'
import { fakeImage, TempDirs } from './fixtures'

const N = 10_000
const tmp = new TempDirs()
let p: Project
let album: number
const ids: number[] = []

/** Plan lines of a statement, e.g. "SEARCH i USING INDEX images_album_name (album_id=?)". */
function plan(sql: string, params: Record<string, unknown>): string[] {
  const used = Object.fromEntries(Object.entries(params).filter(([k]) => sql.includes(`@${k}`)))
  return (p.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(used) as { detail: string }[]).map((r) => r.detail)
}

const q = (over: Partial<PageQuery>): PageQuery => ({
  owner: { albumId: album },
  offset: 0,
  limit: 200,
  filter: 'all',
  sort: 'name',
  ...over,
})

beforeAll(() => {
  p = Project.create(path.join(tmp.make(), 'big'))
  album = p.importTarget.createAlbum('big', null)
  const other = p.importTarget.createAlbum('other', null)
  // Names in reverse of insertion order, so "name" and "imported" orders differ.
  p.db.transaction(() => {
    for (let i = 0; i < N; i++)
      ids.push(
        p.importTarget.addImage(
          { albumId: album },
          fakeImage(i, `img_${String(N - 1 - i).padStart(5, '0')}.jpg`),
        ) as number,
      )
    for (let i = 0; i < 50; i++) p.importTarget.addImage({ albumId: other }, fakeImage(N + i))
    // every 3rd image masked (mask_version set directly: the grid only reads the column)
    p.db.prepare('UPDATE images SET mask_version = 1 WHERE album_id = ? AND id % 3 = 0').run(album)
    p.importTarget.addSplit(
      album,
      'val',
      ids.filter((_, i) => i % 10 === 0),
      {},
    )
    p.importTarget.addClustering(album, 'k4', new Map(ids.map((id, i) => [id, i % 4])), {})
  })()
}, 120_000)
afterAll(() => {
  p.close()
  tmp.cleanup()
})

describe('grid page query on 10,000 images', () => {
  // The page's ids come from one covering index (no table reads, no sort of the whole album); only
  // the page's rows are then read by primary key and the page itself (≤ limit rows) is sorted.
  const expectIndexedPlan = (over: Partial<PageQuery>, index: string): void => {
    const { sql, countSql, params } = p.images.pageSql(q(over))
    const text = plan(sql, params).join('\n')
    const label = JSON.stringify(over)
    expect(text, label).toContain(`SEARCH images USING COVERING INDEX ${index} (album_id=?)`)
    expect(text, label).toContain('SEARCH i USING INTEGER PRIMARY KEY (rowid=?)')
    expect(text.match(/TEMP B-TREE/g) ?? [], label).toHaveLength(1)
    expect(text, label).not.toMatch(/\bSCAN images\b/)
    const { limit: _l, offset: _o, ...countParams } = params
    expect(plan(countSql, countParams).join('\n'), label).toMatch(
      /SEARCH images USING COVERING INDEX images_album_\w+ \(album_id=\?\)/,
    )
  }

  it('answers every order and filter from a covering index', () => {
    for (const filter of ['all', 'masked', 'unmasked', 'validation', 'train'] as const) {
      expectIndexedPlan({ filter }, 'images_album_name')
      expectIndexedPlan({ filter, sort: 'imported' }, 'images_album_imported')
      expectIndexedPlan({ filter, sort: 'cluster' }, 'images_album_cluster')
      expectIndexedPlan({ filter, search: 'img_1' }, 'images_album_name')
    }
  })

  it('pages in name order without gaps or repeats', () => {
    const seen: string[] = []
    for (let offset = 0; offset < N; offset += 1000) {
      const page = p.images.page(q({ offset, limit: 1000 }))
      expect(page.total).toBe(N)
      seen.push(...page.items.map((i) => i.name))
    }
    expect(seen).toHaveLength(N)
    expect(seen[0]).toBe('img_00000.jpg')
    expect(seen[N - 1]).toBe('img_09999.jpg')
    expect(new Set(seen).size).toBe(N)
    expect([...seen].sort()).toEqual(seen)
  })

  it('filters and sorts', () => {
    expect(p.images.page(q({ filter: 'masked', limit: 1 })).total).toBe(
      ids.filter((id) => id % 3 === 0).length,
    )
    expect(p.images.page(q({ filter: 'unmasked', limit: 1 })).total).toBe(
      ids.filter((id) => id % 3 !== 0).length,
    )
    const val = p.images.page(q({ filter: 'validation', limit: 5 }))
    expect(val.total).toBe(N / 10)
    expect(val.items.every((i) => i.inValidation)).toBe(true)
    expect(p.images.page(q({ filter: 'train', limit: 1 })).total).toBe(N - N / 10)
    const imported = p.images.page(q({ sort: 'imported', limit: 3 }))
    expect(imported.items.map((i) => i.id)).toEqual(ids.slice(0, 3))
    const byCluster = p.images.page(q({ sort: 'cluster', offset: N / 4 - 1, limit: 2 }))
    expect(byCluster.items.map((i) => i.cluster)).toEqual([0, 1])
    const cluster0 = p.images.page(q({ sort: 'cluster', limit: N / 4 })).items.map((i) => i.name)
    expect([...cluster0].sort()).toEqual(cluster0) // by name within a cluster
    expect(p.images.page(q({ search: 'img_0999', limit: 100 })).total).toBe(10) // 09990..09999
    expect(p.images.page(q({ search: '%', limit: 1 })).total).toBe(0) // wildcards are literal
    expect(p.images.page(q({ search: 'IMG_00001', limit: 5 })).items.map((i) => i.name)).toEqual([
      'img_00001.jpg',
    ])
  })

  it('gives neighbours in name order for the detail view', () => {
    const first = p.images.page(q({ limit: 3 })).items
    const mid = p.images.detail(first[1]!.id, [], () => '')
    expect([mid.prevId, mid.nextId]).toEqual([first[0]!.id, first[2]!.id])
    expect(p.images.detail(first[0]!.id, [], () => '').prevId).toBeNull()
  })
})
