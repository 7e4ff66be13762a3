/**
 * Synthetic personalized segmentation benchmark: a labelled public source set in the VOC layout and
 * several users' albums in the PIS layout, generated from a seed with no downloads.
 *
 *   <out>/VOCdevkit/VOC2012/{JPEGImages, SegmentationClass, ImageSets/Segmentation/{train,val,trainval}.txt}
 *   <out>/personal/id{k}/{JPEGImages, SegmentationClass (validation only), val_all.txt,
 *                         imgLabelList.txt, train_cluster<K>.txt}
 *   <out>/manifest.json (written last)
 *
 * Same seed + preset → byte-identical files.
 */
import path from 'node:path'
import sharp from 'sharp'
import { makeDirSync } from '../../files/make-dir'
import { encodeLabelPng } from '../../media/label-png'
import { Rng } from './rng'
import { buildManifest, clusterFileName, type Manifest } from './manifest'
import { planBenchmark, type PlannedImage } from './plan'
import { isPresetName, PRESET_NAMES, type PresetName } from './presets'
import { renderImage } from './render'
import { applyShift } from './shift'
import {
  albumPaths,
  fsyncDir,
  labelListLine,
  nameList,
  pisLine,
  prepareOutDir,
  SyntheticBenchmarkError,
  vocPaths,
  writeFileAtomic,
  OUTPUT_ENTRIES,
  oracleMaskDir,
} from './writer'

export { planBenchmark, type BenchmarkPlan, type PlannedImage, type UserPlan } from './plan'
export { renderImage, type Rendered } from './render'
export { applyShift, shiftColour, type Shift } from './shift'
export { PRESETS, PRESET_NAMES, isPresetName, type Preset, type PresetName } from './presets'
export { SYNTH_CLASSES } from './classes'
export { SyntheticBenchmarkError, oracleMaskDir } from './writer'
export type { Manifest, ManifestUser } from './manifest'

export interface GenerateProgress {
  phase: 'source' | 'personal' | 'finishing'
  /** Images written so far, over all phases. */
  done: number
  total: number
  /** The album being written (personal phase). */
  userId?: string
}

export interface GenerateOptions {
  out: string
  preset: PresetName
  seed: number
  /** Replace a previous benchmark in `out` (otherwise a non-empty `out` is refused). */
  overwrite?: boolean
  onProgress?: (p: GenerateProgress) => void
  signal?: AbortSignal
  /** Images in flight at once (rendering is synchronous; encoding and writing overlap). Default 4. */
  concurrency?: number
}

