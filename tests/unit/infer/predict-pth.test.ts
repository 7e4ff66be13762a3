/**
 * `pss-studio predict --model FILE.pth` (issue 14, item 5) against PyTorch: make_pth_predict_golden.py
 * (Debian's torch + torchvision) writes torchvision LR-ASPP and DeepLabV3 MobileNetV3-Large checkpoints with
 * random weights and measured BatchNorm statistics, photo-like PNGs of different non-square sizes, and
 * `model(x)['out'].argmax(1)` for each; the studio's label PNGs must equal it on ≥ 99.9 % of the pixels of
 * every image. Also: --size says what it did and keeps the labels at the image's size, and a backbone, an
 * unknown architecture and a recognised-but-not-runnable one are refused by name with nothing written.
 * Skips (with the reason) only where /usr/bin/python3 lacks torch/torchvision.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import type { PredictPthJson } from '../../../src/main/cli/commands/predict-pth'
import { runnableArch } from '../../../src/main/engine/infer/pth/runnable-pth'
import { decodeLabelPng } from '../../../src/main/media/label-png'
import { cli } from '../cli/helpers'
import { trainTinyRun } from '../engine/helpers'

const PYTHON = '/usr/bin/python3'
const SCRIPT = path.join(__dirname, 'make_pth_predict_golden.py')
const ARCHS = ['lraspp_mobilenet_v3_large', 'deeplabv3_mobilenet_v3_large'] as const

interface Golden {
  images: Record<string, [number, number]>
  classes: Record<string, Record<string, number>>
  margin: Record<string, Record<string, number>>
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-predict-pth-'))
let skipReason = ''
let golden: Golden | null = null
{
  const r = spawnSync(PYTHON, [SCRIPT, tmp], { encoding: 'utf8' })
  const msg = r.error ? String(r.error) : r.stderr
  if (r.error || r.status !== 0) {
    if (!/ENOENT|ModuleNotFoundError|No module named/.test(msg))
      throw new Error(`${SCRIPT} failed (exit ${r.status}): ${msg}`)
    skipReason = `${PYTHON} with torch + torchvision is not available: ${msg.trim().split('\n').pop()}`
    console.warn(`predict-pth.test.ts skipped: ${skipReason}`)
  } else golden = JSON.parse(fs.readFileSync(path.join(tmp, 'golden.json'), 'utf8')) as Golden
}
const images = path.join(tmp, 'images')

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

describe.skipIf(golden === null)('pss-studio predict --model FILE.pth', () => {
  for (const arch of ARCHS) {
    it(`${arch}: label PNGs equal PyTorch's model(x)['out'].argmax(1) at native resolution`, async () => {
      const g = golden!
      const out = path.join(tmp, `out-${arch}`)
      const pth = path.join(tmp, `${arch}.pth`)
      const r = await cli('predict', '--model', pth, '--images', images, '--out', out, '--json')
      expect(r.code, r.err).toBe(0)
      const j = JSON.parse(r.out) as PredictPthJson
      expect(j).toMatchObject({ arch, classes: 21, size: null, predicted: 3, skipped: [] })
      expect(j.preprocessing).toContain('native resolution')
      const report: string[] = []
      for (const [name, [w, h]] of Object.entries(g.images)) {
        const want = new Uint8Array(fs.readFileSync(path.join(tmp, arch, `${name}.labels`)))
        // The golden is a real test only if PyTorch's answer is not one class everywhere.
        expect(g.classes[arch]![name]).toBeGreaterThan(1)
        const got = decodeLabelPng(fs.readFileSync(path.join(out, `${name}.png`)))
        expect([got.width, got.height]).toEqual([w, h])
        expect(got.kind).toBe('palette')
        expect(fs.existsSync(path.join(out, `${name}_color.png`))).toBe(true)
        let same = 0
        for (let i = 0; i < want.length; i++) if (got.labels[i] === want[i]) same++
        const agree = same / want.length
        report.push(
          `${name} ${w}×${h}: ${(agree * 100).toFixed(3)} % (${want.length - same} of ${want.length} px differ; ` +
            `PyTorch near-ties ${(g.margin[arch]![name]! * 100).toFixed(2)} %)`,
        )
        expect(agree, report.join('\n')).toBeGreaterThanOrEqual(0.999)
      }
      console.log(
        `${arch} (${j.msPerImage.toFixed(0)} ms/image, backend ${j.backend}):\n  ${report.join('\n  ')}`,
      )
    }, 300_000)
  }

  it('--size resizes explicitly, says so, and writes labels at the image size', async () => {
    const out = path.join(tmp, 'out-size')
    const pth = path.join(tmp, 'lraspp_mobilenet_v3_large.pth')
    const r = await cli('predict', '--model', pth, '--images', images, '--out', out, '--size', '64')
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/^Predicted 3 of 3 images into /)
    expect(r.out).toContain(
      'Preprocessing: RGB/255 normalised with ImageNet mean/std; resized to long side 64 px',
    )
    for (const [name, [w, h]] of Object.entries(golden!.images)) {
      const got = decodeLabelPng(fs.readFileSync(path.join(out, `${name}.png`)))
      expect([got.width, got.height]).toEqual([w, h])
    }
  }, 300_000)

  it('skips an image over the pixel limit with a message naming it', async () => {
    const out = path.join(tmp, 'out-limit')
    const pth = path.join(tmp, 'lraspp_mobilenet_v3_large.pth')
    const saved = process.env.PSS_STUDIO_MAX_IMAGE_PIXELS
    // portrait 96×150 = 14,400 px and strip 211×64 = 13,504 px fit; street 173×121 = 20,933 px does not.
    process.env.PSS_STUDIO_MAX_IMAGE_PIXELS = '15000'
    try {
      const r = await cli('predict', '--model', pth, '--images', images, '--out', out, '--json')
      expect(r.code, r.err).toBe(0)
      const j = JSON.parse(r.out) as PredictPthJson
      expect(j.predicted).toBe(2)
      expect(j.skipped.map((s) => path.basename(s.file))).toEqual(['street.png'])
      expect(r.err).toMatch(/skipped .*street\.png: .*pixel/i)
      expect(fs.existsSync(path.join(out, 'street.png'))).toBe(false)
    } finally {
      if (saved === undefined) delete process.env.PSS_STUDIO_MAX_IMAGE_PIXELS
      else process.env.PSS_STUDIO_MAX_IMAGE_PIXELS = saved
    }
  }, 300_000)

  it('skips a photo too large for a native forward pass, naming --size, and predicts it with --size', async () => {
    const big = path.join(tmp, 'big')
    fs.mkdirSync(big)
    // 1500×1400 = 2.1 MP: decodable, but over the 2 MP native forward-pass limit.
    await sharp({ create: { width: 1500, height: 1400, channels: 3, background: { r: 90, g: 140, b: 200 } } })
      .png()
      .toFile(path.join(big, 'pano.png'))
    const pth = path.join(tmp, 'lraspp_mobilenet_v3_large.pth')
    const native = path.join(tmp, 'out-big-native')
    const r = await cli('predict', '--model', pth, '--images', big, '--out', native)
    expect(r.code, r.err).toBe(1)
    expect(r.err).toMatch(
      /skipped .*pano\.png: it is 1500×1400 \(2\.1 megapixels\).*limited to 2\.0 megapixels.*--size/,
    )
    expect(fs.existsSync(path.join(native, 'pano.png'))).toBe(false)
    const resized = path.join(tmp, 'out-big-size')
    const r2 = await cli('predict', '--model', pth, '--images', big, '--out', resized, '--size', '200')
    expect(r2.code, r2.err).toBe(0)
    const got = decodeLabelPng(fs.readFileSync(path.join(resized, 'pano.png')))
    expect([got.width, got.height]).toEqual([1500, 1400])
  }, 300_000)

  it('refuses a backbone and an unknown architecture by file name, writing nothing', async () => {
    const cases: [string, RegExp][] = [
      [
        'resnet50.pth',
        /resnet50\.pth: resnet50 is an ImageNet classification backbone.*not a segmentation model/,
      ],
      ['unknown.pth', /unknown\.pth: unknown architecture/],
    ]
    for (const [file, msg] of cases) {
      const out = path.join(tmp, `out-bad-${file}`)
      const r = await cli('predict', '--model', path.join(tmp, file), '--images', images, '--out', out)
      expect(r.code, r.err).toBe(1)
      expect(r.err).toMatch(msg)
      expect(r.err).toContain(path.join(tmp, file))
      expect(fs.existsSync(out)).toBe(false)
    }
  }, 300_000)
})

describe('pss-studio predict --model RUN_DIR and option checks', () => {
  it('predicts with a run folder given as --model, like --run', async () => {
    const runDir = path.join(tmp, 'run')
    await trainTinyRun(runDir, { seed: 2, steps: 2 })
    const imgs = path.join(tmp, 'run-images')
    fs.mkdirSync(imgs)
    await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 200, b: 60 } } })
      .png()
      .toFile(path.join(imgs, 'a.png'))
    const out = path.join(tmp, 'out-run-model')
    const r = await cli('predict', '--model', runDir, '--images', imgs, '--out', out, '--json')
    expect(r.code, r.err).toBe(0)
    expect(JSON.parse(r.out)).toMatchObject({ run: runDir, predicted: 1, checkpointIteration: 2 })
    expect(fs.readdirSync(out).sort()).toEqual(['a.png', 'a_color.png'])
    const usage: [string[], RegExp][] = [
      [['--run', runDir, '--model', runDir], /either --run or --model, not both/],
      [['--model', runDir, '--size', '64'], /--size applies to a \.pth model/],
      [['--model', path.join(tmp, 'unknown.pth'), '--tta'], /--tta not available with a \.pth model/],
      [['--model', path.join(tmp, 'nope.pth')], /--model .*nope\.pth: no such file or folder/],
      [
        ['--model', path.join(tmp, 'unknown.pth'), '--size', '8'],
        /--size must be an integer from 16 to 8192/,
      ],
    ]
    for (const [args, msg] of usage) {
      const o = path.join(tmp, 'out-usage')
      const u = await cli('predict', ...args, '--images', imgs, '--out', o)
      expect(u.code, u.err).toBe(2)
      expect(u.err).toMatch(msg)
      expect(fs.existsSync(o)).toBe(false)
    }
  }, 300_000)
})

describe('runnableArch', () => {
  const base = { classes: 21, parameterCount: 1, hasAux: false, backbone: false }
  it('runs the tfjs architectures and names the file for the others', () => {
    expect(runnableArch({ ...base, arch: 'lraspp_mobilenet_v3_large' }, 'a.pth')).toBe(
      'lraspp_mobilenet_v3_large',
    )
    expect(() => runnableArch({ ...base, arch: 'fcn_resnet50' }, '/x/fcn.pth')).toThrow(
      /^\/x\/fcn\.pth: architecture fcn_resnet50 is recognised but not yet runnable in the studio/,
    )
    expect(() =>
      runnableArch({ ...base, arch: 'mobilenet_v3_large', backbone: true, classes: 1000 }, 'm.pth'),
    ).toThrow(/m\.pth: mobilenet_v3_large is an ImageNet classification backbone/)
  })
})
