/**
 * Training on labelled image files (image + label PNG paths), decoded in the worker: bad files are
 * reported by name and skipped, the batch order is a pure function of (seed, iteration), and a run on
 * real files in a worker trains.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeShapesBatch } from '../../../src/main/engine/data/synthetic-shapes'
import { Rng } from '../../../src/main/engine/train/rng'
import { encodeLabelPng } from '../../../src/main/media/label-png'
import {
  fileBatchAt,
  loadLabelledFiles,
  sampleIndices,
  type FileProblem,
  type LabelledFile,
} from '../../../src/main/engine/runs'
import { startTrainingWorker } from '../../../src/main/engine/api'
import { openFileBatchLoader } from '../../../src/main/engine/runs/batch-loader'

let tmp = ''
let good: LabelledFile[] = []
let bad: LabelledFile[] = []
const SIDE = 80

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-train-files-'))
  const b = makeShapesBatch(new Rng(11), 6, SIDE)
  good = []
  for (let i = 0; i < b.n; i++) {
    const px = SIDE * SIDE
    const rgb = Buffer.from(Uint8ClampedArray.from(b.images.subarray(i * px * 3, (i + 1) * px * 3)))
    const image = path.join(tmp, `img${i}.jpg`)
    await sharp(rgb, { raw: { width: SIDE, height: SIDE, channels: 3 } })
      .jpeg({ quality: 95 })
      .toFile(image)
    const mask = path.join(tmp, `img${i}.png`)
    const labels = Uint8Array.from(b.labels.subarray(i * px, (i + 1) * px))
    fs.writeFileSync(mask, encodeLabelPng({ width: SIDE, height: SIDE, labels }))
    good.push({ image, mask })
  }
  const notImage = path.join(tmp, 'broken.jpg')
  fs.writeFileSync(notImage, 'not a jpeg')
  const small = path.join(tmp, 'small.png')
  fs.writeFileSync(small, encodeLabelPng({ width: 8, height: 8, labels: new Uint8Array(64) }))
  const outOfRange = path.join(tmp, 'class30.png')
  fs.writeFileSync(
    outOfRange,
    encodeLabelPng({ width: SIDE, height: SIDE, labels: new Uint8Array(SIDE * SIDE).fill(30) }),
  )
  const g0 = good[0] as LabelledFile
  bad = [
    { image: notImage, mask: g0.mask },
    { image: g0.image, mask: small },
    { image: g0.image, mask: outOfRange },
    { image: g0.image, mask: path.join(tmp, 'missing.png') },
  ]
})

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true })
})

describe('data worker', () => {
  it('serves the same batches as the training thread would cut, in any order, and names bad files', async () => {
    const loader = await openFileBatchLoader({
      items: [...good, ...bad],
      numClasses: 4,
      seed: 5,
      batch: 3,
      size: 32,
      prefetch: 2,
    })
    try {
      expect(loader.count).toBe(good.length)
      expect(loader.problems.map((p) => path.basename(p.file)).sort()).toEqual(
        ['broken.jpg', 'class30.png', 'missing.png', 'small.png'].sort(),
      )
      const { items } = await loadLabelledFiles(good, 4)
      // Out of order and repeated-ahead requests: a resume asks for a later iteration first.
      for (const it of [4, 5, 1, 2, 9]) {
        const got = await loader.batchAt(it)
        const want = fileBatchAt(items, 5, it, 3, 32)
        expect(got.n).toBe(3)
        expect(got.size).toBe(32)
        expect(Buffer.from(got.images.buffer).equals(Buffer.from(want.images.buffer))).toBe(true)
        expect(Buffer.from(got.labels.buffer).equals(Buffer.from(want.labels.buffer))).toBe(true)
      }
    } finally {
      await loader.close()
    }
    await expect(loader.batchAt(1)).rejects.toThrow(/closed/)
  })

  it('reports a data set with no usable file as zero items, not a crash', async () => {
    const loader = await openFileBatchLoader({ items: bad, numClasses: 4, seed: 1, batch: 2, size: 16 })
    try {
      expect(loader.count).toBe(0)
      expect(loader.problems).toHaveLength(bad.length)
      await expect(loader.batchAt(1)).rejects.toThrow(/no usable labelled images/)
    } finally {
      await loader.close()
    }
  })
})

describe('labelled files', () => {
  it('loads good items and names each bad file with its problem', async () => {
    const { items, problems } = await loadLabelledFiles([...good, ...bad], 4)
    expect(items).toHaveLength(good.length)
    expect(items[0]?.image).toMatchObject({ width: SIDE, height: SIDE, channels: 3 })
    expect(problems.map((p) => path.basename(p.file))).toEqual([
      'broken.jpg',
      'small.png',
      'class30.png',
      'missing.png',
    ])
    expect(problems[0]?.reason).toMatch(/^cannot decode the image: /)
    expect(problems[1]?.reason).toBe(`mask is 8×8 but its image ${good[0]?.image} is ${SIDE}×${SIDE}`)
    expect(problems[2]?.reason).toBe('label 30 is outside 0..3 (and is not the ignore label 255)')
    expect(problems[3]?.reason).toMatch(/^cannot read the label PNG: ENOENT/)
  })

  it('visits every item once per epoch, in an order that depends only on (seed, iteration)', () => {
    const n = 6
    const batch = 4
    const seq = [1, 2, 3].flatMap((it) => sampleIndices(5, it, batch, n))
    expect([...seq.slice(0, 6)].sort()).toEqual([0, 1, 2, 3, 4, 5])
    expect([...seq.slice(6, 12)].sort()).toEqual([0, 1, 2, 3, 4, 5])
    // Asking for iteration 3 alone (as a resumed run does) gives what the sequence gave.
    expect(sampleIndices(5, 3, batch, n)).toEqual(seq.slice(8, 12))
    expect(sampleIndices(6, 3, batch, n)).not.toEqual(seq.slice(8, 12))
  })

  it('builds the same augmented batch for the same (seed, iteration), labels in range or ignore', async () => {
    const { items } = await loadLabelledFiles(good, 4)
    const a = fileBatchAt(items, 5, 7, 4, 64)
    const b = fileBatchAt(items, 5, 7, 4, 64)
    const c = fileBatchAt(items, 5, 8, 4, 64)
    expect(a.images).toEqual(b.images)
    expect(a.labels).toEqual(b.labels)
    expect(a.images).not.toEqual(c.images)
    expect(a.images).toHaveLength(4 * 64 * 64 * 3)
    const values = new Set(a.labels)
    for (const v of values) expect([0, 1, 2, 3, 255]).toContain(v)
    expect([...values].filter((v) => v > 0 && v < 255).length).toBeGreaterThan(0)
  })

  it('trains on the files in a worker; bad files are reported and skipped', async () => {
    const problems: FileProblem[] = []
    const losses: number[] = []
    const r = await startTrainingWorker(
      {
        runDir: path.join(tmp, 'run'),
        seed: 2,
        steps: 12,
        batch: 4,
        size: 64,
        width: 16,
        checkpointEvery: 0,
        data: { kind: 'files', items: [...good, ...bad], numClasses: 4 },
      },
      { onProblem: (p) => problems.push(p), onProgress: (p) => losses.push(p.loss) },
    ).result
    expect(r.status).toBe('done')
    expect(problems.map((p) => path.basename(p.file))).toEqual([
      'broken.jpg',
      'small.png',
      'class30.png',
      'missing.png',
    ])
    expect(losses).toHaveLength(12)
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length
    expect(mean(losses.slice(-3))).toBeLessThan(mean(losses.slice(0, 3)))
  }, 40_000)

  it('fails with a clear message when no file is usable', async () => {
    await expect(
      startTrainingWorker({
        runDir: path.join(tmp, 'run-bad'),
        seed: 2,
        steps: 2,
        data: { kind: 'files', items: bad, numClasses: 4 },
      }).result,
    ).rejects.toThrow('training failed: none of the 4 labelled images could be used (see the problems)')
  }, 30_000)
})
