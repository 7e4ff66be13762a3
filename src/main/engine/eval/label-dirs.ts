/**
 * Scores a folder of predictions against a folder of ground-truth label PNGs (`pss-studio eval`, and
 * any run whose predictions are written in the PIS test layout `<out>/id{k}/{name}.png`).
 *
 * Matching: by basename. Every `{name}.png` in the GT folder needs `{name}.png` in the prediction
 * folder. `{name}_color.png` next to `{name}.png` is a colour rendering and is ignored in both folders.
 * Predictions without GT (unlabelled album images) are ignored and counted.
 * A GT without prediction is an error (a score over fewer images is not comparable), unless
 * `skipMissing` is set; the skipped names are then reported.
 * Resolution: scored at the GT's size; a prediction of another size is resized to it, nearest
 * neighbour with Pillow's pixel-centre convention (resize-nearest.ts), and named in `resized`.
 *
 * Bad input does not stop the scan: every problem (missing folder, no PNGs, unreadable or RGB PNG,
 * labels out of range, missing predictions) is collected with its file name, then all are thrown
 * together as one EvalInputError.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { IGNORE_INDEX, NUM_CLASSES } from '../../../shared/voc'
import { LabelPngError, decodeLabelPng, labelHistogram, type LabelMap } from '../../media/label-png'
import { checkNumClasses } from './confusion'
import { resizeLabelsNearest } from './resize-nearest'
import { UserEvaluation, type UserMetrics } from './user-metrics'

export class EvalInputError extends Error {
  override readonly name = 'EvalInputError'
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0]! : `${problems.length} problems:\n${problems.join('\n')}`)
  }
}

export interface LabelDirsOptions {
  gtDir: string
  predDir: string
  numClasses?: number
  /** Score the pairs that exist instead of failing when a GT has no prediction. */
  skipMissing?: boolean
  signal?: AbortSignal
}

export interface LabelDirsReport {
  metrics: UserMetrics
  /** Names whose prediction had another size and was resized to the GT's. */
  resized: string[]
  /** GT names without a prediction, left out (only with skipMissing). */
  missing: string[]
  /** Prediction PNGs with no GT of the same name: not scored. */
  unmatchedPredictions: number
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const MAX_LISTED = 20

/** Code-unit order, the same on every machine (localeCompare is not). */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LISTED).join(', ')
  return names.length > MAX_LISTED ? `${shown} and ${names.length - MAX_LISTED} more` : shown
}

