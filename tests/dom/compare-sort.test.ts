import { describe, expect, it } from 'vitest'
import { gainOf, keepRow, orderRows, type InsightRow } from '../../src/shared/insight'

const row = (
  id: number,
  name: string,
  fiou: number | null,
  baseFiou: number | null,
  extra: Partial<InsightRow> = {},
): InsightRow => ({
  id,
  name,
  cluster: null,
  hasMask: true,
  fiou,
  baseFiou,
  ...extra,
})

const rows: InsightRow[] = [
  row(1, 'a.jpg', 0.5, 0.4), // +0.1
  row(2, 'b.jpg', 0.2, 0.6), // −0.4
  row(3, 'c.jpg', null, 0.3), // unscored by the run
  row(4, 'd.jpg', 0.9, 0.2), // +0.7
  row(5, 'e.jpg', 0.7, null, { hasMask: false }), // no baseline value
  row(6, 'B.jpg', 0.5, 0.4), // +0.1, ties with a.jpg: name order (case-insensitive), then id
]

describe('grid orders by metric', () => {
  it('most improved first; images without a gain last, by name', () => {
    expect(orderRows(rows, 'gain-desc').map((r) => r.id)).toEqual([4, 1, 6, 2, 3, 5])
  })
  it('most hurt first', () => {
    expect(orderRows(rows, 'gain-asc').map((r) => r.id)).toEqual([2, 1, 6, 4, 3, 5])
  })
  it('worst FIoU first; unscored last', () => {
    expect(orderRows(rows, 'fiou-asc').map((r) => r.id)).toEqual([2, 1, 6, 5, 4, 3])
    expect(orderRows(rows, 'fiou-desc').map((r) => r.id)).toEqual([4, 5, 1, 6, 2, 3])
  })
  it('leaves its input alone', () => {
    const copy = rows.map((r) => r.id)
    orderRows(rows, 'gain-desc')
    expect(rows.map((r) => r.id)).toEqual(copy)
  })
  it('filters helped, hurt, scored and unannotated', () => {
    expect(rows.filter((r) => keepRow(r, 'helped')).map((r) => r.id)).toEqual([1, 4, 6])
    expect(rows.filter((r) => keepRow(r, 'hurt')).map((r) => r.id)).toEqual([2])
    expect(rows.filter((r) => keepRow(r, 'scored')).map((r) => r.id)).toEqual([1, 2, 4, 5, 6])
    expect(rows.filter((r) => keepRow(r, 'unannotated')).map((r) => r.id)).toEqual([5])
  })
  it('gain needs both runs', () => {
    expect(gainOf(0.5, null)).toBeNull()
    expect(gainOf(0.25, 0.5)).toBe(-0.25)
  })
})
