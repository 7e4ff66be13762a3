/**
 * Imports a PIS dataset: one album per user id with its photos, human masks (SegmentationClass), tags
 * (imgLabelList.txt), the validation split (val_all.txt) and the stored clusterings (train_cluster*.txt).
 * A bad image, mask or list line is reported with its file (and line) and the rest goes on.
 */
import { emptySummary } from './import-summary'
import { readdir } from 'node:fs/promises'
import { denseGroups, importedK } from './dense-groups'
import { readListText } from './read-list'
import { join } from 'node:path'
import type { FileProblem, ImportSummary } from '../../shared/domain'
import type { ImportContext } from '../project/import-target-port'
import { importImages, type ImageItem, type ImportImagesResult, type ImportOptions } from './import-images'
import { parsePairList, parseTagList, stemOf, type PairEntry } from './list-files'
import { NameIndex, indexMaskFolder, type MaskFile } from './name-index'
import {
  PIS_CLUSTER_LIST,
  PIS_IMAGES,
  PIS_MASKS,
  PIS_TAG_LIST,
  PIS_VAL_LIST,
  resolvePisUsers,
  type PisUser,
} from './pis-layout'
import { isFile, naturalCompare, scanImageFolder, type FoundImage } from './scan-folder'

export interface PisImportArgs {
  root: string
  copy: boolean
}

export const PIS_SPLIT_NAME = 'val_all (PIS)'

interface ListFile {
  name: string
  path: string
  entries: PairEntry[]
}

interface UserPlan {
  user: PisUser
  items: ImageItem[]
  images: NameIndex<FoundImage>
  masks: NameIndex<MaskFile>
  valList: ListFile | null
  clusterLists: ListFile[]
}

const lineProblem = (file: string, line: number, reason: string): FileProblem => ({
  file,
  reason: `line ${line}: ${reason}`,
})

async function readPairList(
  ctx: ImportContext,
  name: string,
  path: string,
  groupRequired: boolean,
): Promise<ListFile | null> {
  const text = await readListText(ctx, path)
  if (text === null) return null
  const { entries, issues } = parsePairList(text, { groupRequired })
  for (const i of issues) ctx.problem(lineProblem(path, i.line, i.reason))
  return { name, path, entries }
}

/** Reads one user's folder: images, masks, tags and lists. Problems found here are reported at once. */
async function planUser(ctx: ImportContext, user: PisUser): Promise<UserPlan> {
  const scan = await scanImageFolder(join(user.dir, PIS_IMAGES), { recursive: false })
  for (const s of scan.skipped) ctx.problem(s)
  const images = new NameIndex(scan.images)
  const masks = await indexMaskFolder(join(user.dir, PIS_MASKS))

  const tags = new Map<string, number[]>()
  const tagPath = join(user.dir, PIS_TAG_LIST)
  if (await isFile(tagPath)) {
    const text = await readListText(ctx, tagPath)
    if (text !== null) {
      const { entries, issues } = parseTagList(text)
      for (const i of issues) ctx.problem(lineProblem(tagPath, i.line, i.reason))
      for (const e of entries) {
        const img = images.find(e.image)
        if (!img) ctx.problem(lineProblem(tagPath, e.line, `${e.image} is not in ${PIS_IMAGES}`))
        else tags.set(img.name, e.tags)
      }
    }
  }

  const items: ImageItem[] = scan.images.map((img) => {
    const mask = masks.findStem(stemOf(img.name))
    return {
      path: img.path,
      name: img.name,
      tags: tags.get(img.name) ?? [],
      mask: mask ? { path: mask.path, origin: `PIS ${user.userId}/${PIS_MASKS}/${mask.name}` } : undefined,
    }
  })
  for (const m of masks.values()) {
    if (!images.findStem(stemOf(m.name))) {
      ctx.problem({ file: m.path, reason: `skipped: mask has no image of the same name in ${PIS_IMAGES}` })
    }
  }

  const valPath = join(user.dir, PIS_VAL_LIST)
  const valList = (await isFile(valPath)) ? await readPairList(ctx, PIS_VAL_LIST, valPath, false) : null
  const clusterNames = (await readdir(user.dir)).filter((n) => PIS_CLUSTER_LIST.test(n)).sort(naturalCompare)
  const clusterLists: ListFile[] = []
  for (const name of clusterNames) {
    const list = await readPairList(ctx, name, join(user.dir, name), true)
    if (list) clusterLists.push(list)
  }
  return { user, items, images, masks, valList, clusterLists }
}

