import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeLabelPng, encodeLabelPng } from '../../../src/main/media/label-png'
import { ProposalsRepo } from '../../../src/main/project/proposals-repo'
import { RunsRepo } from '../../../src/main/project/runs-repo'
import { TempDirs } from '../project/fixtures'
import { albumFixture, labelsFor, type AlbumFixture } from './helpers'

const tmp = new TempDirs()
let fx: AlbumFixture | null = null
afterEach(async () => {
  await fx?.studio.close()
  fx = null
  tmp.cleanup()
})

/** An album run row in `status`, with a prediction PNG for each of `imageIds`. */
function fakeRun(
  f: AlbumFixture,
  method: string,
  status: 'done' | 'failed' | 'running',
  imageIds: number[],
  albumId = f.albumId,
): number {
  const runs = new RunsRepo(f.project.db, f.project.paths)
  const id = runs.create({
    kind: 'album',
    method,
    albumId,
    config: {},
    seed: 1,
    backend: 'cpu',
    codeVersion: null,
    splitId: null,
    jobId: null,
  })
  const dir = path.join(f.project.paths.runs, String(id), 'predictions')
  fs.mkdirSync(dir, { recursive: true })
  for (const img of imageIds)
    fs.writeFileSync(
      path.join(dir, `${img}.png`),
      encodeLabelPng({ width: f.width, height: f.height, labels: labelsFor(f.width, f.height, id) }),
    )
  runs.markRunning(id)
  if (status !== 'running') runs.finish(id, status, status === 'failed' ? 'boom' : null)
  return id
}

describe('maskProposals', () => {
  it('lists done runs that predicted the image (newest first), then stored tag proposals; every media ref resolves', async () => {
    fx = await albumFixture(tmp, 3)
    const [a, b] = fx.imageIds as [number, number]
    const noda = fakeRun(fx, 'noda', 'done', [a, b])
    fakeRun(fx, 'advent', 'failed', [a]) // failed: not offered
    const onlyB = fakeRun(fx, 'minent', 'done', [b]) // no prediction for a: not offered for a
    const pss = fakeRun(fx, 'pss', 'done', [a])
    fakeRun(fx, 'noda', 'running', [a]) // not finished: not offered
    const other = fx.project.importTarget.createAlbum('Other', 'id9')
    fakeRun(fx, 'noda', 'done', [a], other) // another album's run: not offered

    const labels = new Uint8Array(fx.width * fx.height).fill(255)
    labels[5] = 12
    const repo = new ProposalsRepo(fx.project.db, fx.project.paths)
    const [pid] = repo.putMany([
      {
        imageId: a,
        kind: 'tags',
        sourceId: 'tags:album-1',
        label: 'Tag co-segmentation (cluster 2)',
        png: encodeLabelPng({ width: fx.width, height: fx.height, labels }),
        classes: [12],
      },
    ])

    const list = await fx.studio.api.maskProposals({ imageId: a })
    expect(list.map((p) => [p.key, p.kind, p.label, p.media, p.classes, p.runId])).toEqual([
      // Display names: the album runs are numbered 1, 2, 3… in creation order (noda, advent, minent, pss).
      [`pred:${pss}`, 'prediction', 'Personalize #4 — OURS-S2', `pred/${pss}/${a}`, null, pss],
      [`pred:${noda}`, 'prediction', 'No-DA #1', `pred/${noda}/${a}`, null, noda],
      [
        `proposal:${pid}`,
        'tags',
        'Tag co-segmentation (cluster 2)',
        expect.stringMatching(/^file\/proposals\//),
        [12],
        null,
      ],
    ])
    for (const p of list) {
      const media = fx.studio.resolveMedia(p.media)
      expect(media, p.media).not.toBeNull()
      const png = decodeLabelPng(fs.readFileSync(media!.path))
      expect([png.width, png.height]).toEqual([fx.width, fx.height])
    }
    expect(decodeLabelPng(fs.readFileSync(fx.studio.resolveMedia(list[2]!.media)!.path)).labels).toEqual(
      labels,
    )
    expect((await fx.studio.api.maskProposals({ imageId: b })).map((p) => p.key)).toEqual([
      `pred:${onlyB}`,
      `pred:${noda}`,
    ])
    expect(await fx.studio.api.maskProposals({ imageId: fx.imageIds[2]! })).toEqual([])
  })

  it('an unknown image is NOT_FOUND; bad arguments are refused', async () => {
    fx = await albumFixture(tmp, 1)
    await expect(fx.studio.api.maskProposals({ imageId: 999 })).rejects.toMatchObject({
      payload: { code: 'NOT_FOUND' },
    })
    await expect(fx.studio.api.maskProposals({ imageId: -1 })).rejects.toMatchObject({
      payload: { code: 'BAD_ARGUMENTS' },
    })
  })
})
