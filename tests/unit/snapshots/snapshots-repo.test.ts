/** snapshot_metrics / snapshot_choices (migration v6): one transaction per evaluation, replace, cascade, refusal. */
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/project/project'
import { RunsRepo } from '../../../src/main/project/runs-repo'
import { SnapshotsRepo, type NewChoice } from '../../../src/main/project/snapshots-repo'
import type { SnapshotPoint } from '../../../src/shared/snapshots'
import { TempDirs } from '../project/fixtures'

const temp = new TempDirs()
afterEach(() => temp.cleanup())

const s = (fiou: number) => ({ fiou, miouAll21: fiou / 3, miouPresent: null, images: 2 })
const points: SnapshotPoint[] = [
  { stage: 'source', iteration: 2, parts: { selection: s(0.1), report: s(0.2), full: s(0.15) } },
  { stage: 'source', iteration: 4, parts: { selection: s(0.3), full: s(0.25) } },
]
const choice: NewChoice = {
  mode: 'oracle',
  modeReason: 'asked for',
  stage: 'source',
  iteration: 4,
  chosenOn: 'full',
  reportOn: 'full',
  oracle: true,
  partImages: { selection: [3, 5], report: [4] },
  division: 'random half of the images (not clustered), seed 0',
}

function setup(): { p: Project; repo: SnapshotsRepo; runId: number } {
  const p = Project.create(path.join(temp.make(), 'proj'))
  const runId = new RunsRepo(p.db, p.paths).create({
    kind: 'source',
    method: 'source',
    albumId: null,
    config: {},
    seed: 0,
    backend: null,
    codeVersion: null,
    splitId: null,
    jobId: null,
  })
  return { p, repo: new SnapshotsRepo(p.db), runId }
}

describe('SnapshotsRepo', () => {
  it('stores points and the choice, reads them back, and replaces them on the next evaluation', () => {
    const { p, repo, runId } = setup()
    repo.store(runId, points, choice)
    expect(repo.points(runId)).toEqual(points)
    expect(repo.choice(runId)).toMatchObject({ ...choice, evaluatedAt: expect.any(String) })
    repo.store(runId, [points[0]!], { ...choice, mode: 'last', iteration: 2, chosenOn: null, oracle: false })
    expect(repo.points(runId)).toEqual([points[0]])
    expect(repo.choice(runId)).toMatchObject({ mode: 'last', iteration: 2, chosenOn: null, oracle: false })
    p.close()
  })

  it('refuses a non-finite score and keeps the earlier evaluation whole; a deleted run takes its rows', () => {
    const { p, repo, runId } = setup()
    repo.store(runId, points, choice)
    const bad: SnapshotPoint = { stage: 'source', iteration: 6, parts: { full: s(Number.NaN) } }
    expect(() => repo.store(runId, [points[0]!, bad], null)).toThrow(/finite/)
    expect(repo.points(runId)).toEqual(points)
    expect(() => repo.store(424242, points, choice)).toThrow(/does not exist/)
    new RunsRepo(p.db, p.paths).finish(runId, 'done', null)
    new RunsRepo(p.db, p.paths).delete(runId)
    expect(p.db.prepare('SELECT count(*) AS n FROM snapshot_metrics').get()).toEqual({ n: 0 })
    expect(p.db.prepare('SELECT count(*) AS n FROM snapshot_choices').get()).toEqual({ n: 0 })
    p.close()
  })
})
