/**
 * Scores one user's validation images: predictions read from `<predDir>/<name>.png`, ground truth from
 * the album's SegmentationClass, and the trivial predictors (one constant class everywhere) on the same
 * images — all through the metrics module, so every method is measured the same way.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { decodeLabelPng, type LabelMap } from '../../media/label-png'
import { UserEvaluation, type UserMetrics } from '../eval/user-metrics'
import { resizeLabelsNearest } from '../eval/resize-nearest'
import type { PisAlbum } from './pis-albums'

export interface AlbumScores {
  /** Method name → the user's metrics. */
  methods: Record<string, UserMetrics>
  /** Validation names that could not be scored, with why. */
  problems: { file: string; reason: string }[]
}

function readLabels(file: string): LabelMap {
  return decodeLabelPng(fs.readFileSync(file))
}

/**
 * `predDirs`: method → folder of its label PNGs; `constants`: method → the class it predicts everywhere.
 */
export function scoreAlbum(
  album: PisAlbum,
  predDirs: Record<string, string>,
  constants: Record<string, number>,
  numClasses: number,
): AlbumScores {
  const evals: Record<string, UserEvaluation> = {}
  for (const m of [...Object.keys(predDirs), ...Object.keys(constants)])
    evals[m] = new UserEvaluation(numClasses)
  const problems: AlbumScores['problems'] = []
  for (const name of album.valNames) {
    const gtFile = path.join(album.dir, 'SegmentationClass', `${name}.png`)
    let gt: LabelMap
    try {
      gt = readLabels(gtFile)
    } catch (e) {
      problems.push({
        file: gtFile,
        reason: `cannot read the ground truth: ${e instanceof Error ? e.message : String(e)}`,
      })
      continue
    }
    const preds: Record<string, Uint8Array> = {}
    let missing = false
    for (const [m, dir] of Object.entries(predDirs)) {
      const file = path.join(dir, `${name}.png`)
      try {
        let p = readLabels(file)
        if (p.width !== gt.width || p.height !== gt.height) p = resizeLabelsNearest(p, gt.width, gt.height)
        preds[m] = p.labels
      } catch (e) {
        problems.push({ file, reason: `no usable prediction: ${e instanceof Error ? e.message : String(e)}` })
        missing = true
      }
    }
    // Score an image for every method or for none, so all methods see the same images.
    if (missing) continue
    for (const [m, labels] of Object.entries(preds)) evals[m]!.add(name, gt.labels, labels)
    for (const [m, c] of Object.entries(constants))
      evals[m]!.add(name, gt.labels, new Uint8Array(gt.labels.length).fill(c))
  }
  const methods: Record<string, UserMetrics> = {}
  for (const [m, e] of Object.entries(evals)) methods[m] = e.result()
  return { methods, problems }
}
