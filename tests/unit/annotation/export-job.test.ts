/**
 * startMaskExport: the export as a job reports one progress step per photo, ends with the same summary
 * as exportMasks, and a cancelled job leaves the destination untouched.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { listFiles, TempDirs } from '../project/fixtures'
import { albumFixture, b64, labelsFor, type AlbumFixture } from './helpers'

const tmp = new TempDirs()
let fx: AlbumFixture | null = null
afterEach(async () => {
  await fx?.studio.close()
  fx = null
  tmp.cleanup()
})

describe('startMaskExport', () => {
  it('runs as a job with per-photo progress and the export summary as its result', async () => {
    fx = await albumFixture(tmp, 3)
    for (const [i, id] of fx.imageIds.slice(0, 2).entries()) {
      await fx.studio.api.saveMask({
        imageId: id,
        indicesBase64: b64(labelsFor(fx.width, fx.height, i + 3)),
        baseVersion: null,
      })
    }
    const out = path.join(tmp.make(), 'voc-out')
    const { jobId } = await fx.studio.api.startMaskExport({ albumId: fx.albumId, format: 'voc', out })
    const job = await fx.studio.currentJobs().settled(jobId)
    expect(job).toMatchObject({ kind: 'export-masks', status: 'done', progress: { done: 3, total: 3 } })
    expect(job.result).toMatchObject({ format: 'voc', masks: 2, images: 3, out })
    expect(listFiles(out).filter((f) => f.startsWith('SegmentationClass/'))).toHaveLength(2)
  })

  it('a cancelled export leaves nothing at the destination', async () => {
    fx = await albumFixture(tmp, 3)
    const parent = tmp.make()
    const out = path.join(parent, 'pis-out')
    const { jobId } = await fx.studio.api.startMaskExport({ albumId: fx.albumId, format: 'pis', out })
    await fx.studio.api.cancelJob({ jobId })
    const job = await fx.studio.currentJobs().settled(jobId)
    expect(job.status).toBe('cancelled')
    expect(fs.readdirSync(parent)).toEqual([])
  })

  it('refuses an unknown album before queueing anything', async () => {
    fx = await albumFixture(tmp, 1)
    await expect(
      fx.studio.api.startMaskExport({ albumId: 999, format: 'voc', out: path.join(tmp.make(), 'o') }),
    ).rejects.toThrow(/album 999 does not exist/)
  })
})
