/**
 * clusterAlbum / listClusterings through the Studio API (a job; features and k-means in the engine worker
 * thread) and `pss-studio cluster`, on a project holding the tiny synthetic benchmark's albums. The PIS
 * import stores the generator's scene groups as a clustering: the studio's must agree with them.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../../../src/main/app/studio'
import { generateSyntheticBenchmark } from '../../../../src/main/datasets/synthetic'
import { adjustedRandIndex } from './agreement'
import type { StudioEvents } from '../../../../src/shared/api'
import { cli } from '../../cli/helpers'

let root = ''
let bench = ''
let project = ''
const savedHome = process.env.PSS_STUDIO_HOME

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-cluster-api-'))
  process.env.PSS_STUDIO_HOME = path.join(root, 'home')
  bench = path.join(root, 'bench')
  await generateSyntheticBenchmark({ out: bench, preset: 'tiny', seed: 2 })
  project = path.join(root, 'project')
  const s = new Studio({ mode: 'cli', homeDir: path.join(root, 'home'), jobs: { writeIntervalMs: 0 } })
  try {
    await s.api.createProject({ path: project })
    const { jobId } = await s.api.importPis({ root: bench })
    const job = await s.currentJobs().settled(jobId)
    expect(job.status, job.error ?? '').toBe('done')
  } finally {
    await s.close()
  }
}, 120_000)

afterAll(() => {
  if (savedHome === undefined) delete process.env.PSS_STUDIO_HOME
  else process.env.PSS_STUDIO_HOME = savedHome
  if (root) fs.rmSync(root, { recursive: true, force: true })
})

describe('clusterAlbum API', () => {
  it('runs as a job, stores the clustering with its recipe, emits library, agrees with the scene groups', async () => {
    const s = new Studio({ mode: 'cli', homeDir: path.join(root, 'home'), jobs: { writeIntervalMs: 0 } })
    try {
      await s.openProjectPath(project)
      const album = (await s.api.listAlbums({}))[0]!
      const before = await s.api.listClusterings({ albumId: album.id })
      expect(before).toHaveLength(1) // the imported train_cluster file
      const truth = before[0]!
      const library: StudioEvents['library'][] = []
      s.on('library', (l) => library.push(l))
      const { jobId } = await s.api.clusterAlbum({ albumId: album.id, k: truth.k, features: 'color' })
      const job = await s.currentJobs().settled(jobId)
      expect(job.status, job.error ?? '').toBe('done')
      expect(job.kind).toBe('cluster')
      const after = await s.api.listClusterings({ albumId: album.id })
      expect(after).toHaveLength(2)
      const ours = after[0]!
      expect(ours.k).toBe(truth.k)
      expect(ours.sizes.reduce((a, b) => a + b, 0)).toBe(album.imageCount)
      expect(ours.meta).toMatchObject({
        method: 'kmeans++',
        features: { kind: 'color' },
        kRequested: truth.k,
        seed: 0,
        restarts: 10,
        images: album.imageCount,
        skipped: 0,
      })
      expect(typeof ours.meta.inertia).toBe('number')
      expect(typeof ours.meta.silhouette).toBe('number')
      expect(library).toContainEqual({ albumId: album.id, reason: 'clustered' })
      // The newest clustering is what the grid shows; compare it with the generator's groups.
      const page = await s.api.listImages({ albumId: album.id, limit: 1000 })
      const db = s.currentProject().db
      const truthOf = new Map(
        (
          db
            .prepare('SELECT image_id, cluster FROM cluster_members WHERE clustering_id = ?')
            .all(truth.id) as {
            image_id: number
            cluster: number
          }[]
        ).map((r) => [r.image_id, r.cluster]),
      )
      const got = page.items.map((i) => i.cluster as number)
      const want = page.items.map((i) => truthOf.get(i.id) as number)
      const ari = adjustedRandIndex(got, want)
      console.log(`studio clustering vs generator groups (album ${album.name}): ARI ${ari.toFixed(3)}`)
      expect(ari).toBeGreaterThanOrEqual(0.8)
    } finally {
      await s.close()
    }
  }, 120_000)

  it('refuses bad arguments clearly', async () => {
    const s = new Studio({ mode: 'cli', homeDir: path.join(root, 'home'), jobs: { writeIntervalMs: 0 } })
    try {
      await s.openProjectPath(project)
      const album = (await s.api.listAlbums({}))[0]!
      await expect(s.api.clusterAlbum({ albumId: album.id, features: 'encoder' })).rejects.toMatchObject({
        payload: { code: 'BAD_ARGUMENTS' },
      })
      await expect(s.api.clusterAlbum({ albumId: album.id, k: 10_000 })).rejects.toThrow(
        /K = 10000 is more than the/,
      )
      await expect(s.api.listClusterings({ albumId: 99_999 })).rejects.toMatchObject({
        payload: { code: 'NOT_FOUND' },
      })
    } finally {
      await s.close()
    }
  })
})

describe('pss-studio cluster', () => {
  it('clusters an album by name with automatic K and prints JSON', async () => {
    const r = await cli(
      'cluster',
      '--project',
      project,
      '--album',
      'id2',
      '--k',
      'auto',
      '--restarts',
      '3',
      '--json',
    )
    expect(r.code, r.err).toBe(0)
    const parsed = JSON.parse(r.out) as {
      clustering: { k: number; meta: { kRequested: string; autoK: unknown[] } }
    }
    expect(parsed.clustering.meta.kRequested).toBe('auto')
    expect(parsed.clustering.meta.autoK.length).toBeGreaterThan(1)
    expect(parsed.clustering.k).toBeGreaterThanOrEqual(2)
  }, 120_000)

  it('says what is wrong with bad usage', async () => {
    const r1 = await cli('cluster', '--project', project, '--album', 'nope')
    expect(r1.code).toBe(2)
    expect(r1.err).toMatch(/no album "nope" in the project \(albums: /)
    const r2 = await cli('cluster', '--project', project, '--album', 'id1', '--k', 'x')
    expect(r2.code).toBe(2)
    expect(r2.err).toContain('--k must be a whole number ≥ 1 or "auto"')
    const r3 = await cli('cluster', '--project', project, '--album', 'id1', '--features', 'encoder')
    expect(r3.code).toBe(2)
    expect(r3.err).toContain('--features encoder needs --run DIR')
  })
})
