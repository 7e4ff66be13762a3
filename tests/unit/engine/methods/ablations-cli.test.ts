/**
 * `pss-studio bench methods` ablation and extra-row arguments (no training: every case is parsing, a
 * usage error before any work starts, or table formatting of given numbers).
 */
import { describe, expect, it } from 'vitest'
import { runCli } from '../../../../src/main/cli/run'
import { parseAblations, parseMethods, withExtras } from '../../../../src/main/cli/commands/bench'
import { ablationTables, crossTable } from '../../../../src/main/cli/commands/bench-tables'
import { benchEntries } from '../../../../src/main/engine/pipelines/methods'
import { BENCH_METHODS, parseBenchMethod, rowChain } from '../../../../src/main/engine/pipelines/methods-rows'
import type { Summary } from '../../../../src/main/engine/pipelines/methods-stats'

async function cli(argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = []
  const code = await runCli(argv, {
    out: () => {},
    err: (l) => err.push(l),
    signal: new AbortController().signal,
  })
  return { code, err: err.join('\n') }
}

function summary(fiou: number, miou: number, std = 0, seeds = 1): Summary {
  const m = {
    fiou,
    miou_all21: miou / 2,
    miou_present: miou / 2,
    miou_paper: miou,
    std: { fiou: std, miou_all21: std, miou_present: std, miou_paper: std },
    seeds,
  }
  return { ...m, perUser: { id1: m, id2: { ...m, fiou: fiou + 1 } } }
}

describe('bench rows', () => {
  it('lists the table rows without helper stages; stages chain first stage first', () => {
    expect(BENCH_METHODS).toContain('pss-s1-global')
    expect(BENCH_METHODS).not.toContain('mrnet-s1')
    expect(rowChain('pss-s2')).toEqual(['pss-s1', 'pss-s2'])
    expect(rowChain('mrnet')).toEqual(['mrnet-s1', 'mrnet'])
    expect(parseBenchMethod('pss-s2+tta')).toEqual({ row: 'pss-s2', extra: 'tta' })
    expect(parseBenchMethod('pss-s2+bogus')).toBeNull()
    expect(parseBenchMethod('mrnet-s1')).toBeNull()
  })

  it('turns methods and ablations into entries (context rows by variant)', () => {
    const e = benchEntries(['noda', 'fda+crf'], {
      method: 'pss-s2',
      data: ['mixall'],
      k: [10],
      context: ['global'],
    })
    expect(e.map((x) => [x.key, x.row, x.extra, x.setting.kind])).toEqual([
      ['noda', 'noda', null, 'personal'],
      ['fda+crf', 'fda', 'crf', 'personal'],
      ['data:mixall', 'pss-s2', null, 'mixall'],
      ['k:10', 'pss-s2', null, 'k'],
      ['context:global', 'pss-s1-global', null, 'personal'],
    ])
  })
})

describe('bench arguments', () => {
  it('adds a row before its +extra, and --extras to every listed row', () => {
    expect(parseMethods('pss-s2+tta')).toEqual(['pss-s2', 'pss-s2+tta'])
    expect(withExtras(['noda', 'pss-s2'], 'tta,crf')).toEqual([
      'noda',
      'noda+tta',
      'noda+crf',
      'pss-s2',
      'pss-s2+tta',
      'pss-s2+crf',
    ])
    expect(() => withExtras(['noda'], 'tta,blur')).toThrow(/--extras takes .*bad: blur/)
  })

  it('parses the ablations', () => {
    expect(parseAblations({})).toBeNull()
    expect(parseAblations({ table5: true })).toEqual({
      method: 'pss-s1',
      data: ['personal', 'mixall', 'mixsample'],
      k: [],
      context: [],
    })
    expect(
      parseAblations({ k: '1,10,80,200', 'ablation-method': 'pss-s2', context: 'none,global,ours' }),
    ).toEqual({
      method: 'pss-s2',
      data: [],
      k: [1, 10, 80, 200],
      context: ['none', 'global', 'ours'],
    })
    expect(() => parseAblations({ data: 'mixall,mixed' })).toThrow(/--data takes .*bad: mixed/)
    expect(() => parseAblations({ k: '10,0' })).toThrow(/--k takes .*bad: 0/)
    expect(() => parseAblations({ context: 'local' })).toThrow(/--context takes .*bad: local/)
    expect(() => parseAblations({ k: '10', 'ablation-method': 'advent' })).toThrow(
      /advent has no group context/,
    )
    expect(() => parseAblations({ table5: true, 'ablation-method': 'mrnet-s1' })).toThrow(/--ablation-method/)
    expect(() => parseAblations({ 'ablation-method': 'pss-s1' })).toThrow(/needs an ablation/)
  })

  it('refuses bad ablation arguments with usage errors', async () => {
    const r = await cli(['bench', 'methods', '--k', 'ten'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/--k takes a comma list of integers/)
    expect((await cli(['bench', 'methods', '--methods', 'noda+sharpen'])).code).toBe(2)
  })
})

describe('ablation tables', () => {
  it('prints users × settings with FIoU and MIoU, ± std over several seeds', () => {
    const lines = crossTable('T', [
      { label: 'Personal', s: summary(10, 5) },
      { label: 'MixAll', s: summary(8.5, 4.25, 1.5, 3) },
    ])
    expect(lines[0]).toBe('T')
    expect(lines[1]).toMatch(/^user +Personal FIoU +Personal MIoU +MixAll FIoU +MixAll MIoU$/)
    expect(lines[2]).toMatch(/^id1 +10\.00 +5\.00 +8\.50±1\.50 +4\.25±1\.50$/)
    expect(lines[3]).toMatch(/^id2 +11\.00/)
    expect(lines[4]).toMatch(/^MEAN +10\.00/)
  })

  it('names the data settings with their training-set sizes', () => {
    const t = ablationTables({
      ablations: {
        method: 'pss-s1',
        data: {
          personal: { ...summary(1, 1), trainImages: 24 },
          mixsample: { ...summary(2, 2), trainImages: 24 },
        },
        k: {},
        context: {},
      },
    })
    expect(t[0]).toBe(
      'Data setting (paper Table 5), pss-s1; target images per model: Personal 24, MixSample 24',
    )
    expect(t[1]).toMatch(/Personal FIoU .* MixSample MIoU$/)
  })
})
