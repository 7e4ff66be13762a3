/**
 * The project's results as the paper lays them out: a users × methods table (one row per album, one
 * column pair FIoU / MIoU per method), a Mean row that is the mean of the per-user numbers, and the
 * per-class IoU with per-class image counts (paper Tables 7/8). Pure functions over what the
 * `projectResults` API returns (stored fractions, nothing recomputed from pixels), shared so the Node
 * test of the handler formats with the same code; tested in tests/unit/insight/results.test.ts and
 * tests/dom/project-results.test.ts.
 *
 * A cell is the newest scored run of that method on that album unless another one is picked. Runs of one
 * row scored on another split or other mask versions than the row's reference are flagged (the same
 * check as the runs tab: comparabilityNotes), and a column mean over flagged cells is flagged too.
 */
import type { ProjectResults, ResultsAlbum, ResultsRun } from './insight'
import { CONVENTIONS, comparabilityNotes, csvLines, mdTable, pct } from './results-format'
import { RUN_METHOD_LABELS, RUN_METHODS } from './runs'
import { VOC_CLASSES } from './voc'

/** The MIoU convention the table shows (all three are known for every scored run). */
export const MIOU_CONVENTIONS = ['miou_paper', 'miou_all21', 'miou_present'] as const
export type MiouConvention = (typeof MIOU_CONVENTIONS)[number]

export const MIOU_CONVENTION_LABELS: Record<MiouConvention, string> = {
  miou_paper: 'MIoU (paper)',
  miou_all21: 'MIoU (all 21)',
  miou_present: 'MIoU (present)',
}

/** The sentence stated on the table and in every copy. */
export const MIOU_CONVENTION_TEXT: Record<MiouConvention, string> = {
  miou_paper: CONVENTIONS.miouPaper,
  miou_all21: CONVENTIONS.miouAll21,
  miou_present: `${CONVENTIONS.miouPresent} / ADVENT`,
}

export const MEAN_TEXT =
  'Mean: the mean of the per-user numbers (as the paper reports), over the users that have the method'

export interface ResultsCell {
  run: ResultsRun
  fiou: number
  /** MIoU in the chosen convention (null: undefined for this run, e.g. no class present). */
  miou: number | null
  /** Scored runs of this method on this album (the picker offers them when more than one). */
  candidates: ResultsRun[]
  /** Why this run is not comparable with the rest of its row; null when it is. */
  note: string | null
}

export interface ResultsRow {
  album: ResultsAlbum
  /** One entry per table method, null where the album has no scored run of it. */
  cells: (ResultsCell | null)[]
  /** The row's reference run (comparability and per-class image counts). */
  reference: ResultsRun
}

export interface ResultsMean {
  fiou: number | null
  miou: number | null
  /** Users (rows) averaged for FIoU, out of all rows. */
  users: number
  /** True when one of the averaged cells is flagged as not comparable within its row. */
  flagged: boolean
}

export interface ResultsTable {
  convention: MiouConvention
  methods: string[]
  rows: ResultsRow[]
  mean: ResultsMean[]
  /** Albums of the project with no scored run (not rows of the table). */
  unscoredAlbums: ResultsAlbum[]
}

/** Which run each (album, method) cell shows when it is not the newest: key `${albumId}:${method}`. */
export type ResultsPicks = ReadonlyMap<string, number>

export function pickKey(albumId: number, method: string): string {
  return `${albumId}:${method}`
}

export function methodLabel(method: string): string {
  return (RUN_METHOD_LABELS as Record<string, string>)[method] ?? method
}

/** Known methods in their canonical order (No-DA first, as the paper's tables), then others by name. */
export function orderMethods(methods: Iterable<string>): string[] {
  const set = new Set(methods)
  const known = RUN_METHODS.filter((m) => set.has(m))
  const other = [...set].filter((m) => !(RUN_METHODS as readonly string[]).includes(m)).sort()
  return [...known, ...other]
}

export function miouOf(run: ResultsRun, convention: MiouConvention): number | null {
  switch (convention) {
    case 'miou_paper':
      return run.metrics.miouPaper
    case 'miou_all21':
      return run.metrics.miouAll21
    case 'miou_present':
      return run.metrics.miouPresent
  }
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length
}