/**
 * Resolves a list line to an imported image id, reporting lines that name missing or refused files.
 * Returns null when the line cannot be used. The mask column is checked only where masks must exist
 * (val_all.txt): train_cluster lines name a SegmentationClass path even for unlabelled photos.
 */
function resolveLine(
  ctx: ImportContext,
  plan: UserPlan,
  result: ImportImagesResult,
  list: ListFile,
  entry: PairEntry,
  checkMask: boolean,
): number | null {
  const img = plan.images.find(entry.image)
  if (!img) {
    ctx.problem(lineProblem(list.path, entry.line, `${entry.image} is not in ${PIS_IMAGES}`))
    return null
  }
  if (checkMask && entry.mask !== null && !plan.masks.find(entry.mask)) {
    ctx.problem(lineProblem(list.path, entry.line, `${entry.mask} is not in ${PIS_MASKS}`))
  }
  const id = result.idsByName.get(img.name)
  if (id === undefined) {
    const why = result.rejectedNames.has(img.name) ? 'was refused (see its own problem)' : 'was not imported'
    ctx.problem(lineProblem(list.path, entry.line, `${img.name} ${why}`))
    return null
  }
  return id
}

function writeValidation(
  ctx: ImportContext,
  albumId: number,
  plan: UserPlan,
  result: ImportImagesResult,
): void {
  const list = plan.valList
  if (!list) return
  const ids: number[] = []
  for (const entry of list.entries) {
    const id = resolveLine(ctx, plan, result, list, entry, true)
    if (id !== null && !ids.includes(id)) ids.push(id)
  }
  if (ids.length === 0) {
    ctx.problem({ file: list.path, reason: 'no usable lines; no validation split stored' })
    return
  }
  ctx.target.addSplit(albumId, PIS_SPLIT_NAME, ids, {
    source: 'PIS',
    file: list.name,
    lines: list.entries.length,
  })
}

function writeClusterings(
  ctx: ImportContext,
  albumId: number,
  plan: UserPlan,
  result: ImportImagesResult,
): void {
  for (const list of plan.clusterLists) {
    const assignments = new Map<number, number>()
    for (const entry of list.entries) {
      const id = resolveLine(ctx, plan, result, list, entry, false)
      if (id !== null && entry.group !== null) assignments.set(id, entry.group)
    }
    if (assignments.size === 0) {
      ctx.problem({ file: list.path, reason: 'no usable lines; clustering not stored' })
      continue
    }
    // Stored as 0…G−1: the ids as written only size things through K, and K must stay ≤ the images.
    const dense = denseGroups(assignments)
    const named = /(\d+)/.exec(list.name)
    const kInName = named ? Number(named[1]) : null
    const k = importedK(kInName, dense.groups, result.imported)
    const meta: Record<string, unknown> = { k, source: 'PIS', file: list.name, groups: dense.groups }
    if (kInName !== null && kInName !== k) meta.kInFileName = kInName
    if (dense.renumbered) meta.idsInFile = dense.range
    ctx.target.addClustering(albumId, list.name, dense.assignments, meta)
  }
}

export async function importPis(
  ctx: ImportContext,
  args: PisImportArgs,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const summary = emptySummary()
  ctx.progress({ done: 0, total: 0, message: `reading ${args.root}` })
  const users = await resolvePisUsers(args.root)
  const plans: UserPlan[] = []
  for (const user of users) {
    if (ctx.cancelled()) return summary
    plans.push(await planUser(ctx, user))
  }
  const total = plans.reduce((n, p) => n + p.items.length, 0)
  let offset = 0
  for (const plan of plans) {
    if (ctx.cancelled()) break
    const { user } = plan
    if (plan.items.length === 0) {
      ctx.problem({
        file: join(user.dir, PIS_IMAGES),
        reason: `no images; no album created for ${user.userId}`,
      })
      continue
    }
    let albumId: number
    try {
      albumId = ctx.target.createAlbum(user.userId, user.userId)
    } catch (e) {
      ctx.problem({ file: user.dir, reason: `album ${user.userId} not created: ${(e as Error).message}` })
      offset += plan.items.length
      continue
    }
    summary.albumIds.push(albumId)
    const result = await importImages(ctx, {
      owner: { albumId },
      items: plan.items,
      copy: args.copy,
      options,
      progress: { offset, total, label: `${user.userId}: ` },
    })
    offset += plan.items.length
    summary.imported += result.imported
    summary.duplicates += result.duplicates
    summary.masks += result.masks
    summary.rejected += result.rejected
    // A cancelled user has only part of its images: a split or clustering over them would mislead.
    if (result.cancelled) break
    writeValidation(ctx, albumId, plan, result)
    writeClusterings(ctx, albumId, plan, result)
  }
  return summary
}
