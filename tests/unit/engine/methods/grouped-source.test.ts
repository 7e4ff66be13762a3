/**
 * Grouped source batches (docs/method.md §3: "Source and target batches are both grouped"; issue 13 item 6):
 * loadSourceFiles gives the group structure only to a group-context network whose source files all have a
 * group, keeps each decoded item with its own file's group when a file is skipped, and the source stream
 * built from it draws every batch from one group.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BatchStream, loadSourceFiles } from '../../../../src/main/engine/methods/adapt-data'
import { AdaptConfigSchema } from '../../../../src/main/engine/methods/adapt-config'
import { encodeLabelPng } from '../../../../src/main/media'

let dir = ''
/** Image i is a flat colour whose red channel is 10·i, so a decoded item says which file it came from. */
const files: { image: string; mask: string; group: number }[] = []
const GROUP_OF = [0, 1, 0, 1, 2, 2, 0, 1]

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-grouped-source-'))
  for (let i = 0; i < GROUP_OF.length; i++) {
    const image = path.join(dir, `s${i}.png`)
    const mask = path.join(dir, `s${i}_mask.png`)
    await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 10 * i, g: 0, b: 0 } } })
      .png()
      .toFile(image)
    fs.writeFileSync(mask, encodeLabelPng({ width: 16, height: 16, labels: new Uint8Array(256).fill(1) }))
    files.push({ image, mask, group: GROUP_OF[i]! })
  }
  // File 2 is broken: its image cannot be decoded, so it is skipped (and reported).
  fs.writeFileSync(files[2]!.image, 'not an image')
})

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

const red = (item: { image: { data: ArrayLike<number> } }): number => item.image.data[0]! / 10

describe('loadSourceFiles', () => {
  it('groups the items of a group-context network, each with its own file’s group, skipping a broken file', async () => {
    const r = await loadSourceFiles(files, 21, true)
    expect(r.problems.map((p) => p.file)).toEqual([files[2]!.image])
    expect(r.items.map(red)).toEqual([0, 1, 3, 4, 5, 6, 7])
    // groups: item indices per group id in ascending id order (groupsOf).
    // Items are files 0, 1, 3, 4, 5, 6, 7; groups list item indices per group id, ascending.
    expect(r.groups).toEqual([
      [0, 5], // group 0: files 0, 6 (file 2 skipped)
      [1, 2, 6], // group 1: files 1, 3, 7
      [3, 4], // group 2: files 4, 5
    ])
    for (const g of r.groups!) {
      const ids = g.map((k) => GROUP_OF[red(r.items[k]!)]!)
      expect(new Set(ids).size).toBe(1)
    }
  })

  it('gives no groups to a network without a context, or when a file has no group', async () => {
    expect((await loadSourceFiles(files, 21, false)).groups).toBeNull()
    const partial = files.map((f, i) => (i === 5 ? { image: f.image, mask: f.mask } : f))
    const r = await loadSourceFiles(partial, 21, true)
    expect(r.groups).toBeNull()
    expect(r.items.map(red)).toEqual([0, 1, 3, 4, 5, 6, 7])
  })

  it('a grouped source stream draws every batch from one group', async () => {
    const r = await loadSourceFiles(files, 21, true)
    const stream = new BatchStream(r.items, 5, 2, 16, r.groups)
    expect(stream.grouped).toBe(true)
    const px = 16 * 16 * 3
    for (let it = 1; it <= 12; it++) {
      const b = stream.batchAt(it)
      // Every pixel of a flat image (augmentation resizes and pads with black) is 10·i or 0.
      const ids = [0, 1].map((k) => {
        const img = b.images.subarray(k * px, (k + 1) * px)
        const v = Math.max(...Array.from(img.filter((_, j) => j % 3 === 0)))
        return GROUP_OF[Math.round(v / 10)]!
      })
      expect(ids[0]).toBe(ids[1])
    }
  })

  it('the adaptation config accepts a source group and refuses a bad one', () => {
    const base = {
      runDir: '/tmp/x',
      seed: 1,
      steps: 1,
      batch: 2,
      size: 32,
      width: 16,
      method: { kind: 'noda' },
      target: [],
    }
    expect(AdaptConfigSchema.safeParse({ ...base, source: files }).success).toBe(true)
    const bad = AdaptConfigSchema.safeParse({ ...base, source: [{ ...files[0]!, group: -1 }] })
    expect(bad.success).toBe(false)
  })
})