export function buildResultsTable(
  results: ProjectResults,
  convention: MiouConvention,
  picks: ResultsPicks = new Map(),
): ResultsTable {
  const methods = orderMethods(results.runs.map((r) => r.method))
  const byCell = new Map<string, ResultsRun[]>()
  for (const r of [...results.runs].sort((a, b) => b.runId - a.runId)) {
    const k = pickKey(r.albumId, r.method)
    const list = byCell.get(k)
    if (list) list.push(r)
    else byCell.set(k, [r])
  }
  const rows: ResultsRow[] = []
  const unscoredAlbums: ResultsAlbum[] = []
  for (const album of results.albums) {
    const chosen = methods.map((m) => {
      const candidates = byCell.get(pickKey(album.albumId, m)) ?? []
      const picked = picks.get(pickKey(album.albumId, m))
      const run = candidates.find((c) => c.runId === picked) ?? candidates[0]
      return run ? { run, candidates } : null
    })
    const present = chosen.filter((c) => c !== null)
    if (present.length === 0) {
      unscoredAlbums.push(album)
      continue
    }
    const notes = comparabilityNotes(
      present.map((c) => ({
        id: c.run.runId,
        metrics: c.run.metrics,
        splitId: c.run.splitId,
        splitVersion: c.run.splitVersion,
        maskSet: c.run.maskSet,
      })),
      album.activeSplitId,
      (id) => present.find((c) => c.run.runId === id)?.run.name ?? `run id ${id}`,
    )
    const reference =
      present.find((c) => !notes.has(c.run.runId) && c.run.splitId === album.activeSplitId)?.run ??
      present.find((c) => !notes.has(c.run.runId))!.run
    rows.push({
      album,
      reference,
      cells: chosen.map((c) =>
        c === null
          ? null
          : {
              run: c.run,
              candidates: c.candidates,
              fiou: c.run.metrics.fiou,
              miou: miouOf(c.run, convention),
              note: notes.get(c.run.runId) ?? null,
            },
      ),
    })
  }
  const meanRow = methods.map((_, j): ResultsMean => {
    const cells = rows.flatMap((r) => (r.cells[j] ? [r.cells[j]] : []))
    return {
      fiou: mean(cells.map((c) => c.fiou)),
      miou: mean(cells.flatMap((c) => (c.miou === null ? [] : [c.miou]))),
      users: cells.length,
      flagged: cells.some((c) => c.note !== null),
    }
  })
  return { convention, methods, rows, mean: meanRow, unscoredAlbums }
}

/** A row's split as text: "v2", or every version its runs were scored on when they differ. */
export function rowSplit(row: ResultsRow): string {
  const versions = [...new Set(row.cells.flatMap((c) => (c ? [c.run.splitVersion] : [])))]
  return versions.map((v) => (v === null ? '(deleted)' : `v${v}`)).join(', ')
}

const FLAG = ' ⚠'

function cellText(v: number | null, flagged: boolean): string {
  return `${pct(v)}${flagged ? FLAG : ''}`
}

/** The main table as rows of text (header, one row per user, the Mean row), as copied and shown. */
export function tableRows(t: ResultsTable): { header: string[]; rows: string[][] } {
  const miouHead = MIOU_CONVENTION_LABELS[t.convention]
  const header = [
    'User',
    'Split',
    ...t.methods.flatMap((m) => [`${methodLabel(m)} FIoU`, `${methodLabel(m)} ${miouHead}`]),
  ]
  const rows = t.rows.map((r) => [
    r.album.name,
    rowSplit(r),
    ...r.cells.flatMap((c) =>
      c ? [cellText(c.fiou, c.note !== null), cellText(c.miou, c.note !== null)] : ['—', '—'],
    ),
  ])
  const n = t.rows.length
  rows.push([
    'Mean',
    '',
    ...t.mean.flatMap((m) => {
      const of = m.users < n ? ` (${m.users} of ${n})` : ''
      return [`${cellText(m.fiou, m.flagged)}${of}`, `${cellText(m.miou, m.flagged)}${of}`]
    }),
  ])
  return { header, rows }
}

/** Every flagged cell as a sentence ("id3, Personalize #12 — AdvEnt: scored on split v1, …"). */
export function tableNotes(t: ResultsTable): string[] {
  return t.rows.flatMap((r) =>
    r.cells.flatMap((c) => (c && c.note ? [`${r.album.name}, ${c.run.name}: ${c.note}`] : [])),
  )
}

