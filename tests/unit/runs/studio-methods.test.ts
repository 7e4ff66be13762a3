/**
 * The adaptive methods as studio runs on the tiny demo project: one click on 'pss' runs the whole chain
 * (source model → the group-context network's source model → OURS-S1 → OURS-S2 → predict → score) and
 * stores its metrics next to No-DA's; a later PSS run reuses both source models; an album without a
 * clustering is clustered first.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { albumWithMasks, openDemoStudio, type DemoStudio } from './fixtures/demo-studio'

let demo: DemoStudio
let studio: Studio
let albumId = 0
const RUN = { iterations: 12, adaptIterations: 3, size: 32, seed: 4 } as const

beforeAll(async () => {
  demo = await openDemoStudio('pss-run-methods-')
  studio = demo.studio
  albumId = albumWithMasks(demo.albums)
}, 120_000)

afterAll(async () => {
  await demo?.close()
})

async function runToEnd(method: 'pss' | 'advent' | 'noda') {
  const started = await studio.api.startRun({ albumId, method, ...RUN })
  const job = await studio.currentJobs().settled(started.jobId)
  expect(job.status, job.error ?? '').toBe('done')
  return studio.api.getRun({ runId: started.runId })
}

describe('adaptive methods in the studio', () => {
  it('personalizes an album with PSS in one run and stores its metrics next to No-DA', async () => {
    const noda = await runToEnd('noda')
    const pss = await runToEnd('pss')
    expect(pss).toMatchObject({ kind: 'album', method: 'pss', status: 'done', backend: 'wasm' })
    expect(pss.sourceRunId).toBe(noda.sourceRunId)
    expect(pss.metrics!.images).toBe(noda.metrics!.images)
    expect(pss.splitId).toBe(noda.splitId)
    const project = studio.currentProject()
    const runDir = path.join(project.paths.runs, String(pss.id))
    for (const stage of ['pss-s1', 'pss-s2']) {
      expect(fs.existsSync(path.join(runDir, 'adapt', stage, 'run.json')), stage).toBe(true)
    }
    // Each stage's objective per iteration is shown with the run; No-DA has no stage curve.
    expect(pss.stageCurves.map((c) => c.stage)).toEqual(['pss-s1', 'pss-s2'])
    for (const c of pss.stageCurves) {
      expect(c.points.map((p) => p.iteration)).toEqual([1, 2, 3])
      for (const p of c.points) expect(Number.isFinite(p.loss)).toBe(true)
    }
    expect(noda.stageCurves).toEqual([])
    // Stage 2 trained on entropy-selected pseudo labels of the album.
    expect(
      fs.readdirSync(path.join(runDir, 'adapt', 'pss-s2', 'pseudo')).some((f) => f.endsWith('.png')),
    ).toBe(true)
    // Every album image was predicted by the adapted model.
    const album = (await studio.api.listAlbums({})).find((a) => a.id === albumId)!
    const preds = fs.readdirSync(path.join(runDir, 'predictions')).filter((f) => /^\d+\.png$/.test(f))
    expect(preds).toHaveLength(album.imageCount)

    // OURS-S1 starts from the source model itself (the residual context module starts as the identity):
    // nothing else trains on the source set, and its network has the residual fusion.
    const s1 = JSON.parse(fs.readFileSync(path.join(runDir, 'adapt', 'pss-s1', 'run.json'), 'utf8'))
    expect(JSON.stringify(s1)).toContain(
      path.join(project.paths.runs, String(pss.sourceRunId), 'checkpoints'),
    )
    expect(JSON.stringify(s1)).toContain('"fusion":"residual"')
    expect(fs.readdirSync(path.join(project.paths.runs, String(pss.sourceRunId)))).not.toContain(
      'context-source',
    )
  }, 600_000)

  it('clusters an album that has no clustering before a PSS run', async () => {
    const project = studio.currentProject()
    project.db.prepare('UPDATE images SET cluster = NULL WHERE album_id = ?').run(albumId)
    const n = (
      project.db.prepare('SELECT count(*) AS n FROM clusterings WHERE album_id = ?').get(albumId) as {
        n: number
      }
    ).n
    const run = await runToEnd('pss')
    expect(run.status).toBe('done')
    const after = (
      project.db.prepare('SELECT count(*) AS n FROM clusterings WHERE album_id = ?').get(albumId) as {
        n: number
      }
    ).n
    expect(after).toBe(n + 1)
  }, 600_000)

  it('refuses an adaptive run with a crop below 32 before any job exists', async () => {
    const jobs = (await studio.api.listJobs({})).length
    await expect(studio.api.startRun({ albumId, method: 'advent', size: 16 })).rejects.toThrow(/32/)
    expect((await studio.api.listJobs({})).length).toBe(jobs)
  })
})
