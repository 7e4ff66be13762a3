/**
 * `pss-studio eval --gt DIR --pred DIR`: scores a folder of predicted label PNGs against a folder of
 * ground-truth label PNGs with the paper's metrics (docs/method.md §6), at the GT's resolution.
 * Numbers are printed in percent (0–100).
 */
import { resolve } from 'node:path'
import { NUM_CLASSES, VOC_CLASSES } from '../../../shared/voc'
import { EvalInputError, evaluateLabelDirs, type LabelDirsReport } from '../../engine/api'
import {
  EXIT_FAILURE,
  EXIT_OK,
  UsageError,
  parseCommandArgs,
  printJson,
  requireString,
  type CliIo,
  type Command,
} from '../args'
import { runEvalPis } from './eval-pis'
import { parseUsers } from './predict-pis'

/** What `--json` prints. Percent; null where a value is undefined (NaN). */
export interface EvalJson {
  gt: string
  pred: string
  num_classes: number
  /** Scored images (GT with a prediction). */
  images: number
  /** MIoU over all num_classes classes, absent classes 0: the released code's printout, not the paper's tables. */
  miou_all21: number
  /** MIoU over classes present in GT or prediction (mmsegmentation/ADVENT); null if none is. */
  miou_present: number | null
  /** The paper's Tables 2/7 MIoU: object classes (1..) present in the GT, background excluded; null if none. */
  miou_paper: number | null
  /** Mean per-image FIoU. */
  fiou: number
  /** IoU per class, released-code convention (absent 0). */
  per_class: number[]
  /** IoU per class, null for absent classes. */
  per_class_present: (number | null)[]
  /** Images whose GT contains the class. */
  per_class_images: number[]
  /** Classes in neither GT nor prediction. */
  absent_classes: number[]
  /** Names whose prediction was nearest-resized to the GT size. */
  resized: string[]
  /** GT names without prediction that were left out (--skip-missing). */
  skipped_missing: string[]
  /** Predictions without GT (not scored). */
  unmatched_predictions: number
  resolution: 'ground truth'
  per_image?: { name: string; fiou: number }[]
}

const pct = (fraction: number): number => fraction * 100
const pctOrNull = (fraction: number): number | null => (Number.isNaN(fraction) ? null : fraction * 100)

export function evalJson(gt: string, pred: string, r: LabelDirsReport, perImage: boolean): EvalJson {
  const m = r.metrics
  return {
    gt,
    pred,
    num_classes: m.numClasses,
    images: m.images,
    miou_all21: pct(m.miouAll21),
    miou_present: pctOrNull(m.miouPresent),
    miou_paper: pctOrNull(m.miouPaper),
    fiou: pct(m.fiou),
    per_class: [...m.perClass].map(pct),
    per_class_present: [...m.perClassPresent].map(pctOrNull),
    per_class_images: [...m.perClassImages],
    absent_classes: m.absentClasses,
    resized: r.resized,
    skipped_missing: r.missing,
    unmatched_predictions: r.unmatchedPredictions,
    resolution: 'ground truth',
    ...(perImage ? { per_image: m.perImage.map((s) => ({ name: s.name, fiou: pct(s.fiou) })) } : {}),
  }
}

