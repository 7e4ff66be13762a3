import { describe, expect, it } from 'vitest'
import { ChainEta } from '../../../src/main/jobs/chain-eta'

/** A run: 100 source iterations, 200 adaptation iterations, 40 images predicted, 10 scored. */
const plan = () =>
  new ChainEta([
    { phase: 'source', kind: 'train', steps: 100 },
    { phase: 'adapt', kind: 'train', steps: 200 },
    { phase: 'predict', kind: 'images', steps: 40 },
    { phase: 'score', kind: 'images', steps: 10 },
  ])

describe('ChainEta', () => {
  it('prices every later phase, so the estimate does not jump when the next phase starts', () => {
    const eta = plan()
    expect(eta.update('source', 0, 100, null)).toBeNull()
    // 2 iterations/s: 50 source + 200 adapt iterations at 0.5 s, 50 images at 0.5 s until measured.
    expect(eta.update('source', 0, 100, 2)).toBeCloseTo((100 + 200 + 50) * 0.5)
    const before = eta.update('source', 100, 100, 2)!
    const after = eta.update('adapt', 0, 200, 2)!
    expect(before).toBeCloseTo((200 + 50) * 0.5)
    expect(after).toBeCloseTo(before)
  })

  it('a measured image rate replaces the training rate for image phases only', () => {
    const eta = plan()
    eta.update('adapt', 200, 200, 4)
    // Predicting at 10 img/s: 30 images left + 10 to score at 0.1 s.
    expect(eta.update('predict', 10, 40, 10)).toBeCloseTo(40 * 0.1)
    expect(eta.update('score', 5, 10, 10)).toBeCloseTo(0.5)
  })

  it("takes a phase's real total over the planned one and skips empty phases", () => {
    const eta = new ChainEta([
      { phase: 'source', kind: 'train', steps: 0 },
      { phase: 'adapt', kind: 'train', steps: 100 },
      { phase: 'predict', kind: 'images', steps: 20 },
    ])
    // The adaptation reports 300 steps (three stages): all of them count.
    expect(eta.update('adapt', 0, 300, 1)).toBeCloseTo(300 + 20)
    expect(eta.kindOf('adapt')).toBe('train')
    expect(eta.kindOf('snapshots')).toBe('images')
    // A phase outside the plan: its own steps only.
    expect(eta.update('snapshots', 1, 5, 2)).toBeCloseTo(2)
    expect(eta.update('snapshots', 1, 5, null)).toBeNull()
  })
})