export async function generateSyntheticBenchmark(opts: GenerateOptions): Promise<Manifest> {
  if (!isPresetName(opts.preset))
    throw new SyntheticBenchmarkError(
      `unknown preset ${JSON.stringify(opts.preset)}; use one of ${PRESET_NAMES.join(', ')}`,
    )
  if (!Number.isInteger(opts.seed) || opts.seed < 0 || opts.seed > 0xffffffff) {
    throw new SyntheticBenchmarkError(
      `seed must be an integer from 0 to 4294967295, got ${String(opts.seed)}`,
    )
  }
  if (typeof opts.out !== 'string' || opts.out.trim() === '')
    throw new SyntheticBenchmarkError('an output folder is required')
  const out = path.resolve(opts.out)
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 4))
  await prepareOutDir(out, opts.overwrite === true)

  const plan = planBenchmark(opts.seed, opts.preset)
  const band = plan.preset.bandRadius
  const total = plan.source.images.length + plan.users.reduce((a, u) => a + u.images.length, 0)
  let done = 0
  const tick = (phase: GenerateProgress['phase'], userId?: string) => {
    done++
    opts.onProgress?.({ phase, done, total, ...(userId ? { userId } : {}) })
  }

  const voc = vocPaths(out)
  const dirs = [voc.jpeg, voc.masks, voc.sets]
  const oracle = plan.preset.oracleMasks === true
  for (const u of plan.users) {
    const a = albumPaths(out, u.id)
    dirs.push(a.jpeg, a.masks)
    if (oracle) dirs.push(oracleMaskDir(out, u.id))
  }
  for (const d of dirs) makeDirSync(d)

  opts.onProgress?.({ phase: 'source', done, total })
  const sourceTags = await mapPool(plan.source.images, concurrency, async (img) => {
    opts.signal?.throwIfAborted()
    const tags = await writeImage(img, voc.jpeg, voc.masks, band, null)
    tick('source')
    return tags
  })
  const sorted = (names: string[]) => [...names].sort()
  const allSource = sorted(plan.source.images.map((i) => i.name))
  await writeFileAtomic(
    path.join(voc.sets, 'train.txt'),
    nameList(allSource.filter((n) => !plan.source.valNames.has(n))),
  )
  await writeFileAtomic(
    path.join(voc.sets, 'val.txt'),
    nameList(allSource.filter((n) => plan.source.valNames.has(n))),
  )
  await writeFileAtomic(path.join(voc.sets, 'trainval.txt'), nameList(allSource))

  const userTags: number[][][] = []
  for (const u of plan.users) {
    const a = albumPaths(out, u.id)
    const tags = await mapPool(u.images, concurrency, async (img) => {
      opts.signal?.throwIfAborted()
      const t = await writeImage(img, a.jpeg, a.masks, band, oracle ? oracleMaskDir(out, u.id) : null)
      tick('personal', u.id)
      return t
    })
    userTags.push(tags)
    // Lists in name order, so they read the same however the album was planned.
    const byName = u.images
      .map((img, i) => ({ img, tags: tags[i]! }))
      .sort((x, y) => (x.img.name < y.img.name ? -1 : x.img.name > y.img.name ? 1 : 0))
    await writeFileAtomic(
      path.join(a.root, 'val_all.txt'),
      byName
        .filter((e) => e.img.labelled)
        .map((e) => pisLine(e.img.name, 0))
        .join(''),
    )
    await writeFileAtomic(
      path.join(a.root, 'imgLabelList.txt'),
      byName.map((e) => labelListLine(e.img.name, e.tags)).join(''),
    )
    await writeFileAtomic(
      path.join(a.root, clusterFileName(u)),
      byName.map((e) => pisLine(e.img.name, e.img.group)).join(''),
    )
  }

  opts.onProgress?.({ phase: 'finishing', done, total })
  for (const d of dirs) await fsyncDir(d)
  for (const u of plan.users) await fsyncDir(albumPaths(out, u.id).root)
  const manifest = buildManifest(plan, sourceTags, userTags)
  await writeFileAtomic(path.join(out, OUTPUT_ENTRIES.manifest), JSON.stringify(manifest, null, 2) + '\n')
  await fsyncDir(out)
  return manifest
}

/**
 * Renders, processes and writes one image (and its mask when labelled, or into `oracleDir` when not and
 * the preset keeps oracle masks); returns its class ids.
 */
async function writeImage(
  img: PlannedImage,
  jpegDir: string,
  maskDir: string,
  bandRadius: number,
  oracleDir: string | null,
): Promise<number[]> {
  const r = renderImage(img.spec(), { bandRadius })
  if (r.classes.length === 0)
    throw new Error(`synthetic image ${img.name} ended up with no object (generator defect)`)
  const rgb = applyShift(r.rgb, r.width, r.height, img.shift, new Rng(img.noiseSeed))
  const jpeg = await sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), {
    raw: { width: r.width, height: r.height, channels: 3 },
  })
    .jpeg({ quality: img.jpegQuality, chromaSubsampling: '4:2:0' })
    .toBuffer()
  await writeFileAtomic(path.join(jpegDir, `${img.name}.jpg`), jpeg)
  const dir = img.labelled ? maskDir : oracleDir
  if (dir !== null)
    await writeFileAtomic(
      path.join(dir, `${img.name}.png`),
      encodeLabelPng({ width: r.width, height: r.height, labels: r.labels }),
    )
  return r.classes
}

/** Maps with at most `limit` promises in flight; results in input order. */
async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failed = false
  const worker = async () => {
    // After one failure the other workers stop taking items, so nothing keeps writing in the background.
    while (next < items.length && !failed) {
      const i = next++
      try {
        results[i] = await fn(items[i]!, i)
      } catch (e) {
        failed = true
        throw e
      }
    }
  }
  // Wait for every worker to settle before reporting a failure: when this returns, nothing is still
  // writing into the output folder.
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker))
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failure) throw failure.reason
  return results
}