function parseNumClasses(value: string | undefined): number {
  if (value === undefined) return NUM_CLASSES
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 255)
    throw new UsageError(`--num-classes must be an integer from 1 to 255, got "${value}"`)
  return Number(value)
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`
const fmt = (v: number | null): string => (v === null ? '—' : v.toFixed(2))

/** Notes about what was left out or changed; to stdout with the table, to stderr with --json. */
function notes(r: LabelDirsReport): string[] {
  const out: string[] = []
  if (r.resized.length > 0)
    out.push(
      `${plural(r.resized.length, 'prediction')} had another size than ${r.resized.length === 1 ? 'its' : 'their'} ground truth and ${r.resized.length === 1 ? 'was' : 'were'} resized to it (nearest neighbour, pixel centres as Pillow): ${r.resized.join(', ')}`,
    )
  if (r.missing.length > 0)
    out.push(
      `skipped ${plural(r.missing.length, 'ground-truth image')} without prediction: ${r.missing.join(', ')}`,
    )
  if (r.unmatchedPredictions > 0)
    out.push(`ignored ${plural(r.unmatchedPredictions, 'prediction')} without ground truth`)
  return out
}

function printTable(j: EvalJson, r: LabelDirsReport, io: CliIo): void {
  io.out(`Scored ${plural(j.images, 'image')} at the ground truth's resolution`)
  io.out(`  ground truth: ${j.gt}`)
  io.out(`  predictions:  ${j.pred}`)
  for (const line of notes(r)) io.out(`Note: ${line}`)
  io.out('')
  const names = Array.from({ length: j.num_classes }, (_, c) => VOC_CLASSES[c] ?? `class ${c}`)
  const w = Math.max(5, ...names.map((n) => n.length))
  io.out(`${'Class'.padEnd(w)}   IoU %  Images`)
  for (let c = 0; c < j.num_classes; c++) {
    const absent = j.absent_classes.includes(c)
    const iou = absent ? '—' : fmt(j.per_class[c]!)
    io.out(
      `${names[c]!.padEnd(w)}  ${iou.padStart(6)}  ${String(j.per_class_images[c]).padStart(6)}${absent ? '  (absent from GT and prediction)' : ''}`,
    )
  }
  io.out('')
  const present = j.num_classes - j.absent_classes.length
  const objects = j.per_class_images.filter((n, c) => c > 0 && n > 0).length
  const rows: [string, string][] = [
    [
      `MIoU, ${plural(objects, 'object class', 'object classes')} in GT (background excluded; paper Tables 2/7)`,
      fmt(j.miou_paper),
    ],
    [`MIoU, all ${j.num_classes} classes (absent count 0; released code's printout)`, fmt(j.miou_all21)],
    [`MIoU, ${present} present classes (absent skipped; mmsegmentation)`, fmt(j.miou_present)],
    ['FIoU, mean over images', fmt(j.fiou)],
  ]
  const lw = Math.max(...rows.map(([l]) => l.length))
  for (const [label, value] of rows) io.out(`${label.padEnd(lw)}  ${value.padStart(6)}`)
  if (j.per_image) {
    io.out('')
    io.out('Per image FIoU %')
    const nw = Math.max(...j.per_image.map((s) => s.name.length))
    for (const s of j.per_image) io.out(`  ${s.name.padEnd(nw)}  ${fmt(s.fiou).padStart(6)}`)
  }
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'score predicted label PNGs against ground truth (MIoU, FIoU)',
  usage: `Usage: pss-studio eval --gt DIR --pred DIR [--json] [--per-image] [--skip-missing] [--num-classes N]
       pss-studio eval --pis ROOT --pred OUT [--users all|id1,…] [--json] [--per-image] [--skip-missing]

Scores predictions against ground truth with the PSS paper's metrics, in percent:
MIoU over the object classes present in the GT, background excluded (miou_paper:
the paper's Tables 2/7), MIoU over all classes (miou_all21: absent classes count
0, what the released code prints), MIoU over present classes (miou_present:
mmsegmentation), FIoU (mean per-image foreground IoU; void counts as foreground),
and IoU per class with the number of images containing it.

Files are matched by name: {name}.png in --gt needs {name}.png in --pred
({name}_color.png renderings are ignored). Label PNGs are palette or 8-bit
greyscale; GT holds classes and 255 (void), predictions classes only. A
prediction of another size is resized to its GT (nearest neighbour). Scoring
is at the GT's (original) resolution.

With --pis, OUT is in the PIS test layout (OUT/id{k}/{name}.png, as written by
predict --pis): each user's predictions are scored against
ROOT[/personal]/id{k}/SegmentationClass, and the mean over users is printed.

Options:
  --gt DIR            ground-truth label PNGs
  --pred DIR          predicted label PNGs (e.g. a run's <out>/id{k}); with --pis the folder holding id{k}/
  --pis ROOT          a PIS tree: score every user (see above)
  --users LIST        with --pis: all (default) or user ids, e.g. id1,id3
  --json              print one JSON object
  --per-image         include each image's FIoU
  --skip-missing      score the GT images that have a prediction instead of failing
  --num-classes N     number of classes (default ${NUM_CLASSES})`,

  async run(argv: string[], io: CliIo): Promise<number> {
    const opts = parseCommandArgs(argv, {
      gt: { type: 'string' },
      pred: { type: 'string' },
      json: { type: 'boolean' },
      'per-image': { type: 'boolean' },
      'skip-missing': { type: 'boolean' },
      'num-classes': { type: 'string' },
      pis: { type: 'string' },
      users: { type: 'string' },
    })
    if (opts.pis !== undefined && opts.gt !== undefined)
      throw new UsageError('give either --gt or --pis, not both')
    if (opts.pis === undefined && opts.users !== undefined) throw new UsageError('--users applies to --pis')
    const numClasses = parseNumClasses(opts['num-classes'])
    if (opts.pis !== undefined)
      return runEvalPis(
        {
          root: resolve(opts.pis),
          pred: resolve(requireString(opts.pred, 'pred')),
          users: parseUsers(opts.users),
          numClasses,
          skipMissing: opts['skip-missing'] === true,
          perImage: opts['per-image'] === true,
          json: opts.json === true,
        },
        io,
      )
    const gt = resolve(requireString(opts.gt, 'gt'))
    const pred = resolve(requireString(opts.pred, 'pred'))
    let report: LabelDirsReport
    try {
      report = await evaluateLabelDirs({
        gtDir: gt,
        predDir: pred,
        numClasses,
        skipMissing: opts['skip-missing'] === true,
        signal: io.signal,
      })
    } catch (err) {
      if (io.signal.aborted) {
        io.err('pss-studio eval: interrupted, nothing scored')
        return EXIT_FAILURE
      }
      if (!(err instanceof EvalInputError)) throw err
      io.err(`pss-studio eval: cannot score, ${plural(err.problems.length, 'problem')}:`)
      for (const p of err.problems) io.err(`  ${p}`)
      return EXIT_FAILURE
    }
    const j = evalJson(gt, pred, report, opts['per-image'] === true)
    if (opts.json) {
      for (const line of notes(report)) io.err(`pss-studio eval: ${line}`)
      printJson(io, j)
    } else printTable(j, report, io)
    return EXIT_OK
  },
}
