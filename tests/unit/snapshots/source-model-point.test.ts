/**
 * The source-model candidate (iteration 0 of an adaptation run) through the snapshot tables, whose
 * iteration column requires ≥ 1: stored and read back as iteration 0, listed first, and kept apart from a
 * stage snapshot stored at iteration 1 — as is the choice of it.
 */
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/project/project'
import { RunsRepo } from '../../../src/main/project/runs-repo'
import { SnapshotsRepo, type NewChoice } from '../../../src/main/project/snapshots-repo'
import { SOURCE_CANDIDATE_STAGE } from '../../../src/shared/adaptation-guard'
import type { SnapshotPoint } from '../../../src/shared/snapshots'
import { TempDirs } from '../project/fixtures'

const temp = new TempDirs()
afterEach(() => temp.cleanup())

const s = (fiou: number) => ({ fiou, miouAll21: fiou / 3, miouPresent: null, images: 2 })

describe('the source-model point in the snapshot tables', () => {
  it('round-trips as iteration 0, first, beside an adapted snapshot at iteration 1', () => {
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
    const repo = new SnapshotsRepo(p.db)
    const points: SnapshotPoint[] = [
      {
        stage: SOURCE_CANDIDATE_STAGE,
        iteration: 0,
        parts: { selection: s(0.3), report: s(0.2), full: s(0.25) },
      },
      { stage: 'advent', iteration: 1, parts: { selection: s(0.1), report: s(0.4), full: s(0.25) } },
      { stage: 'advent', iteration: 2, parts: { selection: s(0.2), full: s(0.2) } },
    ]
    const choice: NewChoice = {
      mode: 'heldout',
      modeReason: 'asked for',
      stage: SOURCE_CANDIDATE_STAGE,
      iteration: 0,
      chosenOn: 'selection',
      reportOn: 'report',
      oracle: false,
      partImages: { selection: [3], report: [4] },
      division: 'random half of the images (not clustered), seed 0',
    }
    repo.store(runId, [points[2]!, points[1]!, points[0]!], choice)
    expect(repo.points(runId)).toEqual(points)
    expect(repo.choice(runId)).toMatchObject({ stage: SOURCE_CANDIDATE_STAGE, iteration: 0 })
    repo.setChoice(runId, { ...choice, stage: 'advent', iteration: 1 })
    expect(repo.choice(runId)).toMatchObject({ stage: 'advent', iteration: 1 })
    p.close()
  })
})
