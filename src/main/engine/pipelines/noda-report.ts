/**
 * The No-DA results as a text table (CLI) and as one self-contained HTML page (styles inline, no scripts,
 * images linked by relative path to the prediction PNGs next to it).
 */
import * as path from 'node:path'
import { NODA_METHODS, type MethodScores, type NodaMethod, type NodaResult } from './noda'

const LABELS: Record<NodaMethod, string> = {
  noda: 'No-DA',
  trivial_background: 'all background',
  trivial_majority: 'majority class',
  trivial_majority_fg: 'majority fg class',
}

const fmt = (v: number | null): string => (v === null ? '—' : v.toFixed(2))

interface Row {
  user: string
  images: string
  method: NodaMethod
  s: MethodScores
}

function rows(r: NodaResult): Row[] {
  const out: Row[] = []
  for (const u of r.users)
    for (const m of NODA_METHODS)
      out.push({ user: u.id, images: String(u.valImages), method: m, s: u.methods[m] })
  for (const m of NODA_METHODS) out.push({ user: 'mean', images: '', method: m, s: r.mean[m] })
  return out
}

export function nodaTable(r: NodaResult): string[] {
  const head = ['user', 'val', 'method', 'FIoU %', 'MIoU paper %', 'MIoU all21 %', 'MIoU present %']
  const body = rows(r).map((x) => [
    x.user,
    x.images,
    LABELS[x.method],
    fmt(x.s.fiou),
    fmt(x.s.miou_paper),
    fmt(x.s.miou_all21),
    fmt(x.s.miou_present),
  ])
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 3 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')
  return [line(head), ...body.map(line)]
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

export interface ReportThumb {
  user: string
  name: string
  /** Absolute paths; written as paths relative to the report. */
  image: string
  gt: string | null
  prediction: string
}

export function nodaReportHtml(
  r: NodaResult,
  reportFile: string,
  thumbs: readonly ReportThumb[],
  title: string,
): string {
  const rel = (p: string): string =>
    path.relative(path.dirname(reportFile), p).split(path.sep).map(encodeURIComponent).join('/')
  const img = (p: string, alt: string): string =>
    `<a href="${rel(p)}"><img src="${rel(p)}" alt="${esc(alt)}"></a>`
  const tr = rows(r)
    .map(
      (x) =>
        `<tr${x.user === 'mean' ? ' class="mean"' : ''}><td>${esc(x.user)}</td><td>${x.images}</td><td>${esc(LABELS[x.method])}</td>` +
        `<td>${fmt(x.s.fiou)}</td><td>${fmt(x.s.miou_paper)}</td><td>${fmt(x.s.miou_all21)}</td><td>${fmt(x.s.miou_present)}</td></tr>`,
    )
    .join('\n')
  const th = thumbs
    .map(
      (t) =>
        `<figure>${img(t.image, `${t.name} image`)}${t.gt ? img(t.gt, `${t.name} ground truth`) : ''}${img(t.prediction, `${t.name} prediction`)}` +
        `<figcaption>${esc(t.user)} / ${esc(t.name)}: image${t.gt ? ', ground truth' : ''}, No-DA</figcaption></figure>`,
    )
    .join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse}td,th{padding:.25em .7em;border-bottom:1px solid #ddd;text-align:right}
td:nth-child(-n+3),th:nth-child(-n+3){text-align:left}tr.mean td{font-weight:600}
figure{display:inline-block;margin:.5em}img{height:96px;image-rendering:pixelated;margin-right:2px}
</style></head><body>
<h1>${esc(title)}</h1>
<p>Backend ${esc(r.backend)} · training ${r.seconds.train.toFixed(1)} s · inference ${r.seconds.infer.toFixed(1)} s ·
evaluation ${r.seconds.eval.toFixed(1)} s · final loss ${r.finalLoss === null ? '—' : r.finalLoss.toFixed(4)} ·
majority class ${r.majorityClass}, majority foreground class ${r.majorityForegroundClass}</p>
<p>Scores in percent on each user's validation images; "mean" is the mean over users. FIoU: per-image foreground IoU
(GT void counts in the union); MIoU paper: over the object classes in the GT, background excluded (the paper's
Tables 2/7); MIoU all21: all 21 classes, absent ones count 0 (the released code's printout, not the paper's tables);
MIoU present: over classes present in GT or prediction (mmsegmentation).</p>
<table><thead><tr><th>user</th><th>val images</th><th>method</th><th>FIoU</th><th>MIoU paper</th><th>MIoU all21</th><th>MIoU present</th></tr></thead>
<tbody>
${tr}
</tbody></table>
<h2>Predictions</h2>
${th}
</body></html>
`
}
