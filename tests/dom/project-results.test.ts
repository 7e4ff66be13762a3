/**
 * The results page's pieces as rendered: the users × methods table (stored fractions as percent, the
 * chosen MIoU convention named in the header, pickers where a cell has several runs, ⚠ on a run scored
 * on another split, the Mean row = mean of the per-user numbers), the per-class table with image counts,
 * the overlaid training curves with a legend, and the #/results route.
 */
import { runDisplayNumbers, runName } from '../../src/shared/run-names'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, h, nextTick, type App } from 'vue'
import type { ProjectResults, ResultsRun } from '../../src/shared/insight'
import type { ClassScore } from '../../src/shared/runs'
import { VOC_CLASSES } from '../../src/shared/voc'
import { buildResultsTable, resultsMarkdown } from '../../src/shared/results-table'
import { formatRoute, parseRoute } from '../../src/renderer/src/nav/route'
import ResultsTable from '../../src/renderer/src/results/ResultsTable.vue'
import ClassTable from '../../src/renderer/src/results/ClassTable.vue'
import LossChart from '../../src/renderer/src/runs/LossChart.vue'

function perClass(values: Record<number, [number, number | null, number]>): ClassScore[] {
  return VOC_CLASSES.map((name, classId) => {
    const v = values[classId]
    return { classId, name, iou: v?.[0] ?? 0, iouPresent: v ? v[1] : null, images: v?.[2] ?? 0 }
  })
}

function run(
  runId: number,
  albumId: number,
  method: string,
  fiou: number,
  all21: number,
  present: number | null,
  over: Partial<ResultsRun> = {},
): ResultsRun {
  return {
    runId,
    // As the results handler names it: album runs 3…7 are the project's #1…#5 (source model run 1 apart).
    name: runName({ id: runId, kind: 'album', method }, new Map([[runId, runId - 2]])),
    albumId,
    albumName: `id${albumId}`,
    method,
    createdAt: `2025-01-0${runId % 9}T10:00:00.000Z`,
    seed: runId,
    sourceRunId: 1,
    splitId: 10 + albumId,
    splitVersion: 1,
    maskSet: `m${albumId}`,
    // Object classes in the GT: dog (12) in every album, person (15) in album 1 only — miouPaper is the
    // mean of their IoUs, as the engine would store it.
    metrics: {
      images: 5,
      fiou,
      miouAll21: all21,
      miouPresent: present,
      miouPaper: albumId === 1 ? (fiou + 0.1) / 2 : fiou,
    },
    perClass: perClass(
      albumId === 1
        ? { 0: [0.9, 0.9, 5], 12: [fiou, fiou, 2], 15: [0.1, 0.1, 1] }
        : { 0: [0.9, 0.9, 5], 12: [fiou, fiou, 2] },
    ),
    ...over,
  }
}

const results: ProjectResults = {
  albums: [
    { albumId: 1, name: 'id1', userId: 'id1', activeSplitId: 11, activeSplitVersion: 1 },
    { albumId: 2, name: 'id2', userId: 'id2', activeSplitId: 12, activeSplitVersion: 1 },
    { albumId: 3, name: 'id3', userId: 'id3', activeSplitId: null, activeSplitVersion: null },
  ],
  runs: [
    run(7, 2, 'pss', 0.6, 0.3, 0.5, { maskSet: 'other' }),
    run(6, 2, 'noda', 0.4, 0.2, 0.25),
    run(5, 1, 'pss', 0.7, 0.35, null),
    run(4, 1, 'noda', 0.5, 0.25, 0.3),
    run(3, 1, 'noda', 0.45, 0.22, 0.28),
  ],
}

/** The project's display numbers: source model run 1, then the album runs 3…7 numbered #1…#5. */
const numbers = runDisplayNumbers([
  { id: 1, kind: 'source' },
  ...results.runs.map((r) => ({ id: r.runId, kind: 'album' as const })),
])

