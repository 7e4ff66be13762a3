/**
 * The tiny preset, generated once, read back from disk: VOC and PIS layouts, masks, tags, the
 * validation split and the cluster files must be exactly what the importers expect.
 */
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSyntheticBenchmark, type Manifest } from '../../../src/main/datasets/synthetic'
import { maskClasses, parsePisLine, readLabelList, readLines, tempDir } from './synthetic-helpers'

let out: string
let manifest: Manifest
let seconds: number

beforeAll(async () => {
  out = tempDir('layout')
  const t0 = performance.now()
  manifest = await generateSyntheticBenchmark({ out, preset: 'tiny', seed: 7 })
  seconds = (performance.now() - t0) / 1000
  console.log(`tiny preset generated in ${seconds.toFixed(2)} s`)
})

afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true })
})

const voc = () => path.join(out, 'VOCdevkit', 'VOC2012')
const album = (id: string) => path.join(out, 'personal', id)
const namesIn = (dir: string, ext: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .map((f) => f.slice(0, -ext.length))
    .sort()

describe('synthetic benchmark, tiny preset', () => {
  it('writes the VOC source layout with a mask for every image and disjoint train/val lists', async () => {
    const v = voc()
    const jpgs = namesIn(path.join(v, 'JPEGImages'), '.jpg')
    const pngs = namesIn(path.join(v, 'SegmentationClass'), '.png')
    expect(jpgs.length).toBe(manifest.counts.sourceImages)
    expect(jpgs.length).toBeGreaterThanOrEqual(50)
    expect(pngs).toEqual(jpgs)
    const train = readLines(path.join(v, 'ImageSets', 'Segmentation', 'train.txt'))
    const val = readLines(path.join(v, 'ImageSets', 'Segmentation', 'val.txt'))
    expect(train.filter((n) => val.includes(n))).toEqual([])
    expect([...train, ...val].sort()).toEqual(jpgs)
    expect(readLines(path.join(v, 'ImageSets', 'Segmentation', 'trainval.txt'))).toEqual(jpgs)
    expect(val.length).toBe(manifest.counts.sourceVal)
    expect(val.length / jpgs.length).toBeCloseTo(0.2, 1)
    // No stray temp files from the atomic writes.
    expect(fs.readdirSync(path.join(v, 'JPEGImages')).filter((f) => f.startsWith('.tmp'))).toEqual([])
  })

  it('source masks decode to VOC indices at the exact image size, with objects of several classes', async () => {
    const v = voc()
    const seen = new Set<number>()
    for (const name of namesIn(path.join(v, 'JPEGImages'), '.jpg')) {
      const meta = await sharp(path.join(v, 'JPEGImages', `${name}.jpg`)).metadata()
      const m = maskClasses(path.join(v, 'SegmentationClass', `${name}.png`))
      expect([m.width, m.height]).toEqual([meta.width, meta.height])
      for (const value of m.values) expect(value <= 20 || value === 255).toBe(true)
      expect(m.values.has(0)).toBe(true)
      expect(m.values.has(255)).toBe(true)
      expect(m.classes.length).toBeGreaterThanOrEqual(1)
      expect(m.classes.length).toBeLessThanOrEqual(4)
      for (const c of m.classes) seen.add(c)
    }
    expect(seen.size).toBeGreaterThanOrEqual(8)
  })

  it('writes one PIS album per user with masks only for the validation images', () => {
    expect(manifest.users.map((u) => u.id)).toEqual(['id1', 'id2', 'id3'])
    for (const u of manifest.users) {
      const dir = album(u.id)
      const jpgs = namesIn(path.join(dir, 'JPEGImages'), '.jpg')
      expect(jpgs.length).toBe(u.images)
      const val = readLines(path.join(dir, 'val_all.txt')).map(parsePisLine)
      expect(val.every(([, n]) => n === 0)).toBe(true)
      const valNames = val.map(([n]) => n).sort()
      expect(namesIn(path.join(dir, 'SegmentationClass'), '.png')).toEqual(valNames)
      for (const n of valNames) expect(jpgs).toContain(n)
      expect(valNames.length).toBe(u.validation)
    }
  })

  it('album names follow PIS: no dots, and at least one per user starting with "-"', () => {
    for (const u of manifest.users) {
      const jpgs = namesIn(path.join(album(u.id), 'JPEGImages'), '.jpg')
      expect(jpgs.every((n) => !n.includes('.'))).toBe(true)
      expect(jpgs.some((n) => n.startsWith('-'))).toBe(true)
    }
  })

  it('album masks decode to VOC indices at the image size, and their classes equal imgLabelList', async () => {
    for (const u of manifest.users) {
      const dir = album(u.id)
      const tags = readLabelList(path.join(dir, 'imgLabelList.txt'))
      expect([...tags.keys()].sort()).toEqual(namesIn(path.join(dir, 'JPEGImages'), '.jpg'))
      for (const name of namesIn(path.join(dir, 'SegmentationClass'), '.png')) {
        const meta = await sharp(path.join(dir, 'JPEGImages', `${name}.jpg`)).metadata()
        const m = maskClasses(path.join(dir, 'SegmentationClass', `${name}.png`))
        expect([m.width, m.height]).toEqual([meta.width, meta.height])
        for (const value of m.values) expect(value <= 20 || value === 255).toBe(true)
        expect(m.classes).toEqual(tags.get(name))
      }
      for (const t of tags.values()) expect(t.length).toBeGreaterThan(0)
    }
  })

  it('validates ~30% of each album, drawn in every scene group of the cluster file', () => {
    for (const u of manifest.users) {
      const dir = album(u.id)
      const clusterFile = path.join(dir, `train_cluster${u.groups}.txt`)
      expect(u.clusterFile).toBe(`train_cluster${u.groups}.txt`)
      const groups = new Map(readLines(clusterFile).map(parsePisLine))
      expect([...groups.keys()].sort()).toEqual(namesIn(path.join(dir, 'JPEGImages'), '.jpg'))
      expect(new Set(groups.values())).toEqual(new Set(Array.from({ length: u.groups }, (_, g) => g)))
      const val = readLines(path.join(dir, 'val_all.txt')).map((l) => parsePisLine(l)[0])
      const share = val.length / groups.size
      expect(share).toBeGreaterThanOrEqual(0.25)
      expect(share).toBeLessThanOrEqual(0.38)
      for (let g = 0; g < u.groups; g++) {
        const inGroup = [...groups].filter(([, k]) => k === g).map(([n]) => n)
        const valInGroup = inGroup.filter((n) => val.includes(n))
        expect(valInGroup.length).toBeGreaterThanOrEqual(1)
        expect(valInGroup.length).toBeLessThan(inGroup.length)
      }
    }
  })

  it('albums contain some portrait photos and several sizes', async () => {
    const sizes = new Set<string>()
    let portrait = 0
    for (const u of manifest.users) {
      const dir = path.join(album(u.id), 'JPEGImages')
      for (const f of fs.readdirSync(dir)) {
        const meta = await sharp(path.join(dir, f)).metadata()
        sizes.add(`${meta.width}x${meta.height}`)
        if (meta.height! > meta.width!) portrait++
      }
    }
    expect(sizes.size).toBeGreaterThanOrEqual(3)
    expect(portrait).toBeGreaterThanOrEqual(1)
  })

  it('writes a manifest whose counts and classes match the files', () => {
    const onDisk = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as Manifest
    expect(onDisk).toEqual(manifest)
    expect(manifest).toMatchObject({ format: 'pss-synthetic-benchmark', version: 1, seed: 7, preset: 'tiny' })
    expect(manifest.counts.albumImages).toBe(manifest.users.reduce((a, u) => a + u.images, 0))
    for (const u of manifest.users) {
      const tags = readLabelList(path.join(album(u.id), 'imgLabelList.txt'))
      const counts: Record<string, number> = {}
      for (const t of tags.values()) for (const c of t) counts[c] = (counts[c] ?? 0) + 1
      expect(Object.values(u.classImageCounts).reduce((a, b) => a + b!, 0)).toBe(
        Object.values(counts).reduce((a, b) => a + b, 0),
      )
      expect(u.classesUsed.length).toBe(Object.keys(counts).length)
      expect(u.traits.places.reduce((a, p) => a + p.images, 0)).toBe(u.images)
      expect(u.traits.recurringObjects.length).toBeGreaterThanOrEqual(1)
      expect(u.traits.jpegQuality).toBeGreaterThanOrEqual(55)
    }
  })
})