/** Which run each cell is, so a copied table can be traced back to the runs. */
export function tableSources(t: ResultsTable): string[] {
  return t.rows.map(
    (r) =>
      `${r.album.name}: ${r.cells.flatMap((c) => (c ? [`${c.run.method} #${c.run.runId}`] : [])).join(', ')}`,
  )
}

/** The per-class table: all albums (mean over users of each class's IoU) or one album's row. */
export type ClassScope = 'all' | number

export interface ClassTableRow {
  classId: number
  name: string
  /** One per table method: IoU of the class in the chosen convention (null: no user has it defined). */
  iou: (number | null)[]
  /** Validation images whose ground truth contains the class, summed over the scope's users. */
  images: number
}

/**
 * Per-class IoU (paper Tables 7/8). Over all albums a method's value is the mean of the per-user class
 * IoUs of its chosen runs (in the 'present' convention, users where the class is absent from GT and
 * prediction are skipped; in the 'paper' convention, users whose GT does not hold the class are skipped,
 * as the paper's Table 7 averages a class over the users that have it); image counts are the per-user
 * counts of each row's reference run, summed.
 */
export function classTable(t: ResultsTable, scope: ClassScope): ClassTableRow[] {
  const rows = scope === 'all' ? t.rows : t.rows.filter((r) => r.album.albumId === scope)
  return VOC_CLASSES.map((name, classId) => {
    const iou = t.methods.map((_, j) => {
      const values = rows.flatMap((r) => {
        const c = r.cells[j]?.run.perClass[classId]
        if (!c) return []
        const v =
          t.convention === 'miou_all21'
            ? c.iou
            : t.convention === 'miou_paper'
              ? c.images > 0
                ? c.iou
                : null
              : c.iouPresent
        return v === null ? [] : [v]
      })
      return mean(values)
    })
    const images = rows.reduce((n, r) => n + (r.reference.perClass[classId]?.images ?? 0), 0)
    return { classId, name, iou, images }
  })
}

export function classRows(t: ResultsTable, scope: ClassScope): { header: string[]; rows: string[][] } {
  const header = ['Class', ...t.methods.map((m) => `${methodLabel(m)} IoU`), 'Images']
  const rows = classTable(t, scope).map((c) => [c.name, ...c.iou.map((v) => pct(v)), String(c.images)])
  return { header, rows }
}

function scopeName(t: ResultsTable, scope: ClassScope): string {
  return scope === 'all'
    ? `mean over ${t.rows.length} users`
    : (t.rows.find((r) => r.album.albumId === scope)?.album.name ?? `album ${scope}`)
}

/** The tables as Markdown: conventions stated, flagged cells marked ⚠ and explained, runs named. */
export function resultsMarkdown(t: ResultsTable, scope: ClassScope = 'all'): string {
  const main = tableRows(t)
  const classes = classRows(t, scope)
  const notes = tableNotes(t)
  return [
    `**Project results** — percent; ${CONVENTIONS.fiou}; ${MIOU_CONVENTION_TEXT[t.convention]}. ${MEAN_TEXT}.`,
    '',
    mdTable(main.header, main.rows, 2),
    '',
    ...(notes.length ? ['Not comparable (⚠):', ...notes.map((n) => `- ${n}`), ''] : []),
    `Runs: ${tableSources(t).join('; ')}.`,
    '',
    `**Per-class IoU** (${scopeName(t, scope)}; ${MIOU_CONVENTION_LABELS[t.convention].replace('MIoU', 'IoU')}; Images = validation images whose ground truth contains the class).`,
    '',
    mdTable(classes.header, classes.rows, 1),
  ].join('\n')
}

/** The same tables as CSV (a blank line between them; the notes after, one per line). */
export function resultsCsv(t: ResultsTable, scope: ClassScope = 'all'): string {
  const main = tableRows(t)
  const classes = classRows(t, scope)
  const notes = tableNotes(t)
  return (
    [
      ...csvLines(main.header, main.rows),
      '',
      ...csvLines(classes.header, classes.rows),
      ...(notes.length
        ? [
            '',
            ...csvLines(
              ['Not comparable'],
              notes.map((n) => [n]),
            ),
          ]
        : []),
    ].join('\n') + '\n'
  )
}
