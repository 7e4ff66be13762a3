/**
 * Labelled images given as file paths (image + label PNG), decoded in the training worker: images with
 * sharp (EXIF orientation applied, alpha dropped, sRGB), masks with decodeLabelPng (VOC palette or 8-bit
 * grey). All items are decoded once at the start, so a bad file is found before training begins; it is
 * reported as a problem naming the file and skipped, and the run trains on the rest.
 *
 * Batches are a pure function of (seed, iteration), like the synthetic task: the order is a seeded
 * permutation per epoch, the augmentation (random scale, crop, flip) is drawn from the iteration's Rng.
 */
import * as fs from 'node:fs'
import sharp from 'sharp'
import { decodeLabelPng } from '../../media/label-png'
import { IGNORE_LABEL } from '../losses/cross-entropy'
import { augmentImage, augmentLabel, planAugment, type ImageRaster, type LabelRaster } from '../train/augment'
import { Rng } from '../train/rng'
import type { ShapesBatch } from '../data/synthetic-shapes'
import { batchSeed } from './data-order'

export interface LabelledFile {
  image: string
  mask: string
}

export interface FileProblem {
  file: string
  reason: string
}

export interface DecodedItem {
  image: ImageRaster
  label: LabelRaster
}

/** Scale range of the random resize (long side = crop × U[min, max]). */
export const FILE_AUGMENT = { minScale: 0.75, maxScale: 1.5, flip: true } as const

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

async function decodeImage(file: string): Promise<ImageRaster> {
  const { data, info } = await sharp(file)
    .rotate()
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels }
}

/** Decodes every item; problems name the file and what is wrong with it. */
export async function loadLabelledFiles(
  files: readonly LabelledFile[],
  numClasses: number,
): Promise<{ items: DecodedItem[]; problems: FileProblem[] }> {
  const items: DecodedItem[] = []
  const problems: FileProblem[] = []
  for (const f of files) {
    let image: ImageRaster
    try {
      image = await decodeImage(f.image)
    } catch (e) {
      problems.push({ file: f.image, reason: `cannot decode the image: ${message(e)}` })
      continue
    }
    let label: LabelRaster
    try {
      const m = decodeLabelPng(fs.readFileSync(f.mask))
      label = { data: m.labels, width: m.width, height: m.height }
    } catch (e) {
      problems.push({ file: f.mask, reason: `cannot read the label PNG: ${message(e)}` })
      continue
    }
    if (label.width !== image.width || label.height !== image.height) {
      problems.push({
        file: f.mask,
        reason: `mask is ${label.width}×${label.height} but its image ${f.image} is ${image.width}×${image.height}`,
      })
      continue
    }
    const bad = label.data.find((v) => v >= numClasses && v !== IGNORE_LABEL)
    if (bad !== undefined) {
      problems.push({
        file: f.mask,
        reason: `label ${bad} is outside 0..${numClasses - 1} (and is not the ignore label ${IGNORE_LABEL})`,
      })
      continue
    }
    items.push({ image, label })
  }
  return { items, problems }
}

/** Dataset indices of iteration `it`'s batch: epoch-wise seeded permutations, no repeats within an epoch. */
export function sampleIndices(seed: number, iteration: number, batch: number, n: number): number[] {
  const out: number[] = []
  let cachedEpoch = -1
  let order: number[] = []
  for (let k = 0; k < batch; k++) {
    const pos = (iteration - 1) * batch + k
    const epoch = Math.floor(pos / n)
    if (epoch !== cachedEpoch) {
      // Offset the epoch seeds from the iteration seeds so the two streams never coincide.
      order = new Rng(batchSeed(seed ^ 0x5eed5eed, epoch)).shuffle(Array.from({ length: n }, (_, i) => i))
      cachedEpoch = epoch
    }
    out.push(order[pos % n] as number)
  }
  return out
}

/** The augmented batch of `iteration` (images 0..255, labels with 255 = ignore where the crop pads). */
export function fileBatchAt(
  items: readonly DecodedItem[],
  seed: number,
  iteration: number,
  batch: number,
  size: number,
): ShapesBatch {
  if (items.length === 0) throw new Error('no usable labelled images')
  const rng = new Rng(batchSeed(seed, iteration))
  const images = new Float32Array(batch * size * size * 3)
  const labels = new Int32Array(batch * size * size)
  sampleIndices(seed, iteration, batch, items.length).forEach((idx, k) => {
    const item = items[idx] as DecodedItem
    const plan = planAugment(rng, item.image.width, item.image.height, {
      crop: size,
      baseSize: size,
      ...FILE_AUGMENT,
    })
    images.set(augmentImage(item.image, plan, size, 0), k * size * size * 3)
    labels.set(augmentLabel(item.label, plan, size), k * size * size)
  })
  return { images, labels, n: batch, size }
}
