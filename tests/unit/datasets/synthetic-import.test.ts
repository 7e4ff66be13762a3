/**
 * The generated benchmark goes through the real PIS and VOC importers without a single problem: every
 * image, mask, tag list, validation split and clustering is taken as written.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importPis, importVoc } from '../../../src/main/datasets'
import { generateSyntheticBenchmark, type Manifest } from '../../../src/main/datasets/synthetic'
import { recordingContext } from './recording-target'
import { tempDir } from './synthetic-helpers'

let out: string
let manifest: Manifest

beforeAll(async () => {
  out = tempDir('import')
  manifest = await generateSyntheticBenchmark({ out, preset: 'tiny', seed: 31 })
})

afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true })
})

describe('synthetic benchmark through the importers', () => {
  it('imports every album with its masks, split and clustering, and no problems', async () => {
    const rec = recordingContext()
    const summary = await importPis(rec.ctx, { root: out, copy: false })
    expect(rec.problemLines()).toEqual([])
    const t = rec.target
    expect(t.albums.map((a) => a.userId)).toEqual(manifest.users.map((u) => u.id))
    expect(summary.imported).toBe(manifest.counts.albumImages)
    expect(summary.masks).toBe(manifest.counts.albumValidation)
    expect(summary.rejected).toBe(0)
    for (const [k, u] of manifest.users.entries()) {
      const albumId = t.albums[k]!.id
      expect(t.splits.find((s) => s.albumId === albumId)?.ids.length).toBe(u.validation)
      const clustering = t.clusterings.find((c) => c.albumId === albumId)
      expect(clustering?.assignments.size).toBe(u.images)
      expect(new Set(clustering?.assignments.values()).size).toBe(u.groups)
      expect(t.imagesOf({ albumId }).some((r) => r.image.name.startsWith('-'))).toBe(true)
    }
  })

  it('imports the VOC source set with a mask for every image and its train/val lists', async () => {
    const rec = recordingContext()
    const summary = await importVoc(rec.ctx, { root: path.join(out, 'VOCdevkit'), copy: false })
    expect(rec.problemLines()).toEqual([])
    expect(summary.imported).toBe(manifest.counts.sourceImages)
    expect(summary.masks).toBe(manifest.counts.sourceImages)
    const lists = new Map(rec.target.sourceLists.map((l) => [l.name, l.ids.length]))
    expect(lists.get('train')).toBe(manifest.counts.sourceTrain)
    expect(lists.get('val')).toBe(manifest.counts.sourceVal)
  })
})
