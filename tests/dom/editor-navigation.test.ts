import { describe, expect, it } from 'vitest'
import { nextImage, type NavInput } from '../../src/renderer/src/editor/navigation'

const items: NavInput['items'] = [
  { imageId: 1, status: 'done' },
  { imageId: 2, status: 'not_started' },
  { imageId: 3, status: 'reviewed' },
  { imageId: 4, status: 'in_progress' },
]
const nav = (o: Partial<NavInput>): number | undefined =>
  nextImage({ items, queued: [], current: 1, delta: 1, order: 'split', ...o })

describe('editor navigation (D/A)', () => {
  it('split order wraps around both ways', () => {
    expect(nav({ current: 1 })).toBe(2)
    expect(nav({ current: 4 })).toBe(1)
    expect(nav({ current: 1, delta: -1 })).toBe(4)
    expect(nav({ current: 99 })).toBe(1) // an image outside the split starts at the first one
    expect(
      nextImage({
        items: [{ imageId: 5, status: 'done' }],
        queued: [],
        current: 5,
        delta: 1,
        order: 'split',
      }),
    ).toBeUndefined()
  })

  it('unannotated first: D goes to the first image not done; A keeps the split order', () => {
    expect(nav({ current: 3, order: 'unannotated' })).toBe(2)
    expect(nav({ current: 2, order: 'unannotated' })).toBe(4)
    expect(nav({ current: 3, order: 'unannotated', delta: -1 })).toBe(2)
  })

  it('queued first: follows the queue order, skips finished images, falls back to the split order', () => {
    // 7 and 9 are outside the split (status unknown: offered); 3 is reviewed: skipped
    const queued = [7, 3, 4, 9]
    expect(nav({ order: 'queued', queued, current: 1 })).toBe(7) // not in the queue: its first open image
    expect(nav({ order: 'queued', queued, current: 7 })).toBe(4)
    expect(nav({ order: 'queued', queued, current: 4 })).toBe(9)
    expect(nav({ order: 'queued', queued, current: 9 })).toBe(1) // queue exhausted: split order from 9 (not in it) → first
    expect(nav({ order: 'queued', queued, current: 4, delta: -1 })).toBe(7)
    expect(nav({ order: 'queued', queued, current: 7, delta: -1 })).toBe(1) // nothing before: split order (7 not in it)
    expect(nav({ order: 'queued', queued: [], current: 2 })).toBe(3) // empty queue = split order
  })
})
