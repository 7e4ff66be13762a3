/**
 * The metrics against the golden set made by an independent numpy + Pillow implementation
 * (tests/fixtures/eval/make_golden.py → golden/ PNGs + expected.json), to 1e-6 in percent.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeLabelPng } from '../../../src/main/media/label-png'
import {
  evaluateLabelDirs,
  meanOverUsers,
  nearestIndexMap,
  resizeLabelsNearest,
  type UserMetrics,
} from '../../../src/main/engine/eval'
import { FIXTURES, expectClose, loadExpected, type ExpectedUser } from './golden-fixture'

const expected = loadExpected()

function expectMatchesUser(m: UserMetrics, e: ExpectedUser): void {
  expect(m.images).toBe(e.images)
  expect([...m.confusion.counts]).toEqual(e.confusion)
  expectClose(m.miouAll21 * 100, e.miou_all21, 'miou_all21')
  expectClose(m.miouPresent * 100, e.miou_present, 'miou_present')
  expectClose(m.miouPaper * 100, e.miou_paper, 'miou_paper')
  expectClose(m.fiou * 100, e.fiou, 'fiou')
  m.perClass.forEach((v, c) => expectClose(v * 100, e.per_class[c]!, `per_class[${c}]`))
  m.perClassPresent.forEach((v, c) =>
    expectClose(v * 100, e.per_class_present[c]!, `per_class_present[${c}]`),
  )
  expect([...m.perClassImages]).toEqual(e.per_class_images)
  expect(m.absentClasses).toEqual(e.absent_classes)
  expect(m.perImage.map((s) => s.name)).toEqual(e.per_image.map((s) => s.name))
  m.perImage.forEach((s, i) => expectClose(s.fiou * 100, e.per_image[i]!.fiou, `fiou of ${s.name}`))
}

describe('golden set (numpy + Pillow reference)', () => {
  it('user 1: ignore pixels, absent classes, empty foreground, resized and missing predictions', async () => {
    const e = expected.users.user1
    const r = await evaluateLabelDirs({
      gtDir: path.join(FIXTURES, 'user1', 'gt'),
      predDir: path.join(FIXTURES, 'user1', 'pred'),
      skipMissing: true,
    })
    expectMatchesUser(r.metrics, e)
    expect(r.resized).toEqual(e.resized)
    expect(r.missing).toEqual(e.missing)
    expect(r.unmatchedPredictions).toBe(1)
    // The set really holds the edge cases it is meant to.
    expect(e.missing).toEqual(['missing_pred'])
    expect(e.resized).toEqual(['pred_downsampled', 'pred_upsampled', 'tie_resize'])
    expect(e.absent_classes.length).toBeGreaterThan(0)
    expect(e.per_image.find((s) => s.name === 'empty_both')!.fiou).toBe(0)
    expect(e.per_image.some((s) => s.name.startsWith('-'))).toBe(true)
    expect(e.miou_present).toBeGreaterThan(e.miou_all21)
    // miou_paper is a third number: predicted-only classes (11, 14) and background are left out.
    expect(e.per_class_images[11]).toBe(0)
    expect(e.per_class_present[11]).toBe(0)
    expect(e.miou_paper).not.toBeCloseTo(e.miou_present!, 3)
  })

  it('user 2 and the mean over users', async () => {
    const users: UserMetrics[] = []
    for (const u of ['user1', 'user2'] as const) {
      const r = await evaluateLabelDirs({
        gtDir: path.join(FIXTURES, u, 'gt'),
        predDir: path.join(FIXTURES, u, 'pred'),
        skipMissing: true,
      })
      users.push(r.metrics)
    }
    expectMatchesUser(users[1]!, expected.users.user2)
    const mean = meanOverUsers(users)
    const e = expected.mean_over_users
    expect(mean.users).toBe(e.users)
    expectClose(mean.fiou * 100, e.fiou, 'mean fiou')
    expectClose(mean.miouAll21 * 100, e.miou_all21, 'mean miou_all21')
    expectClose(mean.miouPresent * 100, e.miou_present, 'mean miou_present')
    expectClose(mean.miouPaper * 100, e.miou_paper, 'mean miou_paper')
    mean.perClass.forEach((v, c) => expectClose(v * 100, e.per_class[c]!, `mean per_class[${c}]`))
    mean.perClassPresent.forEach((v, c) =>
      expectClose(v * 100, e.per_class_present[c]!, `mean per_class_present[${c}]`),
    )
    expect([...mean.perClassImages]).toEqual(e.per_class_images)
  })

  it('nearest index maps equal Pillow’s Image.resize(NEAREST) on 1-D size pairs, ties included', () => {
    for (const c of expected.resize.cases_1d) {
      expect([...nearestIndexMap(c.src, c.dst)], `${c.src} → ${c.dst}`).toEqual(c.index)
    }
  })

  it('2-D resizes are byte-identical to Pillow’s', () => {
    const dir = path.join(FIXTURES, 'resize')
    const src = decodeLabelPng(fs.readFileSync(path.join(dir, expected.resize.src)))
    for (const c of expected.resize.cases_2d) {
      const want = decodeLabelPng(fs.readFileSync(path.join(dir, c.file)))
      expect([want.width, want.height]).toEqual([c.width, c.height])
      const got = resizeLabelsNearest(src, c.width, c.height)
      expect(Buffer.from(got.labels).equals(Buffer.from(want.labels)), c.file).toBe(true)
    }
  })
})
