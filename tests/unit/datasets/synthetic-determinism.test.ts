/**
 * Same seed + preset → byte-identical files; another seed → other images. Also the output-folder rules
 * (refuse a non-empty folder, overwrite only when asked) and argument checks.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { generateSyntheticBenchmark, SyntheticBenchmarkError } from '../../../src/main/datasets/synthetic'
import { allocate } from '../../../src/main/datasets/synthetic/plan'
import { Rng } from '../../../src/main/datasets/synthetic/rng'
import { boundaryBand } from '../../../src/main/datasets/synthetic/render'
import { hashTree, tempDir } from './synthetic-helpers'

const dirs: string[] = []
const fresh = (p: string) => {
  const d = tempDir(p)
  dirs.push(d)
  return d
}

afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

describe('synthetic benchmark determinism', () => {
  it('writes byte-identical files for the same seed and different images for another seed', async () => {
    const a = fresh('a')
    const b = fresh('b')
    const c = fresh('c')
    await generateSyntheticBenchmark({ out: a, preset: 'tiny', seed: 11 })
    // A different concurrency changes the order images finish in, not their bytes.
    await generateSyntheticBenchmark({ out: b, preset: 'tiny', seed: 11, concurrency: 1 })
    await generateSyntheticBenchmark({ out: c, preset: 'tiny', seed: 12 })
    const ha = hashTree(a)
    const hb = hashTree(b)
    const hc = hashTree(c)
    expect(ha.size).toBeGreaterThan(100)
    expect([...hb.entries()].sort()).toEqual([...ha.entries()].sort())

    // Source images share names across seeds (2012_000001…), so compare them name by name.
    const sourceJpgs = [...ha.keys()].filter((k) => k.includes(`JPEGImages${path.sep}2012_`))
    const same = sourceJpgs.filter((k) => hc.get(k) === ha.get(k))
    expect(sourceJpgs.length).toBeGreaterThan(50)
    expect(same).toEqual([])
    // Album names come from the seed too: no album file of one seed appears in the other.
    const albumA = [...ha.keys()].filter((k) => k.startsWith('personal') && k.includes('JPEGImages'))
    expect(albumA.filter((k) => hc.has(k))).toEqual([])
    expect(ha.get('manifest.json')).not.toBe(hc.get('manifest.json'))
  })

  it('refuses a non-empty output folder unless overwrite is set, then replaces its own content only', async () => {
    const out = fresh('over')
    fs.writeFileSync(path.join(out, 'notes.txt'), 'keep me')
    await expect(generateSyntheticBenchmark({ out, preset: 'tiny', seed: 3 })).rejects.toThrow(
      /not empty.*overwrite: true/,
    )
    expect(fs.readdirSync(out)).toEqual(['notes.txt'])

    await generateSyntheticBenchmark({ out, preset: 'tiny', seed: 3, overwrite: true })
    // A stale file inside the generator's folders disappears on overwrite; the user's own file stays.
    const stale = path.join(out, 'personal', 'id1', 'JPEGImages', 'stale.jpg')
    fs.writeFileSync(stale, 'old')
    const first = hashTree(out)
    first.delete(path.join('personal', 'id1', 'JPEGImages', 'stale.jpg'))
    await generateSyntheticBenchmark({ out, preset: 'tiny', seed: 3, overwrite: true })
    expect(fs.existsSync(stale)).toBe(false)
    expect(fs.readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('keep me')
    expect([...hashTree(out).entries()].sort()).toEqual([...first.entries()].sort())
  })

  it('reports progress up to the total number of images', async () => {
    const out = fresh('progress')
    const seen: number[] = []
    let total = 0
    const m = await generateSyntheticBenchmark({
      out,
      preset: 'tiny',
      seed: 5,
      onProgress: (p) => {
        seen.push(p.done)
        total = p.total
      },
    })
    expect(total).toBe(m.counts.sourceImages + m.counts.albumImages)
    expect(Math.max(...seen)).toBe(total)
    expect(seen).toEqual([...seen].sort((x, y) => x - y))
  })

  it('stops when aborted and writes no manifest', async () => {
    const out = fresh('abort')
    const ctl = new AbortController()
    const run = generateSyntheticBenchmark({
      out,
      preset: 'tiny',
      seed: 5,
      signal: ctl.signal,
      onProgress: (p) => p.done >= 10 && ctl.abort(),
    })
    await expect(run).rejects.toThrow()
    expect(fs.existsSync(path.join(out, 'manifest.json'))).toBe(false)
  })

  it('rejects unknown presets, bad seeds and a file as output folder with clear messages', async () => {
    const out = fresh('args')
    await expect(generateSyntheticBenchmark({ out, preset: 'huge' as 'tiny', seed: 1 })).rejects.toThrow(
      /unknown preset "huge"/,
    )
    await expect(generateSyntheticBenchmark({ out, preset: 'tiny', seed: -1 })).rejects.toThrow(
      SyntheticBenchmarkError,
    )
    await expect(generateSyntheticBenchmark({ out, preset: 'tiny', seed: 1.5 })).rejects.toThrow(
      /seed must be an integer/,
    )
    const file = path.join(out, 'a-file')
    fs.writeFileSync(file, 'x')
    await expect(generateSyntheticBenchmark({ out: file, preset: 'tiny', seed: 1 })).rejects.toThrow(
      /is not a folder/,
    )
  })
})

describe('synthetic benchmark building blocks', () => {
  it('derives the same random stream from the same labels and different ones otherwise', () => {
    const draw = (r: Rng) => Array.from({ length: 5 }, () => r.nextU32())
    expect(draw(Rng.derive(1, 'user', 2))).toEqual(draw(Rng.derive(1, 'user', 2)))
    expect(draw(Rng.derive(1, 'user', 2))).not.toEqual(draw(Rng.derive(1, 'user', 3)))
    expect(draw(Rng.derive(1, 'user', 2))).not.toEqual(draw(Rng.derive(2, 'user', 2)))
  })

  it('allocates album images over places proportionally, with a minimum, summing to n', () => {
    expect(allocate(24, [1, 1, 1], 3)).toEqual([8, 8, 8])
    const counts = allocate(100, [1, 0.5, 0.25, 0.125], 3)
    expect(counts.reduce((a, b) => a + b, 0)).toBe(100)
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(3)
    expect(counts).toEqual([...counts].sort((a, b) => b - a))
    expect(allocate(5, [1, 1, 1], 3).reduce((a, b) => a + b, 0)).toBe(5)
  })

  it('marks a band of 255 on both sides of every label boundary, not at the image border', () => {
    // 6×4 map: background with a 2×2 object of class 7 in the middle-left.
    const w = 6
    const h = 4
    const labels = new Uint8Array(w * h)
    for (const [x, y] of [
      [1, 1],
      [2, 1],
      [1, 2],
      [2, 2],
    ] as const)
      labels[y * w + x] = 7
    const band = boundaryBand(labels, w, h, 1)
    const rows = Array.from({ length: h }, (_, y) =>
      Array.from(band.subarray(y * w, (y + 1) * w))
        .map((v) => (v === 255 ? 'x' : String(v)))
        .join(''),
    )
    expect(rows).toEqual(['xxxx00', 'xxxx00', 'xxxx00', 'xxxx00'])
    const noBand = boundaryBand(new Uint8Array(w * h).fill(3), w, h, 1)
    expect(noBand.every((v) => v === 3)).toBe(true)
  })

  it('computes the band like a brute-force window scan on random label maps', () => {
    // Reference: a pixel is in the band when any pixel of its clipped (2r+1)² window has another label.
    const brute = (l: Uint8Array, w: number, h: number, r: number) => {
      const o = Uint8Array.from(l)
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let edge = false
          for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
            for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++)
              if (l[yy * w + xx] !== l[y * w + x]) edge = true
          }
          if (edge) o[y * w + x] = 255
        }
      }
      return o
    }
    const rng = new Rng(99)
    for (let t = 0; t < 200; t++) {
      const w = rng.int(1, 24)
      const h = rng.int(1, 24)
      const r = rng.int(0, 3)
      const k = rng.int(1, 4)
      const l = new Uint8Array(w * h)
      // Mostly runs of one label, so there are regions and boundaries rather than pure noise.
      for (let i = 0; i < l.length; i++) l[i] = i > 0 && rng.chance(0.8) ? l[i - 1]! : rng.int(0, k - 1) * 5
      expect(Array.from(boundaryBand(l, w, h, r))).toEqual(Array.from(brute(l, w, h, r)))
    }
  })
})
