/**
 * The source model (iteration 0 of an adaptation run's chain) as a snapshot candidate: it competes in
 * held-out and oracle selection, wins every tie (no evidence of gain), is kept — and said to be kept —
 * when no adapted snapshot beats it on the part the choice is made on, and never changes `last`.
 */
import { describe, expect, it } from 'vitest'
import { selectSnapshot, SOURCE_ITERATION } from '../../../src/main/engine/snapshots/select-snapshot'
import type { SnapshotPoint } from '../../../src/shared/snapshots'

const score = (fiou: number) => ({ fiou, miouAll21: fiou / 2, miouPresent: fiou / 2, images: 4 })
const source = (sel: number, full: number): SnapshotPoint => ({
  stage: 'source',
  iteration: SOURCE_ITERATION,
  parts: { selection: score(sel), report: score(0.3), full: score(full) },
})
const adapted = (iteration: number, sel: number, full: number): SnapshotPoint => ({
  stage: 'advent',
  iteration,
  parts: { selection: score(sel), report: score(0.1), full: score(full) },
})

describe('selectSnapshot with the source model as iteration 0', () => {
  it('keeps the source model when every adapted snapshot is worse on the selection part', () => {
    // A collapse: the adapted snapshots fall to 0 on the selection half (and look better on the report half).
    const points = [adapted(10, 0.0, 0.0), source(0.26, 0.25), adapted(20, 0.01, 0.4)]
    expect(selectSnapshot(points, 'heldout')).toEqual({
      iteration: 0,
      chosenOn: 'selection',
      reportOn: 'report',
      oracle: false,
      keptSource: true,
    })
  })

  it('gives a tie to the source model, and a strict gain to the adapted snapshot', () => {
    expect(
      selectSnapshot([source(0.3, 0.3), adapted(10, 0.3, 0.3), adapted(20, 0.3, 0.3)], 'heldout'),
    ).toMatchObject({ iteration: 0, keptSource: true })
    const gain = selectSnapshot(
      [source(0.3, 0.3), adapted(10, 0.3001, 0.2), adapted(20, 0.2, 0.2)],
      'heldout',
    )
    expect(gain).toMatchObject({ iteration: 10, keptSource: false })
    // Between adapted snapshots a tie still goes to the later one.
    expect(
      selectSnapshot([source(0.1, 0.1), adapted(10, 0.4, 0.2), adapted(20, 0.4, 0.2)], 'heldout').iteration,
    ).toBe(20)
  })

  it('includes iteration 0 in the oracle curve, on the full split', () => {
    expect(selectSnapshot([source(0.9, 0.5), adapted(10, 0.1, 0.6)], 'oracle')).toMatchObject({
      iteration: 10,
      keptSource: false,
    })
    expect(selectSnapshot([source(0.1, 0.6), adapted(10, 0.9, 0.5)], 'oracle')).toMatchObject({
      iteration: 0,
      keptSource: true,
      oracle: true,
    })
  })

  it('leaves `last` as it was: the final adapted snapshot, whatever the source scores', () => {
    expect(selectSnapshot([source(0.9, 0.9), adapted(10, 0, 0), adapted(20, 0, 0)], 'last')).toMatchObject({
      iteration: 20,
      keptSource: false,
    })
  })

  it('chooses the source model without calling it "kept" when it is the only candidate', () => {
    expect(selectSnapshot([source(0.2, 0.2)], 'heldout')).toMatchObject({ iteration: 0, keptSource: false })
    expect(selectSnapshot([source(0.2, 0.2)], 'last')).toMatchObject({ iteration: 0, keptSource: false })
  })

  it('lets an unscored source point not compete', () => {
    const unscored: SnapshotPoint = { stage: 'source', iteration: 0, parts: { full: score(0.9) } }
    expect(selectSnapshot([unscored, adapted(10, 0.2, 0.2)], 'heldout')).toMatchObject({
      iteration: 10,
      keptSource: false,
    })
  })
})