/** `{name}.png` files of a folder as name → file path; problems for a bad folder or duplicate names. */
async function listLabelPngs(
  dir: string,
  role: string,
  problems: string[],
): Promise<Map<string, string> | null> {
  try {
    const st = await stat(dir)
    if (!st.isDirectory()) {
      problems.push(`${role} folder ${dir} is not a folder`)
      return null
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    problems.push(
      `${role} folder ${dir} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(e)})`}`,
    )
    return null
  }
  let entries: string[]
  try {
    entries = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() || e.isSymbolicLink())
      .map((e) => e.name)
  } catch (e) {
    problems.push(`${role} folder ${dir} cannot be listed (${(e as Error).message})`)
    return null
  }
  const files = new Map<string, string>()
  for (const file of entries.sort(byName)) {
    if (!/\.png$/i.test(file)) continue
    const name = file.slice(0, -4)
    const other = files.get(name)
    if (other !== undefined) {
      problems.push(`${role} folder ${dir} has two files for "${name}": ${other} and ${file}`)
      continue
    }
    files.set(name, file)
  }
  // A colour rendering `{name}_color.png` sits beside the index map `{name}.png` (PIS test layout).
  for (const name of [...files.keys()]) {
    if (name.endsWith('_color') && files.has(name.slice(0, -'_color'.length))) files.delete(name)
  }
  if (files.size === 0) problems.push(`${role} folder ${dir} holds no PNG label files`)
  return files
}

type Role = 'ground truth' | 'prediction'

/** Reads one label PNG; a problem string (naming the file) when it cannot be used. */
async function readLabelFile(path: string, role: Role, numClasses: number): Promise<LabelMap | string> {
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return `${path}: cannot be read (${code === 'EACCES' ? 'permission denied' : (code ?? (e as Error).message)})`
  }
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    return `${path}: ${bytes.length === 0 ? 'empty file (0 bytes)' : 'not a PNG file'}`
  }
  let map: LabelMap
  try {
    map = decodeLabelPng(bytes)
  } catch (e) {
    if (e instanceof LabelPngError) return `${path}: ${e.message}`
    throw e
  }
  const bad = [...labelHistogram(map.labels)].filter(
    ([label]) => label >= numClasses && !(role === 'ground truth' && label === IGNORE_INDEX),
  )
  if (bad.length > 0) {
    const list = bad
      .slice(0, 5)
      .map(([label, count]) => `${label} (${count} pixels)`)
      .join(', ')
    const allowed =
      role === 'ground truth'
        ? `allowed 0–${numClasses - 1} and ${IGNORE_INDEX} (void)`
        : `a prediction holds classes 0–${numClasses - 1} only (no void)`
    return `${path}: ${role} holds label${bad.length > 1 ? 's' : ''} ${list}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''}; ${allowed}`
  }
  return map
}

export async function evaluateLabelDirs(opts: LabelDirsOptions): Promise<LabelDirsReport> {
  const numClasses = opts.numClasses ?? NUM_CLASSES
  checkNumClasses(numClasses)
  const problems: string[] = []
  const gtFiles = await listLabelPngs(opts.gtDir, 'ground-truth', problems)
  const predFiles = await listLabelPngs(opts.predDir, 'prediction', problems)
  if (!gtFiles || !predFiles || gtFiles.size === 0 || predFiles.size === 0) throw new EvalInputError(problems)

  const names = [...gtFiles.keys()].sort(byName)
  const missing = names.filter((n) => !predFiles.has(n))
  if (missing.length === names.length) {
    // Nothing to score even with skipMissing: most likely the wrong folder or another naming scheme.
    problems.push(
      `none of the ${names.length} ground-truth images has a prediction in ${opts.predDir} (expected {name}.png for ${listNames(names.slice(0, 3))}${names.length > 3 ? ', …' : ''})`,
    )
  } else if (missing.length > 0 && !opts.skipMissing) {
    problems.push(
      `${missing.length} of ${names.length} ground-truth images have no prediction in ${opts.predDir}: ${listNames(missing)} (expected {name}.png; --skip-missing scores the others)`,
    )
  }
  const unmatchedPredictions = [...predFiles.keys()].filter((n) => !gtFiles.has(n)).length

  const evaluation = new UserEvaluation(numClasses)
  const resized: string[] = []
  for (const name of names) {
    opts.signal?.throwIfAborted()
    const predFile = predFiles.get(name)
    if (predFile === undefined) continue
    const gt = await readLabelFile(join(opts.gtDir, gtFiles.get(name)!), 'ground truth', numClasses)
    const pred = await readLabelFile(join(opts.predDir, predFile), 'prediction', numClasses)
    if (typeof gt === 'string') problems.push(gt)
    if (typeof pred === 'string') problems.push(pred)
    // Once anything is wrong no score is reported, but every file is still checked and named.
    if (typeof gt === 'string' || typeof pred === 'string' || problems.length > 0) continue
    let predLabels = pred.labels
    if (pred.width !== gt.width || pred.height !== gt.height) {
      predLabels = resizeLabelsNearest(pred, gt.width, gt.height).labels
      resized.push(name)
    }
    evaluation.add(name, gt.labels, predLabels)
  }
  if (problems.length > 0) throw new EvalInputError(problems)
  return { metrics: evaluation.result(), resized, missing, unmatchedPredictions }
}
