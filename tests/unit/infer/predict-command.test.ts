/**
 * `pss-studio predict` in-process (issue 7, item 4): predicts a folder with a real (tiny) run's latest
 * checkpoint, plain and with TTA + CRF, writes the label and colour PNGs at each image's size, reports
 * a broken image by name while predicting the others, and refuses bad input with exit codes and
 * messages that name the problem.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PredictJson } from '../../../src/main/cli/commands/predict'
import { decodeLabelPng } from '../../../src/main/media/label-png'
import { cli } from '../cli/helpers'
import { trainTinyRun } from '../engine/helpers'

let tmp = ''
let runDir = ''
let images = ''
const SIZES: Record<string, [number, number]> = { a: [40, 30], b: [23, 37] }

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-predict-'))
  runDir = path.join(tmp, 'run')
  await trainTinyRun(runDir, { seed: 2, steps: 4 })
  images = path.join(tmp, 'images')
  fs.mkdirSync(images)
  for (const [name, [w, h]] of Object.entries(SIZES)) {
    const rgb = Buffer.alloc(w * h * 3)
    for (let i = 0; i < w * h; i++) {
      rgb[i * 3] = (i * 7) % 256
      rgb[i * 3 + 1] = i % w > w / 2 ? 200 : 30
      rgb[i * 3 + 2] = 90
    }
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toFile(path.join(images, `${name}.png`))
  }
  fs.writeFileSync(path.join(images, 'broken.jpg'), 'not an image')
  fs.writeFileSync(path.join(images, 'notes.txt'), 'ignored: not an image extension')
}, 120_000)

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('pss-studio predict', () => {
  it('predicts a folder with TTA and CRF, skipping a broken image by name (--json)', async () => {
    const out = path.join(tmp, 'out-tta-crf')
    const r = await cli(
      'predict',
      '--run',
      runDir,
      '--images',
      images,
      '--out',
      out,
      '--scales',
      '0.5,1',
      '--crf',
      '--json',
    )
    expect(r.code, r.err).toBe(0)
    const j = JSON.parse(r.out) as PredictJson
    expect(j.predicted).toBe(2)
    expect(j.skipped.map((s) => path.basename(s.file))).toEqual(['broken.jpg'])
    expect(r.err).toMatch(/skipped .*broken\.jpg: cannot decode/)
    expect(j.tta).toEqual({ scales: [0.5, 1], flip: true })
    expect(j.crf).toMatchObject({ iterations: 10, bilateral: { weight: 4, xyStd: 121, rgbStd: 5 } })
    expect(j.checkpointIteration).toBe(4)
    expect(j.cost.passes).toBe(4)
    expect(j.cost.crfMsPerImage).toBeGreaterThan(0)
    for (const [name, [w, h]] of Object.entries(SIZES)) {
      const p = decodeLabelPng(fs.readFileSync(path.join(out, `${name}.png`)))
      expect([p.width, p.height]).toEqual([w, h])
      expect(fs.existsSync(path.join(out, `${name}_color.png`))).toBe(true)
    }
    expect(fs.existsSync(path.join(out, 'broken.png'))).toBe(false)
  }, 120_000)

  it('predicts plainly by default and prints a summary', async () => {
    const out = path.join(tmp, 'out-plain')
    const r = await cli('predict', '--run', runDir, '--images', images, '--out', out, '--batch', '1')
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/^Predicted 2 of 3 images into /)
    expect(r.out).toContain('Skipped 1: broken.jpg')
    expect(r.out).toContain('TTA: off')
    expect(r.out).toContain('CRF: off')
    expect(r.out).toMatch(
      /Cost per image: total [\d.]+ ms, network [\d.]+ ms \(plain pass [\d.]+ ms\), CRF —/,
    )
    expect(fs.readdirSync(out).sort()).toEqual(['a.png', 'a_color.png', 'b.png', 'b_color.png'])
  }, 120_000)

  it('refuses bad input with a clear message', async () => {
    const out = path.join(tmp, 'x')
    const cases: [string[], number, RegExp][] = [
      [['--images', images, '--out', out], 2, /missing required option --run/],
      [
        ['--run', runDir, '--images', path.join(tmp, 'nope'), '--out', out],
        2,
        /--images .*nope: no such folder/,
      ],
      [['--run', runDir, '--images', images, '--out', images], 2, /must not be the --images folder/],
      [['--run', images, '--images', images, '--out', out], 2, /not a training run with a checkpoint/],
      [['--run', runDir, '--images', images, '--out', out, '--scales', '1,abc'], 2, /--scales must be/],
      [['--run', runDir, '--images', images, '--out', out, '--scales', '0.1'], 2, /--scales must be/],
      [
        ['--run', runDir, '--images', images, '--out', out, '--crf-params', '{"iterations":-1}'],
        2,
        /--crf-params: iterations/,
      ],
      [
        ['--run', runDir, '--images', images, '--out', out, '--crf-params', '{oops'],
        2,
        /--crf-params is not JSON/,
      ],
      [['--run', runDir, '--images', images, '--out', out, '--batch', '0'], 2, /--batch must be/],
      [['--run', runDir, '--images', images, '--out', out, '--backend', 'webgpu'], 2, /--backend must be/],
      [['--run', runDir, '--images', images, '--out', out, '--bogus'], 2, /Unknown option '--bogus'/],
    ]
    for (const [args, code, message] of cases) {
      const r = await cli('predict', ...args)
      expect(r.code, args.join(' ')).toBe(code)
      expect(r.err).toMatch(message)
    }
    const empty = path.join(tmp, 'empty')
    fs.mkdirSync(empty)
    const r = await cli('predict', '--run', runDir, '--images', empty, '--out', out)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/empty: no image to predict/)
    expect(fs.existsSync(out)).toBe(false)
  }, 60_000)
})
