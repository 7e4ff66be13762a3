/**
 * Text tables of `pss-studio bench methods`: the methods table (method × user rows, FIoU and the three MIoU
 * conventions, mean ± std over seeds) with the ceilings under it, the cost of the inference extras, the
 * ablations in the paper's shape (users × settings, FIoU and MIoU per setting — MIoU in the paper's
 * Tables 2/7 convention; the "MEAN" row is the mean over users), and the per-class IoU tables (paper
 * Tables 7/8: classes × methods, with the test images holding each class).
 */
import type { Ceilings } from '../../engine/api'
import type { MeanStd, MethodsBenchResult, PerClassSummary, Summary } from '../../engine/api'

type ScoreKey = 'fiou' | 'miou_paper' | 'miou_all21' | 'miou_present'
const f1 = (v: number | null): string => (v === null || Number.isNaN(v) ? '   –  ' : v.toFixed(2).padStart(6))
const pm = (m: MeanStd, k: ScoreKey): string => `${f1(m[k])} ± ${f1(m.std[k]).trim().padEnd(5)}`

/** What each MIoU column means (docs/method.md §6), printed under the methods table. */
export const MIOU_LEGEND =
  "MIoU(paper): object classes in the GT, background excluded (the paper's Tables 2/7); MIoU(all21): all 21 " +
  "classes, absent = 0 (the released code's printout, not the paper's tables); MIoU(present): classes in GT " +
  'or prediction (mmsegmentation). Percent, mean ± std over seeds.'

export function benchTable(r: Pick<MethodsBenchResult, 'methods'>): string[] {
  const names = Object.keys(r.methods)
  if (names.length === 0) return []
  const users = [...new Set(names.flatMap((n) => Object.keys(r.methods[n]!.perUser)))]
  const w = Math.max(8, ...names.map((n) => n.length))
  const lines = [
    `${'method'.padEnd(w)}  ${'user'.padEnd(7)}  FIoU            MIoU(paper)     MIoU(all21)     MIoU(present)`,
  ]
  const row = (m: MeanStd): string =>
    `${pm(m, 'fiou')}  ${pm(m, 'miou_paper')}  ${pm(m, 'miou_all21')}  ${pm(m, 'miou_present')}`
  for (const n of names) {
    const m = r.methods[n]!
    for (const u of users) {
      const pu = m.perUser[u]
      if (pu) lines.push(`${n.padEnd(w)}  ${u.padEnd(7)}  ${row(pu)}`)
    }
    lines.push(`${n.padEnd(w)}  ${'MEAN'.padEnd(7)}  ${row(m)}`)
  }
  lines.push(MIOU_LEGEND)
  return lines
}

/**
 * The ceilings under the methods table (eval/ceilings.ts): what a perfect prediction and the ideal
 * stride-s predictor at the inference geometry score on the same validation GT, mean over users.
 */
export function ceilingLines(r: { ceilings?: Ceilings | null | undefined }): string[] {
  const c = r.ceilings
  if (!c) return []
  const pct = (v: number): string => f1(Number.isNaN(v) ? null : v * 100)
  const scores = (s: Ceilings['perfect']): string =>
    `FIoU ${pct(s.fiou)}  MIoU(paper) ${pct(s.miouPaper)}  MIoU(all21) ${pct(s.miouAll21)}  MIoU(present) ${pct(s.miouPresent)}`
  const g = c.strideIdeal
  const labels = [
    'perfect prediction',
    g.mode === 'aspect'
      ? `ideal stride-${g.stride} predictor (aspect kept, long side ${g.size}, ${g.grid}-node long side)`
      : `ideal stride-${g.stride} predictor (${g.size}×${g.size} squashed input, ${g.grid}×${g.grid} logits)`,
  ]
  const w = Math.max(...labels.map((l) => l.length))
  return [
    `Ceilings on the ${c.perfect.images} validation masks (mean over ${c.perfect.users} users; GT void counts in the FIoU union):`,
    `  ${labels[0]!.padEnd(w)}  ${scores(c.perfect)}`,
    `  ${labels[1]!.padEnd(w)}  ${scores(g)}`,
  ]
}

/**
 * One line per inference extra (its cost per image and what it adds over a plain pass) and per row with
 * its own trainer (its whole run, stage by stage).
 */
