/**
 * Album clustering on the synthetic benchmark (preset 'tiny'): colour features recover the generator's
 * scene groups (its train_cluster<K>.txt ground truth) far better than chance. Runs in this thread (the
 * worker path is covered by the API test).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSyntheticBenchmark, type Manifest } from '../../../../src/main/datasets/synthetic'
import { adjustedRandIndex, purity } from './agreement'
import { runClustering } from '../../../../src/main/engine/cluster/cluster-album'
import { parseClusterRequest } from '../../../../src/main/engine/cluster/cluster-request'
import { Rng } from '../../../../src/main/engine/train/rng'

let out = ''
let manifest: Manifest

beforeAll(async () => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-cluster-synth-'))
  manifest = await generateSyntheticBenchmark({ out, preset: 'tiny', seed: 1 })
}, 120_000)

afterAll(() => {
  if (out) fs.rmSync(out, { recursive: true, force: true })
})

function album(userId: string, clusterFile: string) {
  const root = path.join(out, 'personal', userId)
  const lines = fs.readFileSync(path.join(root, clusterFile), 'utf8').trim().split('\n')
  const truth: number[] = []
  const images = lines.map((l, i) => {
    const m = /^\/JPEGImages\/(.+)\.jpg \S+ (\d+)$/.exec(l)
    if (!m) throw new Error(`bad cluster line ${l}`)
    truth.push(Number(m[2]))
    return { id: i + 1, path: path.join(root, 'JPEGImages', `${m[1]}.jpg`) }
  })
  return { images, truth }
}

/** The best ARI of `tries` random assignments with the same group sizes (what chance reaches). */
function chanceAri(assignments: number[], truth: number[], tries: number): number {
  const rng = new Rng(99)
  let best = -1
  for (let t = 0; t < tries; t++) best = Math.max(best, adjustedRandIndex(rng.shuffle(assignments), truth))
  return best
}

describe('colour-feature clustering on the tiny synthetic benchmark', () => {
  it('recovers the scene groups of every album (ARI ≥ 0.8, chance stays below)', async () => {
    const measured: string[] = []
    for (const u of manifest.users) {
      const { images, truth } = album(u.id, u.clusterFile)
      const r = await runClustering(parseClusterRequest({ images, k: u.groups, features: 'color' }), {
        shouldStop: () => false,
      })
      expect(r.status).toBe('done')
      expect(r.meta?.features.kind).toBe('color')
      expect(r.meta?.k).toBe(u.groups)
      const byId = new Map(r.assignments)
      const got = images.map((im) => byId.get(im.id) as number)
      const ari = adjustedRandIndex(got, truth)
      const chance = chanceAri(got, truth, 200)
      measured.push(
        `${u.id}: ARI ${ari.toFixed(3)}, purity ${purity(got, truth).toFixed(3)}, best of 200 random ${chance.toFixed(3)}`,
      )
      expect(chance).toBeLessThan(0.5)
      expect(ari).toBeGreaterThanOrEqual(0.8)
    }
    console.log(`clustering vs generator groups — ${measured.join('; ')}`)
  }, 60_000)

  it("default K is round(N/8) and 'auto' picks K by silhouette, both recorded", async () => {
    const u = manifest.users[0]!
    const { images } = album(u.id, u.clusterFile)
    const d = await runClustering(parseClusterRequest({ images }), { shouldStop: () => false })
    expect(d.meta?.kRequested).toBe('default')
    expect(d.meta?.k).toBe(Math.round(images.length / 8))
    const a = await runClustering(parseClusterRequest({ images, k: 'auto', restarts: 3 }), {
      shouldStop: () => false,
    })
    const scores = a.meta?.autoK ?? []
    expect(scores.length).toBeGreaterThan(1)
    const best = scores.reduce((x, y) => (y.silhouette > x.silhouette ? y : x))
    expect(a.meta?.k).toBe(best.k)
    expect(a.meta?.silhouette).not.toBeNull()
  }, 60_000)

  it('reports an unreadable image by name, clusters the rest; cancels on request', async () => {
    const u = manifest.users[1]!
    const { images } = album(u.id, u.clusterFile)
    const broken = path.join(out, 'broken.jpg')
    fs.writeFileSync(broken, 'not a jpeg')
    const problems: string[] = []
    const r = await runClustering(
      parseClusterRequest({ images: [...images, { id: 999, path: broken }], k: 3 }),
      {
        shouldStop: () => false,
        onProblem: (p) => problems.push(`${p.file}: ${p.reason}`),
      },
    )
    expect(problems).toHaveLength(1)
    expect(problems[0]).toContain('broken.jpg: cannot decode the image')
    expect(r.meta?.skipped).toBe(1)
    expect(r.assignments.map(([id]) => id)).not.toContain(999)
    expect(r.assignments).toHaveLength(images.length)
    const c = await runClustering(parseClusterRequest({ images, k: 3 }), { shouldStop: () => true })
    expect(c.status).toBe('cancelled')
    expect(() => parseClusterRequest({ images, features: 'encoder' })).toThrow(
      'runDir: encoder features need runDir',
    )
  }, 60_000)
})
