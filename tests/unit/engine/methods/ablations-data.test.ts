/**
 * The target sets of the paper's ablations (ablations-data.ts): MixAll pools every user's images (names
 * kept apart, groups never merged), MixSample is a seeded, per-user stratified sample of one album's size
 * drawn from every user, and the K sweep clusters an album into K groups with K clamped to its size.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  clampK,
  clusterItems,
  mixSample,
  mixSampleSize,
  poolTargets,
  stratumShares,
  type UserTargets,
} from '../../../../src/main/engine/pipelines/ablations-data'

function album(user: string, n: number, groups: number): UserTargets {
  return {
    user,
    items: Array.from({ length: n }, (_, i) => ({
      image: `/x/${user}/${i}.jpg`,
      name: `img${String(i).padStart(3, '0')}`,
      group: i % groups,
    })),
  }
}

describe('MixAll pool', () => {
  it('holds every image of every user, names and groups kept apart', () => {
    const users = [album('id1', 5, 2), album('id2', 7, 3), album('id3', 4, 1)]
    const pool = poolTargets(users)
    expect(pool).toHaveLength(16)
    for (const u of users)
      for (const it of u.items)
        expect(pool.filter((p) => p.image === it.image && p.user === u.user)).toHaveLength(1)
    expect(new Set(pool.map((p) => p.name)).size).toBe(16)
    expect(pool[0]!.name).toBe('id1_img000')
    // id1 groups 0–1, id2 groups 2–4, id3 group 5: no group holds two users.
    const usersOfGroup = new Map<number, Set<string>>()
    for (const p of pool) usersOfGroup.set(p.group!, (usersOfGroup.get(p.group!) ?? new Set()).add(p.user))
    expect([...usersOfGroup.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5])
    for (const s of usersOfGroup.values()) expect(s.size).toBe(1)
  })

  it('keeps images without a group ungrouped', () => {
    const pool = poolTargets([{ user: 'id1', items: [{ image: '/a.jpg', name: 'a' }] }, album('id2', 2, 2)])
    expect(pool[0]!.group).toBeUndefined()
    expect(pool.slice(1).map((p) => p.group)).toEqual([0, 1])
  })
})

describe('MixSample', () => {
  const users = [album('id1', 24, 3), album('id2', 24, 3), album('id3', 30, 3)]
  const pool = poolTargets(users)
  const ids = users.map((u) => u.user)

  it('is one album of the pool (1/#users), drawn from every user in proportion', () => {
    expect(mixSampleSize(78, 3)).toBe(26)
    const s = mixSample(pool, ids, 7)
    expect(s).toHaveLength(26)
    const per = ids.map((u) => s.filter((p) => p.user === u).length)
    // 24·26/78 = 8, 8, 30·26/78 = 10.
    expect(per).toEqual([8, 8, 10])
    expect(new Set(s).size).toBe(26)
    for (const p of s) expect(pool).toContain(p)
  })

  it('is seeded: the same seed gives the same sample, another seed another one', () => {
    const a = mixSample(pool, ids, 7).map((p) => p.name)
    expect(mixSample(pool, ids, 7).map((p) => p.name)).toEqual(a)
    expect(mixSample(pool, ids, 8).map((p) => p.name)).not.toEqual(a)
  })

  it('shares strata by largest remainders, summing to the sample size', () => {
    expect(stratumShares([24, 24], 24)).toEqual([12, 12])
    expect(stratumShares([5, 5, 5], 5)).toEqual([2, 2, 1])
    expect(stratumShares([1, 10], 6)).toEqual([1, 5])
    expect(() => stratumShares([2, 2], 5)).toThrow(/sample of 5 from 4/)
  })
})

describe('K sweep clustering', () => {
  let tmp = ''
  const items: { image: string; name: string }[] = []

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-ksweep-'))
    // Two colour families: three reddish and three bluish images.
    const colours = [
      [220, 20, 20],
      [200, 40, 30],
      [240, 10, 50],
      [20, 20, 220],
      [30, 50, 200],
      [10, 40, 240],
    ] as const
    for (const [i, [r, g, b]] of colours.entries()) {
      const file = path.join(tmp, `im${i}.png`)
      await sharp({ create: { width: 24, height: 16, channels: 3, background: { r, g, b } } })
        .png()
        .toFile(file)
      items.push({ image: file, name: `im${i}` })
    }
  })

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
  })

  it('clamps K to the album size', async () => {
    expect(clampK(200, 24)).toBe(24)
    expect(clampK(10, 24)).toBe(10)
    expect(clampK(0, 24)).toBe(1)
    const r = await clusterItems(items, 200)
    expect(r.k).toBe(6)
    expect(new Set(r.items.map((i) => i.group)).size).toBe(6)
  })

  it('K = 1 is one group; K = 2 separates the colour families; the names and files are kept', async () => {
    const one = await clusterItems(items, 1)
    expect(one.items.map((i) => i.group)).toEqual([0, 0, 0, 0, 0, 0])
    const two = await clusterItems(items, 2)
    expect(two.k).toBe(2)
    const g = two.items.map((i) => i.group!)
    expect(new Set(g.slice(0, 3)).size).toBe(1)
    expect(new Set(g.slice(3)).size).toBe(1)
    expect(g[0]).not.toBe(g[3])
    expect(two.items.map((i) => [i.image, i.name])).toEqual(items.map((i) => [i.image, i.name]))
  })

  it('reports an unreadable image and clusters the rest', async () => {
    const bad = path.join(tmp, 'broken.png')
    fs.writeFileSync(bad, 'not an image')
    const problems: string[] = []
    const r = await clusterItems([...items, { image: bad, name: 'broken' }], 10, (p) => problems.push(p.file))
    expect(problems).toEqual([bad])
    expect(r.k).toBe(6)
    expect(r.items[6]!.group).toBeUndefined()
  })
})
