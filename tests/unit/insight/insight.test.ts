/**
 * Insight on the server side: the grid page through runs and clusters (insightImages), cluster summaries
 * (clusterOverview), the embedding cache, and the 2-D layouts (PCA against numpy, seeded UMAP).
 * A real project: images imported through the Studio API, runs and per-image metrics as stored rows.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { apiSchemas } from '../../../src/shared/api'
import { Studio } from '../../../src/main/app/studio'
import {
  clusterOverview,
  embeddingFile,
  insightImages,
  readEmbedding,
} from '../../../src/main/app/insight-handlers'
import { embed2d, pca2 } from '../../../src/main/engine/cluster/embedding'

let tmp: string
let studio: Studio

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-insight-'))
  studio = new Studio({ mode: 'cli', homeDir: path.join(tmp, 'home') })
})
afterEach(async () => {
  await studio.close()
  fs.rmSync(tmp, { recursive: true, force: true })
})

async function albumWithRuns(): Promise<{
  albumId: number
  ids: Map<string, number>
  runA: number
  runB: number
}> {
  const photos = path.join(tmp, 'photos')
  fs.mkdirSync(photos)
  const names = ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg', 'f.jpg']
  for (const [i, n] of names.entries())
    await sharp({
      create: { width: 16, height: 12, channels: 3, background: { r: 40 * i, g: 200 - 30 * i, b: 90 } },
    })
      .jpeg()
      .toFile(path.join(photos, n))
  await studio.api.createProject({ path: path.join(tmp, 'p') })
  const job = await studio
    .currentJobs()
    .settled((await studio.api.importFolder({ dir: photos, albumName: 'album' })).jobId)
  expect(job.status).toBe('done')
  const album = (await studio.api.listAlbums({}))[0]!
  const items = (await studio.api.listImages({ albumId: album.id })).items
  const ids = new Map(items.map((i) => [i.name, i.id]))
  const p = studio.currentProject()
  // Clusters: a, b, c → 0; d, e → 1; f unclustered.
  p.groupings.addClustering(
    album.id,
    'test',
    new Map(
      [
        ['a.jpg', 0],
        ['b.jpg', 0],
        ['c.jpg', 0],
        ['d.jpg', 1],
        ['e.jpg', 1],
      ].map(([n, g]) => [ids.get(n as string)!, g as number]),
    ),
    {},
  )
  const now = new Date().toISOString()
  const run = (): number =>
    Number(
      p.db
        .prepare(
          "INSERT INTO runs (album_id, kind, method, config, status, created_at) VALUES (?, 'album', 'noda', '{}', 'done', ?)",
        )
        .run(album.id, now).lastInsertRowid,
    )
  const runA = run()
  const runB = run()
  const put = p.db.prepare(
    "INSERT INTO metrics (run_id, album_id, image_id, name, value) VALUES (?, ?, ?, 'fiou', ?)",
  )
  // FIoU of run A and run B; gain A − B: a +0.3, b −0.2, c 0, d +0.5, e only in A, f in neither.
  const fa: Record<string, number> = { 'a.jpg': 0.6, 'b.jpg': 0.3, 'c.jpg': 0.5, 'd.jpg': 0.9, 'e.jpg': 0.1 }
  const fb: Record<string, number> = { 'a.jpg': 0.3, 'b.jpg': 0.5, 'c.jpg': 0.5, 'd.jpg': 0.4 }
  for (const [n, v] of Object.entries(fa)) put.run(runA, album.id, ids.get(n)!, v)
  for (const [n, v] of Object.entries(fb)) put.run(runB, album.id, ids.get(n)!, v)
  return { albumId: album.id, ids, runA, runB }
}

const parse = (a: unknown) => apiSchemas.insightImages.parse(a)

describe('insightImages', () => {
  it('orders by gain, filters helped/hurt and clusters, and pages', async () => {
    const { albumId, ids, runA, runB } = await albumWithRuns()
    const p = studio.currentProject()
    const names = (q: object): string[] =>
      insightImages(p, parse({ albumId, runId: runA, baseRunId: runB, ...q })).items.map((i) => i.name)
    expect(names({ order: 'gain-desc' })).toEqual(['d.jpg', 'a.jpg', 'c.jpg', 'b.jpg', 'e.jpg', 'f.jpg'])
    expect(names({ order: 'gain-asc' })).toEqual(['b.jpg', 'c.jpg', 'a.jpg', 'd.jpg', 'e.jpg', 'f.jpg'])
    expect(names({ order: 'fiou-asc', only: 'scored' })).toEqual([
      'e.jpg',
      'b.jpg',
      'c.jpg',
      'a.jpg',
      'd.jpg',
    ])
    expect(names({ order: 'gain-desc', only: 'helped' })).toEqual(['d.jpg', 'a.jpg'])
    expect(names({ only: 'hurt' })).toEqual(['b.jpg'])
    expect(names({ cluster: 0, order: 'gain-desc' })).toEqual(['a.jpg', 'c.jpg', 'b.jpg'])
    expect(names({ cluster: -1 })).toEqual(['f.jpg'])
    expect(names({ ids: [ids.get('e.jpg')!, ids.get('a.jpg')!] })).toEqual(['a.jpg', 'e.jpg'])
    const page = insightImages(
      p,
      parse({ albumId, runId: runA, baseRunId: runB, order: 'gain-desc', offset: 1, limit: 2 }),
    )
    expect(page.total).toBe(6)
    expect(page.items.map((i) => [i.name, i.fiou, i.baseFiou])).toEqual([
      ['a.jpg', 0.6, 0.3],
      ['c.jpg', 0.5, 0.5],
    ])
    expect(page.items[0]!.gain).toBeCloseTo(0.3, 12)
    expect(page.items[0]!.media.thumb).toBe(`thumb/${ids.get('a.jpg')}`)
  })
  it('refuses a run of another album or an unknown run', async () => {
    const { albumId, runA } = await albumWithRuns()
    const p = studio.currentProject()
    expect(() => insightImages(p, parse({ albumId, runId: 9999 }))).toThrow(/run 9999 does not exist/)
    const other = p.albums.create('other', null)
    expect(() => insightImages(p, parse({ albumId: other, runId: runA }))).toThrow(
      new RegExp(`run ${runA} is not a run of album ${other}`),
    )
  })
})

describe('clusterOverview', () => {
  it('sizes, coverage, samples and the mean FIoU of a run per cluster', async () => {
    const { albumId, ids, runA } = await albumWithRuns()
    const o = clusterOverview(
      studio.currentProject(),
      apiSchemas.clusterOverview.parse({ albumId, runId: runA }),
    )
    expect(o.clustering?.name).toBe('test')
    expect(o.unclustered).toBe(1)
    expect(o.clusters.map((c) => [c.cluster, c.size, c.scored])).toEqual([
      [0, 3, 3],
      [1, 2, 2],
    ])
    expect(o.clusters[0]!.meanFiou).toBeCloseTo((0.6 + 0.3 + 0.5) / 3, 12)
    expect(o.clusters[1]!.meanFiou).toBeCloseTo((0.9 + 0.1) / 2, 12)
    expect(o.clusters[0]!.sample.map((s) => s.imageId)).toEqual(
      ['a.jpg', 'b.jpg', 'c.jpg'].map((n) => ids.get(n)),
    )
    expect(o.clusters[0]!.validation).toBe(0)
    const none = clusterOverview(studio.currentProject(), apiSchemas.clusterOverview.parse({ albumId }))
    expect(none.clusters.every((c) => c.meanFiou === null)).toBe(true)
  })
})

describe('embedding cache', () => {
  it('reads the cached layout with current clusters, dropping deleted images; null when absent or corrupt', async () => {
    const { albumId, ids } = await albumWithRuns()
    const p = studio.currentProject()
    expect(readEmbedding(p, albumId)).toBeNull()
    const file = embeddingFile(p, albumId)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    const a = ids.get('a.jpg')!
    const d = ids.get('d.jpg')!
    fs.writeFileSync(
      file,
      JSON.stringify({
        albumId,
        method: 'pca',
        seed: 0,
        features: 'x',
        createdAt: '',
        seconds: 0,
        ids: [a, 99999, d],
        x: [0, 0.5, 1],
        y: [1, 0.5, 0],
      }),
    )
    const e = readEmbedding(p, albumId)!
    expect(e.ids).toEqual([a, d])
    expect(e.x).toEqual([0, 1])
    expect(e.clusters).toEqual([0, 1])
    fs.writeFileSync(file, '{"albumId":')
    expect(readEmbedding(p, albumId)).toBeNull()
  })
})

describe('2-D layouts', () => {
  it('PCA projections equal numpy’s SVD projections (sign: largest loading positive)', () => {
    const n = 12
    const d = 5
    const pts = Array.from({ length: n }, (_, i) =>
      Float64Array.from(
        { length: d },
        (_, j) => Math.sin(i * 1.3 + j * 0.7) + 0.1 * j * Math.cos(i) + (j === 2 ? 0.5 * i : 0),
      ),
    )
    // /usr/bin/python3: C = X − mean; U,S,Vt = svd(C); v_k sign-fixed; C @ v_k
    const golden0 = [
      -1.4650085348, -1.5936976626, -2.7432613649, -2.6295555648, -0.7714737605, 0.8699449659, 0.7259256846,
      -0.1891193478, 0.1588224093, 1.8671515017, 3.056959831, 2.7133118428,
    ]
    const golden1 = [
      -0.5031303953, 1.3731051349, 1.2211918715, -0.6481760499, -1.4697349214, -0.1595823143, 1.1466148977,
      0.360909109, -1.3980935758, -1.474479836, 0.3011220816, 1.2502539979,
    ]
    const { x, y } = pca2(pts)
    x.forEach((v, i) => expect(v).toBeCloseTo(golden0[i]!, 6))
    y.forEach((v, i) => expect(v).toBeCloseTo(golden1[i]!, 6))
  })
  it('UMAP is seeded: the same seed gives the same layout, normalised to [0, 1]', async () => {
    const pts = Array.from({ length: 40 }, (_, i) =>
      Float64Array.from({ length: 6 }, (_, j) => (i % 4) * 3 + Math.sin(i * 7.1 + j * 1.9) * 0.3),
    )
    const a = (await embed2d(pts, { method: 'umap', seed: 5 }))!
    const b = (await embed2d(pts, { method: 'umap', seed: 5 }))!
    expect(a.method).toBe('umap')
    expect(Array.from(a.x)).toEqual(Array.from(b.x))
    expect(Array.from(a.y)).toEqual(Array.from(b.y))
    expect(Math.min(...a.x)).toBe(0)
    expect(Math.max(...a.x)).toBe(1)
    expect(Math.max(...a.y)).toBe(1)
    // Stops when asked (cancel).
    expect(await embed2d(pts, { method: 'umap', seed: 5, shouldStop: () => true })).toBeNull()
  })
})
