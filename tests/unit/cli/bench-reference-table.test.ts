/**
 * The bench's reading table (bench-tables.ts referenceTable) lists the group-context network's own source
 * model (issue 13: where OURS starts, before any adaptation) next to source-val and No-DA, with its paired
 * difference to No-DA, and leaves those rows out when the bench did not run them.
 */
import { describe, expect, it } from 'vitest'
import { referenceTable } from '../../../src/main/cli/commands/bench-tables'
import type { MethodSummary, Summary } from '../../../src/main/engine/pipelines/methods'

function summary(fiou: number, paired?: [number, number, number]): MethodSummary {
  const scores = { fiou: 0, miou_all21: 0, miou_present: 0, miou_paper: 0 }
  const s: Summary = {
    fiou,
    miou_all21: 0,
    miou_present: 0,
    miou_paper: 0,
    std: scores,
    seeds: 1,
    perUser: {},
  }
  return paired
    ? {
        ...s,
        pairedVsNoda: {
          fiou: { mean: paired[0], ci95: [paired[1], paired[2]], strata: 3, images: 97, resamples: 2000 },
        },
      }
    : s
}

describe('referenceTable', () => {
  const base = {
    methods: { noda: summary(19.82), 'pss-s2': summary(17.5, [-2.32, -5.26, 0.55]) },
    sourceVal: summary(24.76),
    oracle: summary(38.14, [18.32, 14.38, 22.38]),
  }

  it('lists the context network’s source model after source-val and after the methods, marked when its CI excludes 0', () => {
    const lines = referenceTable({
      ...base,
      contextSourceVal: summary(2.11),
      contextNoda: summary(0.28, [-19.54, -24.01, -15.38]),
    })
    const names = lines.slice(1, 7).map((l) => l.slice(0, 26).trim())
    expect(names).toEqual([
      'source-val',
      'source-val (context net)',
      'noda',
      'pss-s2',
      'No-DA (context net)',
      'target oracle',
    ])
    expect(lines[5]).toMatch(/0\.28.*-19\.54 \[-24\.01, -15\.38\] \*/)
    expect(lines[4]).toMatch(/-2\.32 \[-5\.26, 0\.55\](?! \*)/)
    expect(lines.at(-1)).toMatch(/context net\): the group-context network’s own source model/)
  })

  it('has no context rows (and no note) when the bench ran none', () => {
    const lines = referenceTable({ ...base, contextSourceVal: null, contextNoda: null })
    expect(lines.some((l) => l.includes('context net'))).toBe(false)
    expect(lines).toHaveLength(1 + 4 + 1)
  })
})