export function costLines(r: Pick<MethodsBenchResult, 'methods'>): string[] {
  return Object.entries(r.methods).flatMap(([n, m]) => [
    ...(m.cost
      ? [
          `${n}: ${m.cost.secondsPerImage.toFixed(3)} s/image in all, +${m.cost.addedSecondsPerImage.toFixed(3)} s/image ` +
            `over one plain pass (${m.cost.passes} pass${m.cost.passes === 1 ? '' : 'es'}` +
            `${m.cost.crfSecondsPerImage === null ? '' : `, CRF ${m.cost.crfSecondsPerImage.toFixed(3)} s/image`}; ` +
            `${m.cost.images} images)`,
        ]
      : []),
    ...(m.runCost
      ? [
          `${n}: ${m.runCost.secondsPerRun.toFixed(1)} s per run in all (${Object.entries(
            m.runCost.stageSecondsPerRun,
          )
            .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
            .join(', ')}; ${m.runCost.runs} run${m.runCost.runs === 1 ? '' : 's'}, ` +
            `${m.runCost.secondsPerImage.toFixed(3)} s per predicted image with training; ${m.runCost.images} images)`,
        ]
      : []),
  ])
}

/** `12.34` or, over several seeds, `12.34±1.20`; `–` where undefined. */
function cell(m: MeanStd | undefined, k: 'fiou' | 'miou_paper'): string {
  const v = m?.[k]
  if (!m || v === null || v === undefined || Number.isNaN(v)) return '–'
  const sd = m.std[k]
  return m.seeds > 1 && sd !== null ? `${v.toFixed(2)}±${sd.toFixed(2)}` : v.toFixed(2)
}

/**
 * Users × columns, each column FIoU and MIoU in the paper's Tables 2/7 convention (miou_paper): one line
 * per user, then MEAN, then a line saying which MIoU it is.
 */
export function crossTable(title: string, columns: readonly { label: string; s: Summary }[]): string[] {
  if (columns.length === 0) return []
  const users = [...new Set(columns.flatMap((c) => Object.keys(c.s.perUser)))]
  const rows: string[][] = [
    ['user', ...columns.flatMap((c) => [`${c.label} FIoU`, `${c.label} MIoU`])],
    ...users.map((u) => [
      u,
      ...columns.flatMap((c) => [cell(c.s.perUser[u], 'fiou'), cell(c.s.perUser[u], 'miou_paper')]),
    ]),
    ['MEAN', ...columns.flatMap((c) => [cell(c.s, 'fiou'), cell(c.s, 'miou_paper')])],
  ]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return [
    title,
    ...rows.map((r) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ')),
    "MIoU: object classes in the GT, background excluded (the paper's Tables 2/7 convention).",
  ]
}

const SETTING_TITLES = { personal: 'Personal', mixall: 'MixAll', mixsample: 'MixSample' } as const
const CONTEXT_TITLES = { none: 'None', global: 'Global', ours: 'Ours' } as const

/** The ablation tables (Tables 5, 4, 3 of the paper), each only when it was run. */
export function ablationTables(r: Pick<MethodsBenchResult, 'ablations'>): string[] {
  const a = r.ablations
  if (!a) return []
  const out: string[] = []
  const data = (Object.keys(SETTING_TITLES) as (keyof typeof SETTING_TITLES)[]).flatMap((k) => {
    const s = a.data[k]
    return s ? [{ label: SETTING_TITLES[k], s, n: s.trainImages }] : []
  })
  if (data.length) {
    out.push(
      ...crossTable(
        `Data setting (paper Table 5), ${a.method}; target images per model: ${data
          .map((d) => `${d.label} ${Number.isInteger(d.n) ? d.n : d.n.toFixed(1)}`)
          .join(', ')}`,
        data,
      ),
      '',
    )
  }
  const ks = Object.entries(a.k)
  if (ks.length) {
    const clamped = ks.filter(([k, s]) => Object.values(s.effectiveK).some((e) => e !== Number(k)))
    out.push(
      ...crossTable(
        `K sweep (paper Table 4), ${a.method}` +
          (clamped.length
            ? `; clamped to the album size: ${clamped
                .map(([k, s]) => `K=${k} → ${[...new Set(Object.values(s.effectiveK))].join('/')}`)
                .join(', ')}`
            : ''),
        ks.map(([k, s]) => ({ label: `K=${k}`, s })),
      ),
      '',
    )
  }
  const ctx = (Object.keys(CONTEXT_TITLES) as (keyof typeof CONTEXT_TITLES)[]).flatMap((k) => {
    const s = a.context[k]
    return s ? [{ label: CONTEXT_TITLES[k], s }] : []
  })
  if (ctx.length) out.push(...crossTable('Context (paper Table 3), pss-s1', ctx), '')
  return out
}

/** `12.34`, `12.34±1.20` over several seeds, `–` when undefined. */
function classCell(mean: number | null, std: number | null, seeds: number): string {
  if (mean === null || Number.isNaN(mean)) return '–'
  return seeds > 1 && std !== null ? `${mean.toFixed(2)}±${std.toFixed(2)}` : mean.toFixed(2)
}

function alignRows(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) =>
    r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  '),
  )
}

