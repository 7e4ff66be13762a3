/**
 * Writes one prediction: `<dir>/<name>.png` (8-bit palette PNG, pixel value = class index, VOC palette)
 * and `<dir>/<name>_color.png` (RGB rendering in the VOC colours, for people and reports). Both atomic.
 */
import * as path from 'node:path'
import sharp from 'sharp'
import { vocPalette } from '../../../shared/voc'
import { writeFileAtomic } from '../../files/atomic-file'
import { encodeLabelPng } from '../../media/label-png'
import type { PredictedLabels } from './predict-labels'

/** RGB bytes of a label map in the VOC colours. */
export function colorize(labels: Uint8Array, palette: Uint8Array = vocPalette()): Uint8Array {
  const rgb = new Uint8Array(labels.length * 3)
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]! * 3
    rgb[i * 3] = palette[c]!
    rgb[i * 3 + 1] = palette[c + 1]!
    rgb[i * 3 + 2] = palette[c + 2]!
  }
  return rgb
}

export async function writePrediction(dir: string, name: string, p: PredictedLabels): Promise<string> {
  const labelFile = path.join(dir, `${name}.png`)
  writeFileAtomic(labelFile, encodeLabelPng(p))
  const color = await sharp(colorize(p.labels), { raw: { width: p.width, height: p.height, channels: 3 } })
    .png()
    .toBuffer()
  writeFileAtomic(path.join(dir, `${name}_color.png`), color)
  return labelFile
}
