import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { importVoc, resolveVocRoot } from '../../../src/main/datasets'
import { encodeLabelPng } from '../../../src/main/media'
import { makeTempDir, writeGreyPng, writeJpeg, writeText } from '../media/helpers'
import { recordingContext } from './recording-target'

let tmp: ReturnType<typeof makeTempDir>
beforeEach(() => {
  tmp = makeTempDir('pss-voc-')
})
afterEach(() => tmp.cleanup())

const W = 24
const H = 18
const IDS = ['2007_000032', '2007_000039', '2008_000002', '2008_000003', '2009_000001']

/** VOCdevkit/VOC2012 with 5 images, 2 palette masks, 1 greyscale Aug mask and three lists. */
async function makeVoc(root: string, withLists = true): Promise<string> {
  const voc = join(root, 'VOCdevkit', 'VOC2012')
  for (const [i, id] of IDS.entries())
    await writeJpeg(join(voc, 'JPEGImages', `${id}.jpg`), { width: W, height: H, seed: i })
  mkdirSync(join(voc, 'SegmentationClass'), { recursive: true })
  writeFileSync(
    join(voc, 'SegmentationClass', '2007_000032.png'),
    encodeLabelPng({ width: W, height: H, labels: new Uint8Array(W * H).fill(1) }),
  )
  writeFileSync(
    join(voc, 'SegmentationClass', '2007_000039.png'),
    encodeLabelPng({ width: W, height: H, labels: new Uint8Array(W * H).fill(255) }),
  )
  await writeGreyPng(
    join(voc, 'SegmentationClassAug', '2008_000002.png'),
    W,
    H,
    new Uint8Array(W * H).fill(7),
  )
  // The Aug copy of an image that also has a SegmentationClass mask: SegmentationClass wins.
  await writeGreyPng(
    join(voc, 'SegmentationClassAug', '2007_000032.png'),
    W,
    H,
    new Uint8Array(W * H).fill(2),
  )
  if (withLists) {
    const sets = join(voc, 'ImageSets', 'Segmentation')
    writeText(join(sets, 'train.txt'), '2007_000032\n2008_000002\n2007_000032\n')
    writeText(join(sets, 'val.txt'), '2007_000039\n2010_999999\n')
    writeText(
      join(sets, 'train_aug.txt'),
      '/JPEGImages/2008_000003.jpg /SegmentationClassAug/2008_000003.png\n',
    )
  }
  return voc
}

describe('importVoc', () => {
  it('imports the listed images with palette and Aug masks, stores each list, references files in place', async () => {
    const voc = await makeVoc(tmp.dir)
    const rec = recordingContext()
    const summary = await importVoc(rec.ctx, { root: tmp.dir, copy: false })
    const t = rec.target
    expect(t.sources).toEqual([{ id: 1, name: 'VOC2012', format: 'voc', root: voc }])
    // 2009_000001 is in no list: not imported.
    expect(t.images.map((r) => r.image.name)).toEqual([
      '2007_000032.jpg',
      '2007_000039.jpg',
      '2008_000002.jpg',
      '2008_000003.jpg',
    ])
    expect(t.images.every((r) => r.image.copy === false && 'sourceId' in r.owner)).toBe(true)
    expect(summary).toEqual({
      albumIds: [],
      sourceIds: [1],
      imported: 4,
      duplicates: 0,
      masks: 3,
      rejected: 0,
    })
    const idOf = (stem: string) => t.images.find((r) => r.image.name === `${stem}.jpg`)!.id
    expect(t.maskOf(idOf('2007_000032'))).toMatchObject({ origin: 'VOC SegmentationClass/2007_000032.png' })
    expect(t.maskOf(idOf('2007_000032'))!.labels.every((v) => v === 1)).toBe(true)
    expect(t.maskOf(idOf('2007_000039'))!.labels.every((v) => v === 255)).toBe(true)
    expect(t.maskOf(idOf('2008_000002'))).toMatchObject({
      origin: 'VOC SegmentationClassAug/2008_000002.png',
    })
    expect(t.maskOf(idOf('2008_000002'))!.labels.every((v) => v === 7)).toBe(true)
    expect(t.maskOf(idOf('2008_000003'))).toBeUndefined()
    expect(t.sourceLists).toEqual([
      { sourceId: 1, name: 'train', ids: [idOf('2007_000032'), idOf('2008_000002')] },
      { sourceId: 1, name: 'train_aug', ids: [idOf('2008_000003')] },
      { sourceId: 1, name: 'val', ids: [idOf('2007_000039')] },
    ])
    expect(rec.problemLines()).toEqual(['val.txt: line 2: image 2010_999999 is not in JPEGImages'])
  })

  it('finds the dataset from VOCdevkit, VOC2012 or its parent, and takes a custom name', async () => {
    const voc = await makeVoc(tmp.dir)
    expect(await resolveVocRoot(tmp.dir)).toBe(voc)
    expect(await resolveVocRoot(join(tmp.dir, 'VOCdevkit'))).toBe(voc)
    expect(await resolveVocRoot(voc)).toBe(voc)
    await expect(resolveVocRoot(join(voc, 'ImageSets'))).rejects.toThrow(
      /^no VOC dataset in .*ImageSets: expected VOCdevkit\/VOC2012\/JPEGImages/,
    )
    const rec = recordingContext()
    await importVoc(rec.ctx, { root: join(tmp.dir, 'VOCdevkit'), name: 'Pascal', copy: true })
    expect(rec.target.sources[0]!.name).toBe('Pascal')
    expect(rec.target.images.every((r) => r.image.copy)).toBe(true)
  })

  it('imports all of JPEGImages when there are no lists', async () => {
    await makeVoc(tmp.dir, false)
    const rec = recordingContext()
    const s = await importVoc(rec.ctx, { root: tmp.dir, copy: false })
    expect(s.imported).toBe(5)
    expect(s.masks).toBe(3)
    expect(rec.target.sourceLists).toEqual([])
  })

  it('names the first 20 missing ids of a list and counts the rest in one line', async () => {
    const voc = await makeVoc(tmp.dir)
    const missing = Array.from({ length: 25 }, (_, i) => `2012_${String(i).padStart(6, '0')}`)
    writeText(join(voc, 'ImageSets', 'Segmentation', 'test.txt'), missing.join('\n'))
    const rec = recordingContext()
    await importVoc(rec.ctx, { root: voc, copy: false })
    const lines = rec.problemLines().filter((l) => l.startsWith('test.txt'))
    expect(lines).toHaveLength(21)
    expect(lines[0]).toBe('test.txt: line 1: image 2012_000000 is not in JPEGImages')
    expect(lines[20]).toBe('test.txt: 5 more lines name images that are not in JPEGImages')
    expect(rec.target.sourceLists.find((l) => l.name === 'test')).toEqual({
      sourceId: 1,
      name: 'test',
      ids: [],
    })
  })
})
