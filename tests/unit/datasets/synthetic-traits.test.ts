/**
 * The personal traits are really in the pixels: each album carries its configured colour shift (measured
 * on the decoded JPEGs against the same scenes rendered without it, which the source set does not
 * carry), its own class frequencies, recurring objects, and recurring places that form clusters.
 */
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  generateSyntheticBenchmark,
  planBenchmark,
  PRESETS,
  renderImage,
  type Manifest,
  type PlannedImage,
} from '../../../src/main/datasets/synthetic'
import { parseVocClass } from '../../../src/shared/voc'
import {
  jpegStats,
  maskClasses,
  readLabelList,
  tagDistribution,
  tempDir,
  totalVariation,
} from './synthetic-helpers'

const SEED = 21
let out: string
let manifest: Manifest

beforeAll(async () => {
  out = tempDir('traits')
  manifest = await generateSyntheticBenchmark({ out, preset: 'tiny', seed: SEED })
})

afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true })
})

type Colour = Manifest['users'][number]['traits']['colour']

/**
 * Independent restatement of the documented colour step: saturation around luma (0.299, 0.587, 0.114),
 * per-channel gains, contrast around 128, brightness, clamp to 0–255.
 */
function expectedPixel(r: number, g: number, b: number, c: Colour): [number, number, number] {
  const y = 0.299 * r + 0.587 * g + 0.114 * b
  const rgb = [r, g, b].map((v, ch) => {
    const s = y + c.saturation * (v - y)
    const out = (s * c.gains[ch]! - 128) * c.contrast + 128 + c.brightness
    return Math.min(255, Math.max(0, out))
  })
  return [rgb[0]!, rgb[1]!, rgb[2]!]
}

interface Means {
  clean: number[]
  expected: number[] | null
  actual: number[]
}

/** Album-wide mean colour: of the clean renders, of the expected shifted colours, and of the JPEGs. */
async function albumMeans(
  images: readonly PlannedImage[],
  dir: string,
  colour: Colour | null,
): Promise<Means> {
  const clean = [0, 0, 0]
  const expected = [0, 0, 0]
  const actual = [0, 0, 0]
  let pixels = 0
  for (const img of images) {
    const r = renderImage(img.spec(), { bandRadius: PRESETS.tiny.bandRadius })
    for (let i = 0; i < r.rgb.length; i += 3) {
      const p = [r.rgb[i]!, r.rgb[i + 1]!, r.rgb[i + 2]!]
      for (let ch = 0; ch < 3; ch++) clean[ch]! += p[ch]!
      if (colour) {
        const e = expectedPixel(p[0]!, p[1]!, p[2]!, colour)
        for (let ch = 0; ch < 3; ch++) expected[ch]! += e[ch]!
      }
    }
    const s = await jpegStats(path.join(dir, `${img.name}.jpg`))
    expect(s.pixels).toBe(r.width * r.height)
    for (let ch = 0; ch < 3; ch++) actual[ch]! += s.sum[ch]!
    pixels += s.pixels
  }
  const mean = (a: number[]) => a.map((v) => v / pixels)
  return { clean: mean(clean), expected: colour ? mean(expected) : null, actual: mean(actual) }
}

describe('synthetic personal traits', () => {
  it("each album's JPEGs carry the user's configured colour shift; the source set has no systematic one", async () => {
    const plan = planBenchmark(SEED, 'tiny')
    for (const [k, u] of manifest.users.entries()) {
      const m = await albumMeans(
        plan.users[k]!.images,
        path.join(out, 'personal', u.id, 'JPEGImages'),
        u.traits.colour,
      )
      // Blur, noise and JPEG leave the mean nearly unchanged: the file mean is the configured colour step.
      for (let ch = 0; ch < 3; ch++) expect(Math.abs(m.actual[ch]! - m.expected![ch]!)).toBeLessThan(2.5)
      // And that step is a real shift, several levels in at least one channel.
      const shift = Math.max(...[0, 1, 2].map((ch) => Math.abs(m.actual[ch]! - m.clean[ch]!)))
      expect(shift).toBeGreaterThan(6)
      // The cast itself (gains ≠ 1 in opposite directions) moves the channels apart.
      const g = u.traits.colour.gains
      expect(Math.max(...g) / Math.min(...g)).toBeGreaterThan(1.15)
    }
    const src = await albumMeans(
      plan.source.images,
      path.join(out, 'VOCdevkit', 'VOC2012', 'JPEGImages'),
      null,
    )
    for (let ch = 0; ch < 3; ch++) expect(Math.abs(src.actual[ch]! - src.clean[ch]!)).toBeLessThan(3)
  })

  it("each user's class frequencies differ from the source's, with their recurring objects' classes over-represented", () => {
    const srcDir = path.join(out, 'VOCdevkit', 'VOC2012', 'SegmentationClass')
    const sourceTags = fs.readdirSync(srcDir).map((f) => maskClasses(path.join(srcDir, f)).classes)
    const source = tagDistribution(sourceTags)
    for (const u of manifest.users) {
      const tags = readLabelList(path.join(out, 'personal', u.id, 'imgLabelList.txt'))
      const user = tagDistribution(tags.values())
      expect(totalVariation(user, source)).toBeGreaterThan(0.15)
      const recurring = u.traits.recurringObjects.map((r) => parseVocClass(r.class)!)
      // The user's own pet/car/... is photographed more than such objects appear in public photos.
      expect(recurring.some((id) => (user.get(id) ?? 0) > (source.get(id) ?? 0))).toBe(true)
    }
  })

  it('recurring objects reappear with the same look across an album', () => {
    const plan = planBenchmark(SEED, 'tiny')
    for (const u of plan.users) {
      const counts = u.traits.companions.map(
        (c) =>
          u.images.filter((img) => img.spec().objects.some((o) => o.look.shapeSeed === c.look.shapeSeed))
            .length,
      )
      expect(Math.max(...counts)).toBeGreaterThanOrEqual(2)
    }
  })

  it('recurring places make photos of the same place look alike: nearest neighbours share the group', async () => {
    const plan = planBenchmark(SEED, 'tiny')
    let hits = 0
    let total = 0
    for (const u of plan.users) {
      const dir = path.join(out, 'personal', u.id, 'JPEGImages')
      // A 4×3 thumbnail (36 numbers) of each photo: background layout and colours dominate it.
      const feats = await Promise.all(
        u.images.map(async (img) =>
          Array.from(
            await sharp(path.join(dir, `${img.name}.jpg`))
              .resize(4, 3, { fit: 'fill' })
              .removeAlpha()
              .raw()
              .toBuffer(),
          ),
        ),
      )
      for (let i = 0; i < feats.length; i++) {
        let best = -1
        let bestD = Infinity
        for (let j = 0; j < feats.length; j++) {
          if (j === i) continue
          let d = 0
          for (let q = 0; q < feats[i]!.length; q++) d += (feats[i]![q]! - feats[j]![q]!) ** 2
          if (d < bestD) {
            bestD = d
            best = j
          }
        }
        if (u.images[best]!.group === u.images[i]!.group) hits++
        total++
      }
    }
    expect(hits / total).toBeGreaterThan(0.75)
  })
})
