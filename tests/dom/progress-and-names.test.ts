/**
 * The progress line (rate with its unit, whole-chain ETA) shared by the jobs panel and the run page, the
 * human run names, the album-deletion sentence and the live loss curve.
 */
import { describe, expect, it } from 'vitest'
import { formatEta, formatProgressStats, formatRate } from '../../src/renderer/src/format'
import { methodShortName, runDisplayNumbers, runName } from '../../src/shared/run-names'
import { describeAlbumDeletion, type AlbumDeletion } from '../../src/shared/album-deletion'
import { LiveLoss, LIVE_LOSS_MAX_POINTS } from '../../src/renderer/src/runs/live-loss'
import type { RunLive } from '../../src/shared/runs'
import { comparabilityLabel } from '../../src/shared/comparability-label'
import { figureLayout, legendOrigin } from '../../src/renderer/src/compare/figure-layout'
import { presentClasses } from '../../src/renderer/src/compare/label-maps'

describe('progress line', () => {
  it('says steps/s for training and img/s otherwise', () => {
    expect(formatRate(3.44, 'steps')).toBe('3.4 steps/s')
    expect(formatRate(12.6, 'steps')).toBe('13 steps/s')
    expect(formatRate(12.6)).toBe('13 img/s')
    expect(formatRate(0.25, 'images')).toBe('0.3 img/s')
    expect(formatRate(null, 'steps')).toBe('')
    expect(formatRate(undefined)).toBe('')
    expect(formatRate(Number.NaN)).toBe('')
  })

  it('joins rate and ETA the same way for a job and a live run', () => {
    const live: RunLive = {
      phase: 'adapt',
      done: 10,
      total: 100,
      loss: 1.2,
      rate: 2,
      unit: 'steps',
      etaSeconds: 64,
      message: '',
    }
    expect(formatProgressStats(live)).toBe('2.0 steps/s · 1m 04s left')
    expect(formatProgressStats({ rate: 40, unit: 'images', etaSeconds: 679 })).toBe('40 img/s · 11m 19s left')
    expect(formatProgressStats({ rate: null, etaSeconds: null })).toBe('')
    expect(formatProgressStats({ etaSeconds: 5 })).toBe('5s left')
    expect(formatEta(3 * 3600 + 61)).toBe('3h 01m left')
  })
})

describe('run names', () => {
  // Project runs as the store lists them (newest first): source-model runs 1, 3, 5 sit between album runs.
  const runs = [
    { id: 8, kind: 'album' as const, method: 'pss' },
    { id: 7, kind: 'album' as const, method: 'bn-only' },
    { id: 6, kind: 'album' as const, method: 'noda' },
    { id: 5, kind: 'source' as const, method: 'source' },
    { id: 4, kind: 'album' as const, method: 'noda' },
    { id: 3, kind: 'source' as const, method: 'source' },
    { id: 2, kind: 'album' as const, method: 'noda' },
    { id: 1, kind: 'source' as const, method: 'source' },
  ]

  it('reads as what the run did and its display number', () => {
    const n = runDisplayNumbers(runs)
    expect(runName(runs[0]!, n)).toBe('Personalize #5 — OURS-S2')
    expect(runName(runs[1]!, n)).toBe('Personalize #4 — BN-only')
    expect(runName(runs[2]!, n)).toBe('No-DA #3')
    expect(runName(runs[3]!, n)).toBe('Source model #3')
    // A method this build does not know (a newer project) keeps its id rather than failing.
    expect(methodShortName('future-da')).toBe('future-da')
  })

  it('numbers the visible runs without gaps, source models apart', () => {
    const n = runDisplayNumbers(runs)
    expect([2, 4, 6, 7, 8].map((id) => n.get(id))).toEqual([1, 2, 3, 4, 5])
    expect([1, 3, 5].map((id) => n.get(id))).toEqual([1, 2, 3])
  })

  it("keeps a run's number when later runs are added, in any list order", () => {
    const before = runDisplayNumbers(runs)
    const later = [
      { id: 10, kind: 'album' as const, method: 'noda' },
      { id: 9, kind: 'source' as const, method: 'source' },
    ]
    const after = runDisplayNumbers([...later, ...runs].reverse())
    for (const r of runs) expect(after.get(r.id)).toBe(before.get(r.id))
    expect(after.get(10)).toBe(6)
    expect(after.get(9)).toBe(4)
  })

  it('names the id of a run the list does not know instead of a guessed number', () => {
    expect(runName({ id: 12, kind: 'album', method: 'noda' }, runDisplayNumbers(runs))).toBe(
      'No-DA (run id 12)',
    )
  })
})

