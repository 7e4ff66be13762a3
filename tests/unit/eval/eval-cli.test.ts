/** `pss-studio eval` run in-process (runCli with captured output) on the golden set and on bad input. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import type { EvalJson } from '../../../src/main/cli/commands/eval'
import { encodeLabelPng } from '../../../src/main/media/label-png'
import { cli } from '../cli/helpers'
import { FIXTURES, expectClose, loadExpected } from './golden-fixture'

const expected = loadExpected()
const USER1 = { gt: path.join(FIXTURES, 'user1', 'gt'), pred: path.join(FIXTURES, 'user1', 'pred') }

const temps: string[] = []
afterEach(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

/** A temp folder pair gt/ + pred/ with one good image pair "ok" (4×3, classes 0 and 15). */
function makeDirs(): { root: string; gt: string; pred: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-eval-'))
  temps.push(root)
  const gt = path.join(root, 'gt')
  const pred = path.join(root, 'pred')
  fs.mkdirSync(gt)
  fs.mkdirSync(pred)
  const labels = Uint8Array.from([0, 0, 15, 15, 0, 255, 15, 15, 0, 0, 0, 0])
  writeLabels(path.join(gt, 'ok.png'), 4, 3, labels)
  writeLabels(
    path.join(pred, 'ok.png'),
    4,
    3,
    labels.map((v) => (v === 255 ? 0 : v)),
  )
  return { root, gt, pred }
}

function writeLabels(file: string, width: number, height: number, labels: Uint8Array): void {
  fs.writeFileSync(file, encodeLabelPng({ width, height, labels }))
}

