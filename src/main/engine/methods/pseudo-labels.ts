/**
 * Entropy-selected pseudo labels (docs/method.md §5) from the stage-1 model's predictions of every album image:
 *   - `pixel` (the paper): keep the r = 0.5 share of album pixels with the lowest normalised entropy
 *     (over the whole album, or within each predicted class with `perClass`); the rest become 255;
 *   - `image` (the released code): rank images by mean entropy and keep the lowest 60% with their full
 *     argmax maps; the other images get no pseudo label.
 * Ties are broken by position (album order, then pixel order), i.e. a stable sort — so the selection is a
 * pure function of the predictions and an independent implementation can reproduce it exactly.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { writeFileAtomic } from '../../files/atomic-file'
import { encodeLabelPng } from '../../media/label-png'
import { IGNORE_LABEL } from '../losses/cross-entropy'
import type { PseudoLabelConfig } from './registry'
import { pseudoRate } from './registry'
import { makeDirSync } from '../../files/make-dir'

export interface ImagePrediction {
  name: string
  width: number
  height: number
  /** Argmax class per pixel. */
  labels: Uint8Array
  /** Normalised entropy H(p)/ln C per pixel, in [0, 1]. */
  entropy: Float32Array
}

export interface PseudoLabel {
  name: string
  width: number
  height: number
  /** Class per pixel, 255 where not selected. */
  labels: Uint8Array
  selectedPixels: number
}

/**
 * Marks the `keep` lowest values of `values` (stable: among equal values the earlier index wins) in
 * `selected`, considering only indices where `eligible` (all when null) is set.
 */
function selectLowest(
  values: Float32Array,
  keep: number,
  selected: Uint8Array,
  eligible: Uint8Array | null,
): void {
  if (keep <= 0) return
  const pool: number[] = []
  for (let i = 0; i < values.length; i++) if (!eligible || eligible[i]) pool.push(values[i]!)
  if (pool.length === 0) return
  const sorted = Float32Array.from(pool).sort()
  const k = Math.min(keep, sorted.length)
  const threshold = sorted[k - 1]!
  let below = 0
  for (const v of sorted) if (v < threshold) below++
  let ties = k - below
  for (let i = 0; i < values.length; i++) {
    if (eligible && !eligible[i]) continue
    const v = values[i]!
    if (v < threshold) selected[i] = 1
    else if (v === threshold && ties > 0) {
      selected[i] = 1
      ties--
    }
  }
}

/** Pixel mode: per image, the labels with unselected pixels set to 255. */
export function selectPixels(
  preds: readonly ImagePrediction[],
  rate: number,
  perClass: boolean,
  numClasses: number,
): PseudoLabel[] {
  const total = preds.reduce((s, p) => s + p.entropy.length, 0)
  const all = new Float32Array(total)
  const cls = new Uint8Array(total)
  let o = 0
  for (const p of preds) {
    all.set(p.entropy, o)
    cls.set(p.labels, o)
    o += p.entropy.length
  }
  const selected = new Uint8Array(total)
  if (perClass) {
    for (let c = 0; c < numClasses; c++) {
      const eligible = new Uint8Array(total)
      let n = 0
      for (let i = 0; i < total; i++)
        if (cls[i] === c) {
          eligible[i] = 1
          n++
        }
      selectLowest(all, Math.floor(rate * n), selected, eligible)
    }
  } else {
    selectLowest(all, Math.floor(rate * total), selected, null)
  }
  o = 0
  return preds.map((p) => {
    const labels = new Uint8Array(p.labels.length)
    let count = 0
    for (let i = 0; i < labels.length; i++) {
      if (selected[o + i]) {
        labels[i] = p.labels[i]!
        count++
      } else labels[i] = IGNORE_LABEL
    }
    o += p.labels.length
    return { name: p.name, width: p.width, height: p.height, labels, selectedPixels: count }
  })
}

/** Image mode: the floor(rate·N) images with the lowest mean entropy, with their full argmax maps. */
export function selectImages(preds: readonly ImagePrediction[], rate: number): PseudoLabel[] {
  const means = Float32Array.from(
    preds.map((p) => {
      let s = 0
      for (const v of p.entropy) s += v
      return p.entropy.length ? s / p.entropy.length : 1
    }),
  )
  const selected = new Uint8Array(preds.length)
  selectLowest(means, Math.floor(rate * preds.length), selected, null)
  return preds
    .filter((_, i) => selected[i])
    .map((p) => ({
      name: p.name,
      width: p.width,
      height: p.height,
      labels: p.labels.slice(),
      selectedPixels: p.labels.length,
    }))
}

export function selectPseudoLabels(
  preds: readonly ImagePrediction[],
  cfg: PseudoLabelConfig,
  numClasses: number,
): PseudoLabel[] {
  const rate = pseudoRate(cfg)
  const out =
    cfg.mode === 'pixel' ? selectPixels(preds, rate, cfg.perClass, numClasses) : selectImages(preds, rate)
  // An image with no selected pixel would only dilute the pseudo batches.
  return out.filter((p) => p.selectedPixels > 0)
}

export interface PseudoSummary {
  mode: PseudoLabelConfig['mode']
  rate: number
  perClass: boolean
  albumImages: number
  images: number
  pixels: number
  selectedPixels: number
  /** Label PNG per kept image, relative to the run folder. */
  files: { name: string; mask: string }[]
}

export const PSEUDO_DIR = 'pseudo'
export const PSEUDO_SUMMARY = 'pseudo.json'

/** Writes `<runDir>/pseudo/<name>.png` (VOC palette label PNGs) and then `<runDir>/pseudo.json`. */
export function writePseudoLabels(
  runDir: string,
  labels: readonly PseudoLabel[],
  cfg: PseudoLabelConfig,
  albumImages: number,
  pixels: number,
): PseudoSummary {
  const dir = path.join(runDir, PSEUDO_DIR)
  makeDirSync(dir)
  const files: PseudoSummary['files'] = []
  for (const p of labels) {
    const rel = `${PSEUDO_DIR}/${p.name}.png`
    writeFileAtomic(
      path.join(runDir, rel),
      encodeLabelPng({ width: p.width, height: p.height, labels: p.labels }),
    )
    files.push({ name: p.name, mask: rel })
  }
  const summary: PseudoSummary = {
    mode: cfg.mode,
    rate: pseudoRate(cfg),
    perClass: cfg.perClass,
    albumImages,
    images: labels.length,
    pixels,
    selectedPixels: labels.reduce((s, p) => s + p.selectedPixels, 0),
    files,
  }
  // Written last: its presence means every label PNG is complete (a resume reuses them).
  writeFileAtomic(path.join(runDir, PSEUDO_SUMMARY), JSON.stringify(summary, null, 2))
  return summary
}

export function readPseudoSummary(runDir: string): PseudoSummary | null {
  const file = path.join(runDir, PSEUDO_SUMMARY)
  if (!fs.existsSync(file)) return null
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PseudoSummary
  } catch (e) {
    throw new Error(
      `${file}: cannot read the pseudo-label summary (${e instanceof Error ? e.message : String(e)})`,
    )
  }
}
