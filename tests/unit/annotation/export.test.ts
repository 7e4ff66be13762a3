import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { runCli } from '../../../src/main/cli/run'
import { decodeLabelPng } from '../../../src/main/media/label-png'
import { vocPalette } from '../../../src/shared/voc'
import { makePisDataset } from '../../e2e/helpers/fixtures'
import { listFiles, TempDirs } from '../project/fixtures'
import { albumFixture, b64, labelsFor, type AlbumFixture } from './helpers'

const tmp = new TempDirs()
let fx: AlbumFixture | null = null
const studios: Studio[] = []
afterEach(async () => {
  await fx?.studio.close()
  for (const s of studios.splice(0)) await s.close()
  fx = null
  tmp.cleanup()
})

/** Pillow's view of a PNG: mode, palette bytes and pixel indices (independent decoder). */
function pillow(file: string): { mode: string; size: [number, number]; palette: number[]; pixels: number[] } {
  const script = `
import json, sys
from PIL import Image
im = Image.open(sys.argv[1])
pal = im.getpalette() or []
print(json.dumps({"mode": im.mode, "size": list(im.size), "palette": pal[:768], "pixels": list(im.getdata())}))
`
  return JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }),
  ) as ReturnType<typeof pillow>
}

describe('exportMasks', () => {
  it('VOC layout: masks open in Pillow as mode P with the VOC palette and the exact indices; lists follow the split', async () => {
    fx = await albumFixture(tmp, 5)
    const ids = fx.imageIds
    const masks = new Map<number, Uint8Array>()
    for (const [i, id] of ids.slice(0, 4).entries()) {
      const labels = labelsFor(fx.width, fx.height, i + 3)
      masks.set(id, labels)
      await fx.studio.api.saveMask({ imageId: id, indicesBase64: b64(labels), baseVersion: null })
    }
    // a second version of the first image: the newest one is exported
    const newer = labelsFor(fx.width, fx.height, 99)
    await fx.studio.api.saveMask({ imageId: ids[0]!, indicesBase64: b64(newer), baseVersion: 1 })
    masks.set(ids[0]!, newer)
    fx.project.groupings.addSplit(fx.albumId, 'v', [ids[0]!, ids[1]!, ids[4]!], {})
    const out = path.join(tmp.make(), 'voc-out')
    const r = await fx.studio.api.exportMasks({ albumId: fx.albumId, format: 'voc', out })
    expect(r).toMatchObject({
      format: 'voc',
      masks: 4,
      images: 5,
      validation: 2,
      missingMasks: ['photo_004.jpg'],
    })
    expect(listFiles(out)).toEqual([
      'ImageSets/Segmentation/train.txt',
      'ImageSets/Segmentation/trainval.txt',
      'ImageSets/Segmentation/val.txt',
      ...[0, 1, 2, 3, 4].map((i) => `JPEGImages/photo_00${i}.jpg`),
      ...[0, 1, 2, 3].map((i) => `SegmentationClass/photo_00${i}.png`),
    ])
    expect(fs.readFileSync(path.join(out, 'ImageSets/Segmentation/val.txt'), 'utf8')).toBe(
      'photo_000\nphoto_001\n',
    )
    expect(fs.readFileSync(path.join(out, 'ImageSets/Segmentation/train.txt'), 'utf8')).toBe(
      'photo_002\nphoto_003\n',
    )
    const palette = [...vocPalette()]
    for (const [i, id] of ids.slice(0, 4).entries()) {
      const p = pillow(path.join(out, `SegmentationClass/photo_00${i}.png`))
      expect(p.mode).toBe('P')
      expect(p.size).toEqual([fx.width, fx.height])
      expect(p.palette).toEqual(palette)
      expect(p.pixels).toEqual([...masks.get(id)!])
    }
    expect(p0(out)).toEqual([15, 8, 0]) // VOC colour of... index 15 is person (192,128,128): check a few palette entries
    // out must be absent or empty
    await expect(
      fx.studio.api.exportMasks({ albumId: fx.albumId, format: 'voc', out }),
    ).rejects.toMatchObject({
      payload: { code: 'CONFLICT', message: expect.stringContaining('not empty') },
    })
    await expect(
      fx.studio.api.exportMasks({ albumId: fx.albumId, format: 'voc', out: path.join(fx.project.root, 'x') }),
    ).rejects.toMatchObject({
      payload: { code: 'CONFLICT' },
    })
  })

  it('PIS round trip: import a PIS user, export it as PIS, every mask index, the val list and the tags come back', async () => {
    const root = tmp.make()
    const pis = await makePisDataset(path.join(root, 'pis'), 9)
    const s = new Studio({ mode: 'cli', homeDir: tmp.make(), jobs: { writeIntervalMs: 0 } })
    studios.push(s)
    await s.api.createProject({ path: path.join(root, 'project') })
    const { jobId } = await s.api.importPis({ root: pis.root })
    const job = await s.currentJobs().settled(jobId)
    expect(job.status, job.error ?? '').toBe('done')
    const [album] = await s.api.listAlbums({})
    const out = path.join(root, 'exported')
    const r = await s.api.exportMasks({ albumId: album!.id, format: 'pis', out })
    expect(r).toMatchObject({
      masks: pis.masked.length,
      images: pis.images.length,
      validation: pis.validation.length,
      missingMasks: [],
    })
    const src = path.join(pis.root, 'personal', 'id1')
    const dst = path.join(out, 'personal', 'id1')
    expect(fs.readdirSync(path.join(dst, 'SegmentationClass')).sort()).toEqual(
      fs.readdirSync(path.join(src, 'SegmentationClass')).sort(),
    )
    for (const f of fs.readdirSync(path.join(src, 'SegmentationClass'))) {
      const a = decodeLabelPng(fs.readFileSync(path.join(src, 'SegmentationClass', f)))
      const b = decodeLabelPng(fs.readFileSync(path.join(dst, 'SegmentationClass', f)))
      expect([b.width, b.height]).toEqual([a.width, a.height])
      expect(Buffer.from(b.labels).equals(Buffer.from(a.labels))).toBe(true)
    }
    const lines = (f: string) => fs.readFileSync(f, 'utf8').trim().split('\n').sort()
    expect(lines(path.join(dst, 'val_all.txt'))).toEqual(lines(path.join(src, 'val_all.txt')))
    expect(lines(path.join(dst, 'imgLabelList.txt'))).toEqual(lines(path.join(src, 'imgLabelList.txt')))
    expect(fs.readdirSync(path.join(dst, 'JPEGImages')).sort()).toEqual([...pis.images].sort())
    // JPEGs without rotation are copied byte for byte
    const first = pis.images[0]!
    expect(
      fs
        .readFileSync(path.join(dst, 'JPEGImages', first))
        .equals(fs.readFileSync(path.join(src, 'JPEGImages', first))),
    ).toBe(true)
  })

  it('CLI: pss-studio export --project --album --format --out [--json]', async () => {
    fx = await albumFixture(tmp, 2, { name: 'Beach' })
    const [id] = fx.imageIds as [number]
    const labels = labelsFor(fx.width, fx.height, 4)
    await fx.studio.api.saveMask({ imageId: id, indicesBase64: b64(labels), baseVersion: null })
    const projectDir = fx.project.root
    await fx.studio.close()
    fx = null
    const out = path.join(tmp.make(), 'out')
    const lines: string[] = []
    const errs: string[] = []
    const io = {
      out: (l: string) => lines.push(l),
      err: (l: string) => errs.push(l),
      signal: new AbortController().signal,
    }
    const code = await runCli(
      ['export', '--project', projectDir, '--album', 'Beach', '--format', 'pis', '--out', out, '--json'],
      io,
    )
    expect(code, errs.join('\n')).toBe(0)
    expect(JSON.parse(lines.join('\n'))).toMatchObject({
      format: 'pis',
      masks: 1,
      images: 2,
      albumName: 'Beach',
    })
    const m = decodeLabelPng(
      fs.readFileSync(path.join(out, 'personal', 'id7', 'SegmentationClass', 'photo_000.png')),
    )
    expect(Buffer.from(m.labels).equals(Buffer.from(labels))).toBe(true)
    errs.length = 0
    expect(
      await runCli(
        [
          'export',
          '--project',
          projectDir,
          '--album',
          'Nope',
          '--format',
          'voc',
          '--out',
          path.join(tmp.make(), 'o'),
        ],
        io,
      ),
    ).toBe(2)
    expect(errs.join('\n')).toContain('no album "Nope"')
    expect(
      await runCli(
        [
          'export',
          '--project',
          projectDir,
          '--album',
          'Beach',
          '--format',
          'coco',
          '--out',
          path.join(tmp.make(), 'o'),
        ],
        io,
      ),
    ).toBe(2)
  })
})

/** The VOC palette as Pillow reads it from an exported file: entries 15 (person), 8 (cat) and 0. */
function p0(out: string): number[] {
  const p = pillow(path.join(out, 'SegmentationClass/photo_000.png')).palette
  const at = (i: number) => `${p[i * 3]},${p[i * 3 + 1]},${p[i * 3 + 2]}`
  const person = at(15) === '192,128,128' ? 15 : -1
  const cat = at(8) === '64,0,0' ? 8 : -1
  const bg = at(0) === '0,0,0' ? 0 : -1
  return [person, cat, bg]
}