describe('pss-studio eval on the golden set', () => {
  it('--json agrees with the numpy reference to 1e-6 (percent), per image included', async () => {
    const r = await cli(
      'eval',
      '--gt',
      USER1.gt,
      '--pred',
      USER1.pred,
      '--json',
      '--per-image',
      '--skip-missing',
    )
    expect(r.code, r.err).toBe(0)
    const j = JSON.parse(r.out) as EvalJson
    const e = expected.users.user1
    expect(j.images).toBe(e.images)
    expect(j.num_classes).toBe(21)
    expectClose(j.miou_all21, e.miou_all21, 'miou_all21')
    expectClose(j.miou_present, e.miou_present, 'miou_present')
    expectClose(j.miou_paper, e.miou_paper, 'miou_paper')
    expectClose(j.fiou, e.fiou, 'fiou')
    expect(j.per_class).toHaveLength(21)
    j.per_class.forEach((v, c) => expectClose(v, e.per_class[c]!, `per_class[${c}]`))
    j.per_class_present.forEach((v, c) => expectClose(v, e.per_class_present[c]!, `per_class_present[${c}]`))
    expect(j.per_class_images).toEqual(e.per_class_images)
    expect(j.absent_classes).toEqual(e.absent_classes)
    expect(j.resized).toEqual(e.resized)
    expect(j.skipped_missing).toEqual(['missing_pred'])
    expect(j.unmatched_predictions).toBe(1)
    expect(j.per_image!.map((s) => s.name)).toEqual(e.per_image.map((s) => s.name))
    j.per_image!.forEach((s, i) => expectClose(s.fiou, e.per_image[i]!.fiou, `fiou of ${s.name}`))
    // Notes go to stderr so stdout stays one JSON object.
    expect(r.err).toMatch(/3 predictions had another size .*resized/)
    expect(r.err).toContain('skipped 1 ground-truth image without prediction: missing_pred')
  })

  it('without --skip-missing a GT without prediction is an error that names it', async () => {
    const r = await cli('eval', '--gt', USER1.gt, '--pred', USER1.pred, '--json')
    expect(r.code).toBe(1)
    expect(r.out).toBe('')
    expect(r.err).toContain('1 of 14 ground-truth images have no prediction')
    expect(r.err).toContain('missing_pred')
    expect(r.err).toContain('--skip-missing')
  })

  it('prints a table: per-class IoU with image counts, both MIoUs, FIoU, the resize note', async () => {
    const r = await cli('eval', '--gt', USER1.gt, '--pred', USER1.pred, '--skip-missing')
    expect(r.code, r.err).toBe(0)
    const e = expected.users.user1
    expect(r.out).toContain("Scored 13 images at the ground truth's resolution")
    expect(r.out).toMatch(
      /Note: 3 predictions had another size .* pred_downsampled, pred_upsampled, tie_resize/,
    )
    expect(r.out).toMatch(
      new RegExp(`background\\s+${e.per_class[0]!.toFixed(2)}\\s+${e.per_class_images[0]}`),
    )
    expect(r.out).toMatch(/bus\s+—\s+0 {2}\(absent from GT and prediction\)/)
    expect(r.out).toMatch(new RegExp(`MIoU, all 21 classes .*\\s${e.miou_all21.toFixed(2)}`))
    expect(r.out).toMatch(new RegExp(`MIoU, 15 present classes .*\\s${e.miou_present!.toFixed(2)}`))
    expect(r.out).toMatch(
      new RegExp(`MIoU, 12 object classes in GT .*paper Tables 2/7\\)\\s+${e.miou_paper!.toFixed(2)}`),
    )
    expect(r.out).toMatch(/MIoU, all 21 classes .*released code's printout/)
    expect(r.out).toMatch(new RegExp(`FIoU, mean over images\\s+${e.fiou.toFixed(2)}`))
  })
})

describe('pss-studio eval on bad input (exit 1, file named)', () => {
  it('a missing folder', async () => {
    const { gt } = makeDirs()
    const missing = path.join(gt, '..', 'nope')
    const r = await cli('eval', '--gt', gt, '--pred', missing)
    expect(r.code).toBe(1)
    expect(r.err).toContain(`prediction folder ${missing} does not exist`)
  })

  it('a folder without PNGs', async () => {
    const { root, pred } = makeDirs()
    const empty = path.join(root, 'empty')
    fs.mkdirSync(empty)
    fs.writeFileSync(path.join(empty, 'notes.txt'), 'no masks here')
    const r = await cli('eval', '--gt', empty, '--pred', pred)
    expect(r.code).toBe(1)
    expect(r.err).toContain(`ground-truth folder ${empty} holds no PNG label files`)
  })

  it('an unreadable PNG, an RGB PNG and a prediction with void are each named; nothing is scored', async () => {
    const { gt, pred } = makeDirs()
    for (const n of ['broken', 'rgb', 'void'])
      writeLabels(path.join(gt, `${n}.png`), 2, 2, Uint8Array.from([0, 1, 1, 0]))
    fs.writeFileSync(path.join(pred, 'broken.png'), Buffer.from('this is not a png'))
    await sharp({ create: { width: 2, height: 2, channels: 3, background: { r: 128, g: 0, b: 0 } } })
      .png()
      .toFile(path.join(pred, 'rgb.png'))
    writeLabels(path.join(pred, 'void.png'), 2, 2, Uint8Array.from([0, 255, 255, 0]))
    const r = await cli('eval', '--gt', gt, '--pred', pred, '--json')
    expect(r.code).toBe(1)
    expect(r.out).toBe('')
    expect(r.err).toContain('cannot score, 3 problems')
    expect(r.err).toContain(`${path.join(pred, 'broken.png')}: not a PNG file`)
    expect(r.err).toContain(`${path.join(pred, 'rgb.png')}: an RGB PNG, not a label mask`)
    expect(r.err).toContain(
      `${path.join(pred, 'void.png')}: prediction holds label 255 (2 pixels); a prediction holds classes 0–20 only`,
    )
  })

  it('no GT with a prediction at all is an error even with --skip-missing', async () => {
    const { gt, pred } = makeDirs()
    fs.renameSync(path.join(pred, 'ok.png'), path.join(pred, 'other.png'))
    const r = await cli('eval', '--gt', gt, '--pred', pred, '--skip-missing')
    expect(r.code).toBe(1)
    expect(r.err).toContain(
      `none of the 1 ground-truth images has a prediction in ${pred} (expected {name}.png for ok)`,
    )
  })

  it('a GT label outside the classes, and a truncated PNG', async () => {
    const { gt, pred } = makeDirs()
    writeLabels(path.join(gt, 'odd.png'), 2, 1, Uint8Array.from([40, 0]))
    writeLabels(path.join(pred, 'odd.png'), 2, 1, Uint8Array.from([0, 0]))
    const whole = encodeLabelPng({ width: 8, height: 8, labels: new Uint8Array(64) })
    fs.writeFileSync(path.join(gt, 'cut.png'), whole.subarray(0, 40))
    writeLabels(path.join(pred, 'cut.png'), 8, 8, new Uint8Array(64))
    const r = await cli('eval', '--gt', gt, '--pred', pred)
    expect(r.code).toBe(1)
    expect(r.err).toContain(
      `${path.join(gt, 'odd.png')}: ground truth holds label 40 (1 pixels); allowed 0–20 and 255`,
    )
    expect(r.err).toContain(`${path.join(gt, 'cut.png')}: not a readable PNG`)
  })

  it('--num-classes narrows the allowed labels', async () => {
    const { gt, pred } = makeDirs()
    const r = await cli('eval', '--gt', gt, '--pred', pred, '--num-classes', '10')
    expect(r.code).toBe(1)
    expect(r.err).toContain('ground truth holds label 15')
    const ok = await cli('eval', '--gt', gt, '--pred', pred, '--num-classes', '16', '--json')
    expect(ok.code, ok.err).toBe(0)
    const j = JSON.parse(ok.out) as EvalJson
    expect(j.num_classes).toBe(16)
    expect(j.per_class).toHaveLength(16)
    expect(j.miou_present).toBeCloseTo(100, 10)
    expect(j.fiou).toBeCloseTo((4 / 5) * 100, 10)
  })

  it('usage errors exit 2', async () => {
    const { gt } = makeDirs()
    const noPred = await cli('eval', '--gt', gt)
    expect(noPred.code).toBe(2)
    expect(noPred.err).toContain('missing required option --pred')
    const badN = await cli('eval', '--gt', gt, '--pred', gt, '--num-classes', '300')
    expect(badN.code).toBe(2)
    expect(badN.err).toContain('--num-classes must be an integer from 1 to 255')
    const help = await cli('eval', '--help')
    expect(help.code).toBe(0)
    expect(help.out).toContain('Usage: pss-studio eval --gt DIR --pred DIR')
  })
})
