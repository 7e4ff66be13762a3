/**
 * The labelled source set in the VOC layout: <root>/VOCdevkit/VOC2012/{JPEGImages/<n>.jpg,
 * SegmentationClass/<n>.png, ImageSets/Segmentation/<list>.txt} (the root may also be VOC2012 itself).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { IGNORE_INDEX } from '../../../shared/voc'
import { decodeLabelPng } from '../../media/label-png'
import type { LabelledFile } from '../runs/file-dataset'

export function vocYearDir(root: string): string {
  const nested = path.join(root, 'VOCdevkit', 'VOC2012')
  if (fs.existsSync(nested)) return nested
  if (fs.existsSync(path.join(root, 'ImageSets', 'Segmentation'))) return root
  throw new Error(`${root}: not a VOC layout (no VOCdevkit/VOC2012 or ImageSets/Segmentation)`)
}

/** Names of a list file: one per line, blank lines skipped. */
export function readNameList(file: string): string[] {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    throw new Error(`${file}: cannot read the list (${e instanceof Error ? e.message : String(e)})`)
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
}

/** The labelled files of a list (default `train`). */
export function vocLabelledFiles(root: string, list = 'train'): LabelledFile[] {
  const year = vocYearDir(root)
  return readNameList(path.join(year, 'ImageSets', 'Segmentation', `${list}.txt`)).map((n) => ({
    image: path.join(year, 'JPEGImages', `${n}.jpg`),
    mask: path.join(year, 'SegmentationClass', `${n}.png`),
  }))
}

/** Pixels per class over the masks (void excluded); unreadable masks are skipped (training names them). */
export function classPixelCounts(files: readonly LabelledFile[], numClasses: number): Float64Array {
  const counts = new Float64Array(numClasses)
  for (const f of files) {
    let labels: Uint8Array
    try {
      labels = decodeLabelPng(fs.readFileSync(f.mask)).labels
    } catch {
      continue
    }
    for (const v of labels) if (v !== IGNORE_INDEX && v < numClasses) counts[v]! += 1
  }
  return counts
}

/** Index of the largest count among `from..`; ties go to the lower class. */
export function argmaxFrom(counts: Float64Array, from = 0): number {
  let best = from
  for (let c = from; c < counts.length; c++) if (counts[c]! > counts[best]!) best = c
  return best
}
