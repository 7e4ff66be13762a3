/**
 * Imports a VOC-format source dataset (VOCdevkit/VOC2012): the images named in ImageSets/Segmentation
 * lists (or all of JPEGImages when there are none), their masks from SegmentationClass (palette) or
 * SegmentationClassAug (greyscale), and each list as a named source list. Originals are referenced in
 * place by default: VOC is big.
 */
import { emptySummary } from './import-summary'
import { readdir } from 'node:fs/promises'
import { readListText } from './read-list'
import { basename, extname, join, resolve } from 'node:path'
import type { ImportSummary } from '../../shared/domain'
import type { ImportContext } from '../project/import-target-port'
import { importImages, type ImageItem, type ImportOptions } from './import-images'
import { parseIdList, stemOf } from './list-files'
import { NameIndex, indexMaskFolder } from './name-index'
import { isFolder, naturalCompare, scanImageFolder } from './scan-folder'

export interface VocImportArgs {
  root: string
  name?: string
  copy: boolean
}

const LIST_DIR = join('ImageSets', 'Segmentation')
const MASK_DIRS = ['SegmentationClass', 'SegmentationClassAug'] as const
/** Per list, this many missing images are named one by one; the rest are counted in one line. */
const MISSING_NAMED_PER_LIST = 20

/** The VOC20xx folder: the root itself, root/VOC2012 (VOCdevkit), or root/VOCdevkit/VOC2012. */
export async function resolveVocRoot(rootArg: string): Promise<string> {
  const root = resolve(rootArg)
  if (!(await isFolder(root))) throw new Error(`VOC folder not found: ${root}`)
  if (await isFolder(join(root, 'JPEGImages'))) return root
  for (const base of [root, join(root, 'VOCdevkit')]) {
    if (!(await isFolder(base))) continue
    const years = (await readdir(base))
      .filter((n) => /^VOC\d{4}$/.test(n))
      .sort(naturalCompare)
      .reverse()
    const preferred = years.includes('VOC2012') ? ['VOC2012', ...years.filter((y) => y !== 'VOC2012')] : years
    for (const y of preferred) if (await isFolder(join(base, y, 'JPEGImages'))) return join(base, y)
  }
  throw new Error(
    `no VOC dataset in ${root}: expected VOCdevkit/VOC2012/JPEGImages, VOC2012/JPEGImages or JPEGImages/`,
  )
}

interface ImageList {
  name: string
  path: string
  /** Image names (as in JPEGImages) in list order, without repeats. */
  names: string[]
}

export async function importVoc(
  ctx: ImportContext,
  args: VocImportArgs,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const summary = emptySummary()
  ctx.progress({ done: 0, total: 0, message: `reading ${args.root}` })
  const vocDir = await resolveVocRoot(args.root)
  const scan = await scanImageFolder(join(vocDir, 'JPEGImages'), { recursive: false })
  for (const s of scan.skipped) ctx.problem(s)
  const images = new NameIndex(scan.images)
  const maskIndexes = await Promise.all(
    MASK_DIRS.map(async (d) => ({ dir: d, index: await indexMaskFolder(join(vocDir, d)) })),
  )

  // Lists: every .txt of ImageSets/Segmentation, in name order.
  const listDir = join(vocDir, LIST_DIR)
  const listNames = (await isFolder(listDir))
    ? (await readdir(listDir))
        .filter((n) => extname(n).toLowerCase() === '.txt' && !n.startsWith('.'))
        .sort((a, b) => naturalCompare(basename(a, extname(a)), basename(b, extname(b))))
    : []
  const lists: ImageList[] = []
  for (const file of listNames) {
    const path = join(listDir, file)
    const text = await readListText(ctx, path)
    if (text === null) continue
    const names: string[] = []
    const seen = new Set<string>()
    let missing = 0
    for (const { line, id } of parseIdList(text)) {
      const img = images.findStem(id)
      if (!img) {
        missing++
        if (missing <= MISSING_NAMED_PER_LIST)
          ctx.problem({ file: path, reason: `line ${line}: image ${id} is not in JPEGImages` })
        continue
      }
      if (!seen.has(img.name)) {
        seen.add(img.name)
        names.push(img.name)
      }
    }
    if (missing > MISSING_NAMED_PER_LIST) {
      ctx.problem({
        file: path,
        reason: `${missing - MISSING_NAMED_PER_LIST} more lines name images that are not in JPEGImages`,
      })
    }
    lists.push({ name: basename(file, extname(file)), path, names })
  }

  // Images: those named by any list (first appearance order), or all of JPEGImages without lists.
  let chosen = scan.images
  if (lists.length > 0) {
    const wanted = new Set(lists.flatMap((l) => l.names))
    chosen = scan.images.filter((img) => wanted.has(img.name))
  }
  const items: ImageItem[] = chosen.map((img) => {
    const stem = stemOf(img.name)
    for (const { dir, index } of maskIndexes) {
      const mask = index.findStem(stem)
      if (mask)
        return {
          path: img.path,
          name: img.name,
          tags: [],
          mask: { path: mask.path, origin: `VOC ${dir}/${mask.name}` },
        }
    }
    return { path: img.path, name: img.name, tags: [] }
  })

  if (ctx.cancelled()) return summary
  const sourceId = ctx.target.createSource(args.name ?? basename(vocDir), 'voc', vocDir)
  summary.sourceIds.push(sourceId)
  const result = await importImages(ctx, {
    owner: { sourceId },
    items,
    copy: args.copy,
    options,
    progress: { offset: 0, total: items.length, label: '' },
  })
  summary.imported = result.imported
  summary.duplicates = result.duplicates
  summary.masks = result.masks
  summary.rejected = result.rejected
  if (result.cancelled) return summary
  for (const list of lists) {
    const ids: number[] = []
    const seen = new Set<number>()
    for (const name of list.names) {
      const id = result.idsByName.get(name)
      if (id !== undefined && !seen.has(id)) {
        seen.add(id)
        ids.push(id)
      }
    }
    ctx.target.addSourceList(sourceId, list.name, ids)
  }
  return summary
}
