import { afterEach, describe, expect, it } from 'vitest'
import { groupQuotas, stratifiedSample, targetCount } from '../../../src/shared/stratified-sample'
import { TempDirs } from '../project/fixtures'
import { albumFixture, labelsFor, type AlbumFixture } from './helpers'

const tmp = new TempDirs()
let fx: AlbumFixture | null = null
afterEach(async () => {
  await fx?.studio.close()
  fx = null
  tmp.cleanup()
})

describe('stratifiedSample (pure)', () => {
  const items = (sizes: number[]) => {
    const out: { id: number; group: number | null }[] = []
    let id = 100
    sizes.forEach((n, g) => {
      for (let i = 0; i < n; i++) out.push({ id: id++, group: g === sizes.length - 1 ? null : g })
    })
    return out
  }

  it('gives every group floor or ceil of its exact share and round(f·N) in total', () => {
    for (const [sizes, f] of [
      [[10, 7, 3, 1, 20], 0.3],
      [[5, 5, 5], 0.5],
      [[1, 1, 1, 1, 1, 1, 1], 0.3],
      [[100, 3, 0], 0.25],
      [[9, 13, 2, 40, 6], 0.1],
    ] as [number[], number][]) {
      const its = items(sizes)
      const chosen = new Set(stratifiedSample(its, f, 7))
      expect(chosen.size).toBe(targetCount(its.length, f))
      sizes.forEach((n, g) => {
        const key = g === sizes.length - 1 ? null : g
        const got = its.filter((x) => x.group === key && chosen.has(x.id)).length
        expect(got).toBeGreaterThanOrEqual(Math.floor(f * n))
        expect(got).toBeLessThanOrEqual(Math.ceil(f * n))
      })
    }
  })

  it('is deterministic for a seed, independent of input order, and differs between seeds', () => {
    const its = items([30, 30, 30])
    const a = stratifiedSample(its, 0.3, 11)
    expect(stratifiedSample([...its].reverse(), 0.3, 11)).toEqual(a)
    const others = [1, 2, 3, 4].map((s) => stratifiedSample(its, 0.3, s).join(','))
    expect(others.some((o) => o !== a.join(','))).toBe(true)
  })

  it('quotas: remainders go to the largest fractional parts, ties to the smaller group key', () => {
    // 0.3·[5,5,5] = 1.5 each, want round(4.5)=5 (round half up): 1+1+1 then +1 to groups 0 and 1
    expect([
      ...groupQuotas(
        new Map([
          [0, 5],
          [1, 5],
          [2, 5],
        ]),
        0.3,
      ),
    ]).toEqual([
      [0, 2],
      [1, 2],
      [2, 1],
    ])
    expect(() => stratifiedSample([], 1, 1)).toThrow('fraction')
  })

  it('draws every subset of a group about equally often (no bias toward small ids)', () => {
    const its = Array.from({ length: 10 }, (_, i) => ({ id: i + 1, group: 0 }))
    const counts = new Array(11).fill(0) as number[]
    for (let seed = 0; seed < 2000; seed++) for (const id of stratifiedSample(its, 0.3, seed)) counts[id]!++
    // each id expected 2000·3/10 = 600 times
    for (let id = 1; id <= 10; id++) expect(Math.abs(counts[id]! - 600)).toBeLessThan(90)
  })
})

describe('makeSplit / getSplit', () => {
  it('stratifies over the newest clustering, stores a new frozen version each time, reports coverage', async () => {
    fx = await albumFixture(tmp, 20)
    const ids = fx.imageIds
    // clustering: 10 / 6 / 4
    const groups = new Map(ids.map((id, i) => [id, i < 10 ? 0 : i < 16 ? 1 : 2]))
    fx.project.importTarget.addClustering(fx.albumId, 'k3', groups, {})
    expect(await fx.studio.api.getSplit({ albumId: fx.albumId })).toBeNull()
    const s1 = await fx.studio.api.makeSplit({ albumId: fx.albumId, fraction: 0.3, seed: 5 })
    expect(s1).toMatchObject({
      version: 1,
      seed: 5,
      fraction: 0.3,
      imageCount: 20,
      validationCount: 6,
      validationAnnotated: 0,
    })
    expect(s1.clusteringId).not.toBeNull()
    expect(s1.coverage.map((c) => [c.cluster, c.images, c.validation])).toEqual([
      [0, 10, 3],
      [1, 6, 2],
      [2, 4, 1],
    ])
    const q = await fx.studio.api.annotationQueue({ albumId: fx.albumId })
    expect(q.items).toHaveLength(6)
    const album = (await fx.studio.api.listAlbums({}))[0]!
    expect(album).toMatchObject({ validationCount: 6, splitId: s1.id })

    // annotate one validation image: coverage counts it
    const first = q.items[0]!.imageId
    fx.project.importTarget.addMask(first, {
      labels: labelsFor(fx.width, fx.height, 1),
      width: fx.width,
      height: fx.height,
      author: 'human',
      origin: 't',
    })
    const again = await fx.studio.api.getSplit({ albumId: fx.albumId })
    expect(again!.validationAnnotated).toBe(1)

    // the same seed again: a new version with the same members (never a silent replacement)
    const s2 = await fx.studio.api.makeSplit({ albumId: fx.albumId, fraction: 0.3, seed: 5 })
    expect(s2.version).toBe(2)
    expect(s2.id).not.toBe(s1.id)
    const q2 = await fx.studio.api.annotationQueue({ albumId: fx.albumId })
    expect(q2.items.map((i) => i.imageId)).toEqual(q.items.map((i) => i.imageId))
    const s3 = await fx.studio.api.makeSplit({ albumId: fx.albumId, fraction: 0.5, seed: 9, name: 'half' })
    expect(s3).toMatchObject({ version: 3, name: 'half', validationCount: 10 })
  })

  it('without a clustering draws a seeded random split; refuses bad fractions and unknown albums', async () => {
    fx = await albumFixture(tmp, 7)
    const s = await fx.studio.api.makeSplit({ albumId: fx.albumId })
    expect(s).toMatchObject({ clusteringId: null, fraction: 0.3, seed: 1, validationCount: 2 })
    expect(s.coverage).toEqual([{ cluster: null, images: 7, validation: 2, annotated: 0 }])
    await expect(fx.studio.api.makeSplit({ albumId: fx.albumId, fraction: 1 })).rejects.toMatchObject({
      payload: { code: 'BAD_ARGUMENTS' },
    })
    await expect(fx.studio.api.makeSplit({ albumId: 999 })).rejects.toMatchObject({
      payload: { code: 'NOT_FOUND' },
    })
  })
})
