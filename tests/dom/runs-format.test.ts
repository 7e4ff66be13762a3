/**
 * Results as text: percent with 2 decimals from the stored fractions, the Markdown and CSV tables, the
 * comparability notes (another split, other mask versions), and the metrics table as rendered.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, h, nextTick, type App } from 'vue'
import type { ClassScore, RunDetail, RunSummary } from '../../src/shared/runs'
import { VOC_CLASSES } from '../../src/shared/voc'
import { formatRoute, parseRoute } from '../../src/renderer/src/nav/route'
import MetricsTable from '../../src/renderer/src/runs/MetricsTable.vue'
import {
  comparabilityNotes,
  lossPolyline,
  pct,
  pctDelta,
  runCsv,
  runMarkdown,
} from '../../src/renderer/src/runs/results-format'

function summary(id: number, over: Partial<RunSummary> = {}): RunSummary {
  return {
    id,
    kind: 'album',
    method: 'noda',
    albumId: 1,
    albumName: 'id1 | home',
    status: 'done',
    config: {},
    sourceRunId: 1,
    seed: 0,
    backend: 'wasm',
    codeVersion: 'pss-studio 0.1.0',
    splitId: 5,
    splitVersion: 1,
    maskSet: 'aaaa',
    jobId: 3,
    error: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    finishedAt: null,
    metrics: { images: 7, fiou: 0.123456, miouAll21: 0.0499999, miouPresent: null, miouPaper: 0.0812 },
    live: null,
    ...over,
  }
}

function detail(over: Partial<RunDetail> = {}): RunDetail {
  const perClass: ClassScore[] = VOC_CLASSES.map((name, classId) => ({
    classId,
    name,
    iou: classId === 0 ? 0.87654 : classId === 15 ? 0.005 : 0,
    iouPresent: classId === 0 ? 0.87654 : classId === 15 ? 0.005 : null,
    images: classId === 0 ? 7 : classId === 15 ? 3 : 0,
  }))
  return {
    ...summary(4),
    durations: { source: 10, adapt: null, predict: 2, score: 0.5, total: 12.5 },
    perClass,
    confusion: null,
    lossCurve: [],
    stageCurves: [],
    maskCount: 7,
    ...over,
  }
}

let app: App | null = null
afterEach(() => {
  app?.unmount()
  app = null
  document.body.innerHTML = ''
})

describe('results as text', () => {
  it('shows stored fractions as percent with 2 decimals', () => {
    expect(pct(0.123456)).toBe('12.35')
    expect(pct(0.0499999)).toBe('5.00')
    expect(pct(1)).toBe('100.00')
    expect(pct(0)).toBe('0.00')
    expect(pct(null)).toBe('—')
    expect(pct(Number.NaN)).toBe('—')
  })

  it('signs score differences in points with the same decimals', () => {
    expect(pctDelta(0.032)).toBe('+3.20')
    expect(pctDelta(-0.01049)).toBe('-1.05')
    expect(pctDelta(0)).toBe('+0.00')
    // A loss that rounds to zero is not shown as "-0.00".
    expect(pctDelta(-0.000001)).toBe('+0.00')
    expect(pctDelta(null)).toBe('—')
  })

  it('copies the summary and per-class tables as Markdown and CSV, conventions stated', () => {
    const md = runMarkdown(detail(), 'No-DA #2')
    const lines = md.split('\n')
    expect(lines).toContain(
      '| Run | Method | Split | Images | FIoU | MIoU (paper) | MIoU (all 21) | MIoU (present) |',
    )
    expect(lines).toContain('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |')
    expect(lines).toContain('| #4 | noda | v1 | 7 | 12.35 | 8.12 | 5.00 | — |')
    expect(lines).toContain('| background | 87.65 | 87.65 | 7 |')
    expect(lines).toContain('| person | 0.50 | 0.50 | 3 |')
    expect(lines).toContain('| bottle | 0.00 | — | 0 |')
    expect(lines.filter((l) => l.startsWith('| ') && !l.startsWith('| ---')).length).toBe(2 + 1 + 21) // 2 headers, 1 run, 21 classes
    expect(md).toContain('**id1 | home** — No-DA #2 (run id 4),') // the album name is not a table cell, so no escaping there
    expect(md).toContain('absent classes counted as 0')
    expect(md).toContain("what the released code prints, not the paper's tables")
    expect(md).toContain("background excluded (the paper's Tables 2 and 7)")
    expect(md).toContain('mmsegmentation')
    const csv = runCsv(detail({ albumName: 'a,b' }))
    expect(csv.split('\n').slice(0, 5)).toEqual([
      'Run,Method,Split,Images,FIoU,MIoU (paper),MIoU (all 21),MIoU (present)',
      '#4,noda,v1,7,12.35,8.12,5.00,—',
      '',
      'Class,IoU (all 21),IoU (present),Images',
      'background,87.65,87.65,7',
    ])
    expect(csv.endsWith('\n')).toBe(true)
  })

  it('flags runs scored on another split or other mask versions, never the comparable ones', () => {
    const runs = [
      summary(9, { splitId: 6, splitVersion: 2, maskSet: 'bbbb' }),
      summary(8, { splitId: 6, splitVersion: 2, maskSet: 'bbbb' }),
      summary(7, { splitId: 6, splitVersion: 2, maskSet: 'cccc' }),
      summary(6, { splitId: 5, splitVersion: 1, maskSet: 'aaaa' }),
      summary(5, { status: 'failed', metrics: null, splitId: 5 }),
    ]
    // The reference is named by its display name, never by its run id.
    const nameOf = (id: number): string => `No-DA #${id - 4}`
    const notes = comparabilityNotes(runs, 6, nameOf)
    expect([...notes.keys()].sort()).toEqual([6, 7])
    expect(notes.get(6)).toBe('scored on split v1, not v2 like No-DA #5: not comparable')
    expect(notes.get(7)).toBe(
      'scored on other mask versions than No-DA #5 (masks were edited since): not comparable',
    )
    expect(comparabilityNotes([], 6, nameOf).size).toBe(0)
  })

  it("routes an album's runs tab (#/album/3/runs), never a source's", () => {
    expect(parseRoute('#/album/3/runs')).toEqual({ name: 'runs', target: { kind: 'album', id: 3 } })
    expect(formatRoute({ name: 'runs', target: { kind: 'album', id: 3 } })).toBe('#/album/3/runs')
    expect(parseRoute('#/source/2/runs')).toEqual({ name: 'library', target: { kind: 'source', id: 2 } })
  })

  it('draws the loss curve inside its box', () => {
    const pts = lossPolyline(
      [
        { iteration: 1, loss: 2 },
        { iteration: 3, loss: 1 },
        { iteration: 5, loss: 0.5 },
      ],
      100,
      50,
    )
    expect(pts).toBe('0.0,0.0 50.0,25.0 100.0,37.5')
    expect(lossPolyline([], 100, 50)).toBe('')
  })

  it('renders the metrics table with both MIoU conventions and the per-class image counts', async () => {
    const host = document.createElement('div')
    document.body.appendChild(host)
    const copies: string[] = []
    app = createApp({
      render: () => h(MetricsTable, { run: detail(), onCopy: (f: string) => copies.push(f) }),
    })
    app.mount(host)
    await nextTick()
    const text = (id: string) => host.querySelector(`[data-testid="${id}"]`)?.textContent?.trim()
    expect(text('metric-fiou')).toBe('12.35')
    expect(text('metric-miou-paper')).toBe('8.12')
    expect(text('metric-miou-all21')).toBe('5.00')
    expect(text('metric-miou-present')).toBe('—')
    expect(host.textContent).toContain('absent classes counted as 0')
    const rows = host.querySelectorAll('[data-testid="class-row"]')
    expect(rows.length).toBe(21)
    expect([...rows[15]!.querySelectorAll('td')].map((td) => td.textContent?.trim())).toEqual([
      'person',
      '0.50',
      '0.50',
      '3',
    ])
    ;(host.querySelector('[data-testid="copy-markdown"]') as HTMLButtonElement).click()
    ;(host.querySelector('[data-testid="copy-csv"]') as HTMLButtonElement).click()
    expect(copies).toEqual(['markdown', 'csv'])
  })
})