let app: App | null = null
afterEach(() => {
  app?.unmount()
  app = null
  document.body.innerHTML = ''
})

async function mount(render: () => ReturnType<typeof h>): Promise<HTMLElement> {
  const host = document.createElement('div')
  document.body.appendChild(host)
  app = createApp({ render })
  app.mount(host)
  await nextTick()
  return host
}

const texts = (root: ParentNode, sel: string): string[] =>
  [...root.querySelectorAll(sel)].map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim())

describe('results page', () => {
  it('renders users × methods with the convention named, pickers, flags and the Mean row', async () => {
    const table = buildResultsTable(results, 'miou_all21')
    const picks: [number, string, number][] = []
    const host = await mount(() =>
      h(ResultsTable, { table, numbers, onPick: (a: number, m: string, r: number) => picks.push([a, m, r]) }),
    )
    expect(texts(host, '[data-testid="results-method"]')).toEqual([
      'No-DA (source only)',
      'PSS (ours: stage 1 + 2)',
    ])
    expect(texts(host, '[data-testid="results-miou-head"]')).toEqual(['MIoU (all 21)', 'MIoU (all 21)'])
    const rows = host.querySelectorAll('[data-testid="results-row"]')
    expect(rows.length).toBe(2) // id3 has no scored run
    expect(texts(rows[0]!, '[data-testid="results-miou"]')).toEqual(['25.00', '35.00'])
    // id1's No-DA cell has two runs: the newest shows, the picker offers both.
    const pick = rows[0]!.querySelector('[data-testid="results-pick"]') as HTMLSelectElement
    expect([...pick.options].map((o) => o.value)).toEqual(['4', '3'])
    // Named by their display numbers (no gap for the source model's run id), not by run ids.
    expect([...pick.options].map((o) => o.text)).toEqual(['#2 · seed 4 · v1', '#1 · seed 3 · v1'])
    expect(rows[0]!.querySelector('[data-testid="results-fiou"]')!.getAttribute('title')).toBe('No-DA #2')
    pick.value = '3'
    pick.dispatchEvent(new Event('change'))
    expect(picks).toEqual([[1, 'noda', 3]])
    // id2's PSS run was scored on other mask versions than its No-DA run: flagged, with the reason.
    const flagged = rows[1]!.querySelectorAll('td.flagged')
    expect(flagged.length).toBe(2)
    expect(flagged[0]!.getAttribute('title')).toContain('other mask versions than No-DA #4')
    const mean = host.querySelector('[data-testid="results-mean"]')!
    expect(texts(mean, 'td')).toEqual([
      'Mean',
      '2 users',
      (((0.5 + 0.4) / 2) * 100).toFixed(2),
      (((0.25 + 0.2) / 2) * 100).toFixed(2),
      `${(((0.7 + 0.6) / 2) * 100).toFixed(2)}⚠`,
      `${(((0.35 + 0.3) / 2) * 100).toFixed(2)}⚠`,
    ])
  })

  it('switches the MIoU convention everywhere (header, cells, Mean over the users that have it, Markdown)', async () => {
    const table = buildResultsTable(results, 'miou_present', new Map([['1:noda', 3]]))
    const host = await mount(() => h(ResultsTable, { table, numbers }))
    expect(texts(host, '[data-testid="results-miou-head"]')[0]).toBe('MIoU (present)')
    const rows = host.querySelectorAll('[data-testid="results-row"]')
    expect(texts(rows[0]!, '[data-testid="results-miou"]')).toEqual(['28.00', '—'])
    expect(texts(rows[0]!, '[data-testid="results-fiou"]')[0]).toMatch(/^45\.00/)
    const md = resultsMarkdown(table)
    expect(md).toContain('mmsegmentation')
    expect(md).toContain(
      `| Mean |  | ${(((0.45 + 0.4) / 2) * 100).toFixed(2)} | ${(((0.28 + 0.25) / 2) * 100).toFixed(2)} | 65.00 ⚠ | 50.00 ⚠ |`,
    )
    expect(md).toContain('- id2, Personalize #5 — OURS-S2: scored on other mask versions than No-DA #4')
  })

  it('shows the paper convention: MIoU over GT object classes, per class over the users whose GT has it', async () => {
    const table = buildResultsTable(results, 'miou_paper')
    const host = await mount(() => h(ResultsTable, { table, numbers }))
    expect(texts(host, '[data-testid="results-miou-head"]')).toEqual(['MIoU (paper)', 'MIoU (paper)'])
    const rows = host.querySelectorAll('[data-testid="results-row"]')
    expect(texts(rows[0]!, '[data-testid="results-miou"]')).toEqual(['30.00', '40.00'])
    expect(texts(rows[1]!, '[data-testid="results-miou"]')[0]).toBe('40.00')
    expect(resultsMarkdown(table)).toContain("background excluded (the paper's Tables 2 and 7)")
    const classes = await mount(() => h(ClassTable, { table, scope: 'all' }))
    const person = classes.querySelectorAll('[data-testid="results-class-row"]')[15]!
    // Only id1's GT holds a person: its IoU (10 %) is the mean; id2 is skipped, not counted as 0.
    expect(texts(person, 'td')).toEqual(['person', '10.00', '10.00', '1'])
    const all21 = await mount(() =>
      h(ClassTable, { table: buildResultsTable(results, 'miou_all21'), scope: 'all' }),
    )
    expect(texts(all21.querySelectorAll('[data-testid="results-class-row"]')[15]!, 'td')).toEqual([
      'person',
      '5.00',
      '5.00',
      '1',
    ])
  })

  it('lists per-class IoU with the images that contain each class', async () => {
    const table = buildResultsTable(results, 'miou_all21')
    const host = await mount(() => h(ClassTable, { table, scope: 'all' }))
    const rows = host.querySelectorAll('[data-testid="results-class-row"]')
    expect(rows.length).toBe(21)
    expect(texts(rows[12]!, 'td')).toEqual([
      'dog',
      (((0.5 + 0.4) / 2) * 100).toFixed(2),
      (((0.7 + 0.6) / 2) * 100).toFixed(2),
      '4',
    ])
    expect(texts(rows[0]!, 'td')).toEqual(['background', '90.00', '90.00', '10'])
    expect(rows[1]!.classList.contains('absent')).toBe(true)
  })

  it('overlays several runs’ curves on one scale with a legend', async () => {
    const series = [
      {
        key: '4',
        label: 'id1 · No-DA #4',
        color: '#4e79a7',
        points: [
          { x: 0, y: 2 },
          { x: 10, y: 1 },
        ],
      },
      {
        key: '6',
        label: 'id2 · No-DA #6',
        color: '#f28e2b',
        points: [
          { x: 0, y: 4 },
          { x: 20, y: 0.5 },
        ],
      },
      { key: '7', label: 'id2 · PSS #7', color: '#e15759', points: [] },
    ]
    const host = await mount(() => h(LossChart, { series, title: 'overlaid' }))
    const lines = [...host.querySelectorAll('[data-testid="chart-line"]')]
    expect(lines.length).toBe(2)
    // One scale: x 0–20, y 0–4, in the 320×110 box.
    expect(lines[0]!.getAttribute('points')).toBe('0.0,55.0 160.0,82.5')
    expect(lines[1]!.getAttribute('points')).toBe('0.0,0.0 320.0,96.3')
    expect((lines[1] as SVGElement).style.stroke).toBe('#f28e2b')
    expect(texts(host, '[data-testid="legend-item"]')).toEqual([
      'id1 · No-DA #4',
      'id2 · No-DA #6',
      'id2 · PSS #7 (no curve)',
    ])
  })

  it('routes #/results', () => {
    expect(parseRoute('#/results')).toEqual({ name: 'results' })
    expect(formatRoute({ name: 'results' })).toBe('#/results')
  })
})
