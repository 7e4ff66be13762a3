/**
 * `pss-studio demo --tta --crf` in-process on the tiny preset with a short training (issue 7, item 5):
 * besides No-DA the summary gains +TTA, +CRF and +TTA+CRF rows, each scored on the same validation
 * images as No-DA (predictions written per user) and reported with its inference time and per-image
 * cost. Scores are checked for range only: the rows are measured as they are, not expected to win.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src/main/cli/run'
import type { DemoJson } from '../../../src/main/cli/commands/demo'

let tmp = ''

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

describe('pss-studio demo --tta --crf', () => {
  it('adds scored +TTA, +CRF and +TTA+CRF rows with their cost', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pss-demo-post-'))
    const out: string[] = []
    const err: string[] = []
    const code = await runCli(
      ['demo', '--preset', 'tiny', '--out', tmp, '--iterations', '30', '--tta', '--crf', '--json'],
      { out: (l) => out.push(l), err: (l) => err.push(l), signal: new AbortController().signal },
    )
    expect(code, err.join('\n')).toBe(0)
    const j = JSON.parse(out.at(-1)!) as DemoJson
    for (const name of ['noda_tta', 'noda_crf', 'noda_tta_crf']) {
      const s = j.methods[name]!
      for (const v of [s.fiou, s.miou_all21]) {
        expect(v).toBeGreaterThanOrEqual(0)
        expect(v).toBeLessThanOrEqual(100)
      }
      const p = j.postprocess![name]!
      expect(p.seconds).toBeGreaterThan(0)
      expect(p.cost.images).toBeGreaterThan(0)
      expect(p.cost.passes).toBe(name === 'noda_crf' ? 1 : 10)
      if (name === 'noda_tta') expect(p.cost.crfMsPerImage).toBeNull()
      else expect(p.cost.crfMsPerImage).toBeGreaterThan(0)
    }
    expect(err.join('\n')).toMatch(/mean +noda_tta_crf +FIoU [\d.]+ .*ms\/image/)
    const result = JSON.parse(fs.readFileSync(path.join(tmp, 'result.json'), 'utf8')) as {
      variants: { name: string; predictionsDir: string }[]
    }
    expect(result.variants.map((v) => v.name)).toEqual(['noda_tta', 'noda_crf', 'noda_tta_crf'])
    for (const v of result.variants) {
      const users = fs.readdirSync(v.predictionsDir)
      expect(users.length).toBeGreaterThan(0)
      expect(
        fs.readdirSync(path.join(v.predictionsDir, users[0]!)).some((f) => f.endsWith('_color.png')),
      ).toBe(true)
    }
  }, 300_000)
})
