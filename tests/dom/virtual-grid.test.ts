/**
 * The virtual grid in happy-dom: 10,000 items, only the visible rows (plus overscan) exist in the DOM,
 * and scrolling swaps them. happy-dom does no layout, so the scroller's size is given at the
 * measurement boundary (clientWidth/clientHeight) as a browser would report it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, h, nextTick, type App } from 'vue'
import VirtualGrid from '../../src/renderer/src/components/VirtualGrid.vue'

const VIEW_W = 1200
const VIEW_H = 800
let app: App | null = null
let host: HTMLElement
const restore: (() => void)[] = []

function stubSize(prop: 'clientWidth' | 'clientHeight', value: number): void {
  const desc =
    Object.getOwnPropertyDescriptor(HTMLElement.prototype, prop) ??
    Object.getOwnPropertyDescriptor(Element.prototype, prop)
  Object.defineProperty(HTMLElement.prototype, prop, { configurable: true, get: () => value })
  restore.push(() => {
    if (desc) Object.defineProperty(HTMLElement.prototype, prop, desc)
    else delete (HTMLElement.prototype as unknown as Record<string, unknown>)[prop]
  })
}

/** Waits for Vue's render and the grid's requestAnimationFrame-throttled scroll handling. */
async function settle(): Promise<void> {
  await nextTick()
  await new Promise((r) => requestAnimationFrame(() => r(null)))
  await nextTick()
}

function mountGrid(count: number, ranges: [number, number][]) {
  host = document.createElement('div')
  document.body.appendChild(host)
  app = createApp({
    render: () =>
      h(
        VirtualGrid,
        {
          count,
          minCellWidth: 168,
          captionHeight: 26,
          gap: 10,
          overscanRows: 2,
          onRange: (s: number, e: number) => ranges.push([s, e]),
        },
        {
          cell: ({ index, settled }: { index: number; settled: boolean }) =>
            h('span', { class: 'probe', 'data-settled': String(settled) }, `item ${index}`),
        },
      ),
  })
  app.mount(host)
}

function renderedIndices(): number[] {
  return [...host.querySelectorAll<HTMLElement>('.vcell')]
    .map((el) => Number(el.dataset.index))
    .sort((a, b) => a - b)
}

beforeEach(() => {
  stubSize('clientWidth', VIEW_W)
  stubSize('clientHeight', VIEW_H)
})
afterEach(() => {
  app?.unmount()
  app = null
  host.remove()
  while (restore.length) restore.pop()!()
})

describe('VirtualGrid with 10,000 items', () => {
  it('renders only the visible rows plus overscan, in a spacer of the full height', async () => {
    const ranges: [number, number][] = []
    mountGrid(10_000, ranges)
    await settle()
    // 6 columns of 188 px at 1200 px, rows of 224 px; rows 0–3 visible in 800 px, 2 rows overscan → 36 cells
    expect(renderedIndices()).toEqual(Array.from({ length: 36 }, (_, i) => i))
    expect(host.querySelectorAll('.probe').length).toBe(36)
    const spacer = host.querySelector<HTMLElement>('[data-testid="grid-spacer"]')!
    expect(spacer.style.height).toBe(`${1667 * 224 + 10}px`)
    expect(ranges.at(-1)).toEqual([0, 36])
  })

  it('swaps the rendered cells when scrolled, never rendering more than a screenful', async () => {
    const ranges: [number, number][] = []
    mountGrid(10_000, ranges)
    await settle()
    const scroller = host.querySelector<HTMLElement>('[data-testid="grid-scroller"]')!

    scroller.scrollTop = 1000 * 224 + 50
    scroller.dispatchEvent(new Event('scroll'))
    await settle()
    const mid = renderedIndices()
    expect(mid[0]).toBe(998 * 6)
    expect(mid.at(-1)).toBe(1006 * 6 - 1)
    expect(mid.length).toBe(8 * 6)
    expect(ranges.at(-1)).toEqual([998 * 6, 1006 * 6])
    // cells are positioned by translate() at their row's offset, sized to the widened cell
    const first = host.querySelector<HTMLElement>(`.vcell[data-index="${998 * 6 + 1}"]`)!
    expect(first.style.transform).toBe(`translate(${10 + 198}px, ${10 + 998 * 224}px)`)
    expect(first.style.width).toBe('188px')

    scroller.scrollTop = 1667 * 224 // past the end
    scroller.dispatchEvent(new Event('scroll'))
    await settle()
    const end = renderedIndices()
    expect(end.at(-1)).toBe(9999)
    expect(end.length).toBeLessThanOrEqual(8 * 6)
    expect(host.querySelectorAll('.vcell').length).toBe(end.length)
  })

  it('tells cells when the user is flinging, and when the grid has settled again', async () => {
    mountGrid(10_000, [])
    await settle()
    expect(host.querySelector('.probe')!.getAttribute('data-settled')).toBe('true')
    const scroller = host.querySelector<HTMLElement>('[data-testid="grid-scroller"]')!
    scroller.scrollTop = 200_000 // a fling: far more than 2 px/ms
    scroller.dispatchEvent(new Event('scroll'))
    await settle()
    expect(
      [...host.querySelectorAll('.probe')].every((p) => p.getAttribute('data-settled') === 'false'),
    ).toBe(true)
    await new Promise((r) => setTimeout(r, 200))
    await settle()
    expect([...host.querySelectorAll('.probe')].every((p) => p.getAttribute('data-settled') === 'true')).toBe(
      true,
    )
  })

  it('does not re-emit a range while scrolling inside the same rows', async () => {
    const ranges: [number, number][] = []
    mountGrid(10_000, ranges)
    await settle()
    const before = ranges.length
    const scroller = host.querySelector<HTMLElement>('[data-testid="grid-scroller"]')!
    scroller.scrollTop = 50 // rows 0–3 still cover the viewport (850 < 4 × 224)
    scroller.dispatchEvent(new Event('scroll'))
    await settle()
    expect(ranges.length).toBe(before)
  })
})