/**
 * The per-class IoU tables (paper Tables 7/8), classes × methods, one per MIoU convention: per class the
 * validation images containing it (summed over users) and each method's IoU, mean over users per seed
 * (all-21: a user without the class counts 0; present: over the users where the class is present), then
 * mean ± std over seeds. The all-21 table ends with the mean over classes, which is the methods table's
 * MIoU(all21) MEAN.
 */
export function perClassTables(r: { perClass?: Record<string, PerClassSummary> }): string[] {
  const entries = Object.entries(r.perClass ?? {})
  const first = entries[0]?.[1]
  if (!first) return []
  const classes = Object.keys(first.classes)
  const images = (c: string): string => {
    const n = first.classes[c]!.images
    return Number.isInteger(n) ? String(n) : n.toFixed(1)
  }
  const seeds = Math.max(...entries.map(([, p]) => p.seeds))
  const users = Math.max(...entries.map(([, p]) => p.users))
  const over = `mean over ${users} user${users === 1 ? '' : 's'}${seeds > 1 ? `, mean ± std over ${seeds} seeds` : ''}`
  const header = ['class', 'images', ...entries.map(([m]) => m)]
  const all21 = alignRows([
    header,
    ...classes.map((c) => [
      c,
      images(c),
      ...entries.map(([, p]) =>
        classCell(p.classes[c]?.all21 ?? null, p.classes[c]?.all21Std ?? null, p.seeds),
      ),
    ]),
    [
      'MEAN',
      '',
      ...entries.map(([, p]) => {
        const v = Object.values(p.classes)
        return classCell(v.reduce((s, x) => s + x.all21, 0) / Math.max(1, v.length), null, 1)
      }),
    ],
  ])
  const present = alignRows([
    header,
    ...classes.map((c) => [
      c,
      images(c),
      ...entries.map(([, p]) =>
        classCell(p.classes[c]?.present ?? null, p.classes[c]?.presentStd ?? null, p.seeds),
      ),
    ]),
  ])
  return [
    `Per-class IoU (paper Tables 7/8), all-21 convention (a user without the class counts 0); ${over}; ` +
      'images: validation images containing the class, over all users',
    ...all21,
    '',
    `Per-class IoU, present convention (mean over the users where the class is in GT or prediction; – in none); ${over}`,
    ...present,
    '',
  ]
}

/**
 * The reading table (docs/method.md §10): source-val (in-domain level), No-DA (the gap), every method with its
 * paired FIoU difference to No-DA and bootstrap 95 % CI over images, and the share of the No-DA → oracle
 * gap it closes, then the target oracle (the reachable top). An ordering holds only where the CI excludes 0.
 */
export function referenceTable(
  r: Pick<MethodsBenchResult, 'methods' | 'sourceVal' | 'oracle'> &
    Partial<Pick<MethodsBenchResult, 'contextSourceVal' | 'contextNoda'>>,
): string[] {
  const rows: { name: string; s: MethodsBenchResult['methods'][string] }[] = [
    ...(r.sourceVal ? [{ name: 'source-val', s: r.sourceVal }] : []),
    ...(r.contextSourceVal ? [{ name: 'source-val (context net)', s: r.contextSourceVal }] : []),
    ...Object.entries(r.methods).map(([name, s]) => ({ name, s })),
    ...(r.contextNoda ? [{ name: 'No-DA (context net)', s: r.contextNoda }] : []),
    ...(r.oracle ? [{ name: 'target oracle', s: r.oracle }] : []),
  ]
  if (rows.length === 0 || !r.methods['noda']) return []
  const w = Math.max(13, ...rows.map((x) => x.name.length))
  const lines = [`${'row'.padEnd(w)}  FIoU             Δ FIoU vs No-DA [95 % CI]      gap closed`]
  for (const { name, s } of rows) {
    const p = s.pairedVsNoda?.fiou
    const d = p
      ? `${p.mean >= 0 ? '+' : ''}${p.mean.toFixed(2)} [${p.ci95[0].toFixed(2)}, ${p.ci95[1].toFixed(2)}]${
          p.ci95[0] > 0 || p.ci95[1] < 0 ? ' *' : ''
        }`
      : name === 'noda'
        ? '(reference)'
        : '–'
    const g = s.gapClosed === undefined || s.gapClosed === null ? '–' : `${(s.gapClosed * 100).toFixed(0)} %`
    lines.push(`${name.padEnd(w)}  ${pm(s, 'fiou')}  ${d.padEnd(29)}  ${g}`)
  }
  lines.push(
    'Δ: paired per-image FIoU difference to No-DA, mean over (seed, user) strata; CI: bootstrap over images ' +
      'within each stratum (2000 resamples); * = CI excludes 0. Gap closed: (row − No-DA) / (oracle − No-DA).',
    ...(r.contextNoda || r.contextSourceVal
      ? [
          '(context net): the group-context network’s own source model, before any adaptation (where OURS starts).',
        ]
      : []),
  )
  return lines
}