describe('album deletion sentence', () => {
  const d: AlbumDeletion = {
    albumId: 1,
    name: 'Trip',
    images: 1,
    maskedImages: 1,
    maskVersions: 2,
    runs: 1,
    activeRuns: 0,
    copiedOriginals: 0,
    inPlaceOriginals: 2,
  }
  it('counts what goes and says what stays', () => {
    expect(describeAlbumDeletion(d)).toBe(
      'Deletes "Trip": 1 image, 2 masks, 1 run. The 2 photos imported in place stay where they are.',
    )
    expect(describeAlbumDeletion({ ...d, inPlaceOriginals: 0, images: 0, maskVersions: 0, runs: 0 })).toBe(
      'Deletes "Trip": 0 images, 0 masks, 0 runs.',
    )
  })
})

describe('live loss curve', () => {
  const at = (phase: RunLive['phase'], done: number, loss: number | null): RunLive => ({
    phase,
    done,
    total: 100,
    loss,
    etaSeconds: null,
    message: '',
  })
  it('grows with the reports of one run and phase and restarts on a new one', () => {
    const l = new LiveLoss()
    l.add(1, at('source', 1, 2.5))
    l.add(1, at('source', 1, 2.4)) // the same iteration reported twice: kept once
    l.add(1, at('source', 5, null)) // no loss in this report
    expect(l.add(1, at('source', 8, 1.9))).toEqual([
      { iteration: 1, loss: 2.5 },
      { iteration: 8, loss: 1.9 },
    ])
    expect(l.add(1, at('adapt', 3, 0.7))).toEqual([{ iteration: 3, loss: 0.7 }])
    // The next adaptation stage counts from the start again.
    expect(l.add(1, at('adapt', 1, 0.9))).toEqual([{ iteration: 1, loss: 0.9 }])
    expect(l.add(2, at('adapt', 2, 0.5))).toEqual([{ iteration: 2, loss: 0.5 }])
    expect(l.add(null, null)).toEqual([{ iteration: 2, loss: 0.5 }])
  })

  it('thins a long curve and keeps the newest point', () => {
    const l = new LiveLoss()
    let points = l.add(1, at('source', 1, 1))
    for (let i = 2; i <= 2000; i++) points = l.add(1, at('source', i, 1 / i))
    expect(points.length).toBeLessThanOrEqual(LIVE_LOSS_MAX_POINTS)
    expect(points[points.length - 1]).toEqual({ iteration: 2000, loss: 1 / 2000 })
    expect(points[0]).toEqual({ iteration: 1, loss: 1 })
  })
})

describe('comparability pill', () => {
  it('says "different splits" only when the splits differ', () => {
    expect(
      comparabilityLabel([
        { splitId: 1, maskSet: 'a' },
        { splitId: 1, maskSet: 'a' },
      ]),
    ).toBeNull()
    expect(
      comparabilityLabel([
        { splitId: 1, maskSet: 'a' },
        { splitId: 2, maskSet: 'a' },
      ])?.text,
    ).toBe('different splits')
    expect(
      comparabilityLabel([
        { splitId: 1, maskSet: 'a' },
        { splitId: 1, maskSet: 'b' },
      ])?.text,
    ).toBe('different mask versions')
    expect(comparabilityLabel([])).toBeNull()
  })
})

describe('figure legend', () => {
  it('adds legend lines under the rows, entries left to right', () => {
    // 1328 px wide (5 columns of 256): (1328 − 24) / 260 → 5 entries a line; 12 classes → 3 lines.
    const l = figureLayout({ rows: 2, cols: 5, cell: 256, legendEntries: 12 })
    expect([l.legendPerLine, l.legendLines]).toEqual([5, 3])
    expect(l.height).toBe(610 + 6 + 3 * 20)
    expect(legendOrigin(l, 2, 0)).toEqual({ x: 12, y: 610 - 12 + 6 })
    expect(legendOrigin(l, 2, 6)).toEqual({ x: 12 + 260, y: 610 - 12 + 6 + 20 })
    // The last line ends at the bottom padding.
    expect(legendOrigin(l, 2, 11).y + 20 + l.padding).toBe(l.height)
    expect(figureLayout({ rows: 2, cols: 5, cell: 256 }).height).toBe(610)
  })

  it('lists the classes present in the label maps, void left out', () => {
    const m = (data: number[]) => ({ width: data.length, height: 1, data: Uint8Array.from(data) })
    expect(presentClasses([m([0, 15, 15, 255]), null, m([3, 0])])).toEqual([0, 3, 15])
    expect(presentClasses([])).toEqual([])
  })
})
