/**
 * The validation split's division into selection and report parts (seeded, deterministic, disjoint,
 * stratified by cluster) and the choice of a snapshot (argmax FIoU on the right part; oracle flagged).
 */
import { describe, expect, it } from 'vitest'
import { divideValidation } from '../../../src/main/engine/snapshots/split-parts'
import { selectSnapshot } from '../../../src/main/engine/snapshots/select-snapshot'
import { defaultSelection, MIN_HELDOUT_IMAGES, type SnapshotPoint } from '../../../src/shared/snapshots'

const items = Array.from({ length: 23 }, (_, i) => ({ id: 100 + i * 3, group: i % 4 }))

describe('divideValidation', () => {
  it('is deterministic for a seed, independent of input order, disjoint and complete', () => {
    const a = divideValidation(items, 7)
    const b = divideValidation([...items].reverse(), 7)
    expect(b).toEqual(a)
    const sel = new Set(a.selection)
    expect(a.report.some((id) => sel.has(id))).toBe(false)
    expect([...a.selection, ...a.report].sort((x, y) => x - y)).toEqual(items.map((i) => i.id))
    expect(a.selection.length).toBe(Math.round(23 / 2))
    expect(a.stratified).toBe(true)
    // Another seed draws another half.
    expect(divideValidation(items, 8).selection).not.toEqual(a.selection)
  })

  it('takes half of each cluster (within one image)', () => {
    const { selection } = divideValidation(items, 3)
    const chosen = new Set(selection)
    for (let g = 0; g < 4; g++) {
      const members = items.filter((i) => i.group === g)
      const n = members.filter((i) => chosen.has(i.id)).length
      expect(Math.abs(n - members.length / 2)).toBeLessThanOrEqual(1)
    }
  })

  it('divides unclustered images at random by image, and leaves one image to the report part', () => {
    const flat = items.map((i) => ({ id: i.id, group: null }))
    const d = divideValidation(flat, 1)
    expect(d.stratified).toBe(false)
    expect(d.selection.length + d.report.length).toBe(23)
    expect(divideValidation([{ id: 5, group: null }], 1)).toEqual({
      selection: [],
      report: [5],
      stratified: false,
    })
    expect(() =>
      divideValidation(
        [
          { id: 5, group: null },
          { id: 5, group: null },
        ],
        1,
      ),
    ).toThrow(/twice/)
  })
})

const score = (fiou: number) => ({ fiou, miouAll21: fiou / 2, miouPresent: fiou / 2, images: 3 })
const points: SnapshotPoint[] = [
  { stage: 's', iteration: 2, parts: { selection: score(0.5), report: score(0.1), full: score(0.3) } },
  { stage: 's', iteration: 4, parts: { selection: score(0.2), report: score(0.9), full: score(0.55) } },
  { stage: 's', iteration: 6, parts: { selection: score(0.4), report: score(0.2), full: score(0.3) } },
]

describe('selectSnapshot', () => {
  it('held-out picks the argmax on the selection part and reports on the report part', () => {
    expect(selectSnapshot(points, 'heldout')).toEqual({
      iteration: 2,
      chosenOn: 'selection',
      reportOn: 'report',
      oracle: false,
      keptSource: false,
    })
  })
  it('oracle picks the argmax on the full split and is flagged as oracle', () => {
    expect(selectSnapshot(points, 'oracle')).toEqual({
      iteration: 4,
      chosenOn: 'full',
      reportOn: 'full',
      oracle: true,
      keptSource: false,
    })
  })
  it('last takes the final iteration whatever the scores', () => {
    expect(selectSnapshot([...points].reverse(), 'last')).toMatchObject({
      iteration: 6,
      chosenOn: null,
      oracle: false,
    })
  })
  it('breaks ties toward the later snapshot and refuses a part without scores', () => {
    const tied = points.map((p) => ({ ...p, parts: { ...p.parts, full: score(0.3) } }))
    expect(selectSnapshot(tied, 'oracle').iteration).toBe(6)
    const noSelection = points.map((p) => ({ ...p, parts: { full: p.parts.full! } }))
    expect(() => selectSnapshot(noSelection, 'heldout')).toThrow(/selection part/)
    expect(() => selectSnapshot([], 'last')).toThrow(/no evaluated snapshot/)
  })
  it('defaults to held-out only with enough labelled images, saying why', () => {
    expect(defaultSelection(MIN_HELDOUT_IMAGES).mode).toBe('heldout')
    const small = defaultSelection(MIN_HELDOUT_IMAGES - 1)
    expect(small.mode).toBe('last')
    expect(small.reason).toMatch(/needs 6/)
  })
})
