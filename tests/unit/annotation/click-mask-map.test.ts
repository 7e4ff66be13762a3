/**
 * The click-mask API (issue 16 item 5) on the tiny demo project: without a model it says so; after a
 * No-DA run it answers the run's model's top-2 probability map — whose top-1 plane is the run's own
 * prediction of the image (the tiny demo's photos are under the 512-pixel bound, so the map is at the
 * original size and the same bilinear logits are argmaxed) — cached on disk so the next call runs no
 * forward pass; a source-dataset image is refused.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { albumWithMasks, openDemoStudio, type DemoStudio } from '../runs/fixtures/demo-studio'
import type { Studio } from '../../../src/main/app/studio'
import { decodeLabelPng } from '../../../src/main/media/label-png'
import type { ClickMaskMapReady } from '../../../src/shared/click-mask'

let demo: DemoStudio
let studio: Studio
let albumId = 0

beforeAll(async () => {
  demo = await openDemoStudio('pss-click-mask-')
  studio = demo.studio
  albumId = albumWithMasks(demo.albums)
}, 120_000)

afterAll(async () => {
  await demo?.close()
})

describe('clickMaskMap', () => {
  it("says plainly when the project has no model, then serves the best run's map from a cache", async () => {
    const imageId = (await studio.api.listImages({ albumId, offset: 0, limit: 1 })).items[0]!.id
    const none = await studio.api.clickMaskMap({ imageId })
    expect(none.available).toBe(false)
    if (!none.available) expect(none.reason).toMatch(/no trained model yet/)

    const started = await studio.api.startRun({ albumId, method: 'noda', iterations: 6, size: 32 })
    const job = await studio.currentJobs().settled(started.jobId)
    expect(job.status, job.error ?? '').toBe('done')

    const first = await studio.api.clickMaskMap({ imageId })
    expect(first.available).toBe(true)
    const map = first as ClickMaskMapReady
    expect(map.model).toMatchObject({ runId: started.runId, kind: 'album-run', label: 'No-DA #1' })
    expect(map.model.fiou).toBeGreaterThanOrEqual(0)
    expect(map.model.reason).toMatch(/No-DA #1: FIoU/)
    expect(map.cached).toBe(false)
    expect(map.forwardMs).toBeGreaterThan(0)
    expect(Math.max(map.width, map.height)).toBeLessThanOrEqual(512)
    expect([map.width, map.height]).toEqual([map.imageWidth, map.imageHeight])
    expect(map.numClasses).toBe(21)

    const planes = Buffer.from(map.top2Base64, 'base64')
    const n = map.width * map.height
    expect(planes.length).toBe(4 * n)
    for (let i = 0; i < n; i++) {
      expect(planes[i]!).toBeLessThan(21)
      expect(planes[2 * n + i]).not.toBe(planes[i])
      expect(planes[n + i]!).toBeGreaterThanOrEqual(planes[3 * n + i]!)
      expect(planes[n + i]! + planes[3 * n + i]!).toBeLessThanOrEqual(256)
    }
    // The top-1 plane is the run's own prediction of the image (same logits, same upsampling, argmax).
    const project = studio.currentProject()
    const pred = decodeLabelPng(
      fs.readFileSync(path.join(project.paths.runs, String(started.runId), 'predictions', `${imageId}.png`)),
    )
    expect([pred.width, pred.height]).toEqual([map.width, map.height])
    let same = 0
    for (let i = 0; i < n; i++) if (pred.labels[i] === planes[i]) same++
    // Equal logits, equal argmax: only exact ties (softmax rounding) could differ.
    expect(same / n).toBeGreaterThan(0.999)

    // The cache: the file in the run folder, and the next call runs no forward pass.
    const cacheDir = path.join(project.paths.runs, String(started.runId), 'click-mask')
    expect(fs.readdirSync(cacheDir).length).toBe(1)
    const again = (await studio.api.clickMaskMap({ imageId })) as ClickMaskMapReady
    expect(again.cached).toBe(true)
    expect(again.forwardMs).toBeNull()
    expect(again.top2Base64).toBe(map.top2Base64)

    // A damaged cache file is made again, never served.
    const dir = path.join(cacheDir, fs.readdirSync(cacheDir)[0]!)
    fs.writeFileSync(path.join(dir, `${imageId}.top2`), 'not a map')
    const remade = (await studio.api.clickMaskMap({ imageId })) as ClickMaskMapReady
    expect(remade.cached).toBe(false)
    expect(remade.top2Base64).toBe(map.top2Base64)
  }, 600_000)

  it('refuses an image id that does not exist', async () => {
    await expect(studio.api.clickMaskMap({ imageId: 999_999 })).rejects.toThrow(/image 999999 does not exist/)
  })
})
