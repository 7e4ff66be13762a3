/**
 * Output layout and file writing. Every file is written atomically (temp file in the same folder,
 * fsync, rename) and folders are fsynced before the manifest — written last — marks the set complete.
 * A folder with content is never overwritten unless asked; then only the generator's own entries go.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import crypto from 'node:crypto'
import { makeDirSync } from '../../files/make-dir'
import { VOC_CLASSES } from '../../../shared/voc'

export class SyntheticBenchmarkError extends Error {}

/** Top-level entries the generator owns inside its output folder. */
export const OUTPUT_ENTRIES = {
  voc: 'VOCdevkit',
  personal: 'personal',
  /** Masks of the non-validation album images (presets with `oracleMasks`), outside the PIS layout. */
  oracle: 'oracle',
  manifest: 'manifest.json',
} as const
export const VOC_ROOT = 'VOCdevkit/VOC2012'

export interface VocPaths {
  root: string
  jpeg: string
  masks: string
  sets: string
}

export function vocPaths(out: string): VocPaths {
  const root = path.join(out, VOC_ROOT)
  return {
    root,
    jpeg: path.join(root, 'JPEGImages'),
    masks: path.join(root, 'SegmentationClass'),
    sets: path.join(root, 'ImageSets', 'Segmentation'),
  }
}

export interface AlbumPaths {
  root: string
  jpeg: string
  masks: string
}

export function albumPaths(out: string, userId: string): AlbumPaths {
  const root = path.join(out, OUTPUT_ENTRIES.personal, userId)
  return { root, jpeg: path.join(root, 'JPEGImages'), masks: path.join(root, 'SegmentationClass') }
}

/**
 * Makes `out` ready: created if missing; an existing non-empty folder is refused unless `overwrite`,
 * in which case the manifest goes first (so a half-regenerated set never looks complete), then the
 * generator's own folders. Other files in `out` are left alone.
 */
export async function prepareOutDir(out: string, overwrite: boolean): Promise<void> {
  let entries: string[]
  try {
    const st = await fs.stat(out)
    if (!st.isDirectory()) throw new SyntheticBenchmarkError(`output path ${out} exists and is not a folder`)
    entries = await fs.readdir(out)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    makeDirSync(out)
    return
  }
  if (entries.length === 0) return
  if (!overwrite) {
    throw new SyntheticBenchmarkError(
      `output folder ${out} is not empty (${entries.length} entries); pass overwrite: true to replace a previous benchmark there`,
    )
  }
  await fs.rm(path.join(out, OUTPUT_ENTRIES.manifest), { force: true })
  await fs.rm(path.join(out, OUTPUT_ENTRIES.voc), { recursive: true, force: true })
  await fs.rm(path.join(out, OUTPUT_ENTRIES.personal), { recursive: true, force: true })
  await fs.rm(path.join(out, OUTPUT_ENTRIES.oracle), { recursive: true, force: true })
}

/** Where the oracle masks of an album's non-validation images go (see Preset.oracleMasks). */
export function oracleMaskDir(out: string, userId: string): string {
  return path.join(out, OUTPUT_ENTRIES.oracle, userId)
}

export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const tmp = path.join(path.dirname(target), `.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`)
  try {
    const fh = await fs.open(tmp, 'wx', 0o644)
    try {
      await fh.writeFile(data)
      await fh.sync()
    } finally {
      await fh.close()
    }
    await fs.rename(tmp, target)
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined)
    throw e
  }
}

/** Persists the renames done in a folder. Not possible everywhere (Windows cannot open folders). */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: fs.FileHandle | undefined
  try {
    fh = await fs.open(dir, 'r')
    await fh.sync()
  } catch {
    /* best effort: each file was fsynced before its rename */
  } finally {
    await fh?.close()
  }
}

// ---------------------------------------------------------------------------------------------
// List files (PIS and VOC formats)

/** `ImageSets/Segmentation/*.txt`: one name per line. */
export function nameList(names: readonly string[]): string {
  return names.map((n) => `${n}\n`).join('')
}

/** PIS `val_all.txt` / `train_cluster<K>.txt` line: `/JPEGImages/x.jpg /SegmentationClass/x.png <n>`. */
export function pisLine(name: string, n: number): string {
  return `/JPEGImages/${name}.jpg /SegmentationClass/${name}.png ${n}\n`
}

/** PIS `imgLabelList.txt` line: `x.jpg:cls,cls` with VOC class names in id order. */
export function labelListLine(name: string, classIds: readonly number[]): string {
  const names = [...classIds]
    .sort((a, b) => a - b)
    .map((id) => {
      const n = VOC_CLASSES[id]
      if (n === undefined || id === 0) throw new Error(`image ${name}: ${id} is not an object class id`)
      return n
    })
  return `${name}.jpg:${names.join(',')}\n`
}
