/**
 * Where the users of a PIS dataset are (docs/method.md §9): `<root>/personal/id{k}/…`, `personal/` itself, or
 * a single `id{k}` folder. A user folder is any folder holding JPEGImages/.
 */
import { readdir } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { isFolder, naturalCompare } from './scan-folder'

export interface PisUser {
  /** Folder name, used as album name and PIS user id ("id3"). */
  userId: string
  dir: string
}

export const PIS_IMAGES = 'JPEGImages'
export const PIS_MASKS = 'SegmentationClass'
export const PIS_VAL_LIST = 'val_all.txt'
export const PIS_TAG_LIST = 'imgLabelList.txt'
export const PIS_CLUSTER_LIST = /^train_cluster.*\.txt$/i

export async function resolvePisUsers(rootArg: string): Promise<PisUser[]> {
  const root = resolve(rootArg)
  if (!(await isFolder(root))) throw new Error(`PIS folder not found: ${root}`)
  if (await isFolder(join(root, PIS_IMAGES))) return [{ userId: basename(root), dir: root }]
  const base = (await isFolder(join(root, 'personal'))) ? join(root, 'personal') : root
  const names = (await readdir(base, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(naturalCompare)
  const users: PisUser[] = []
  for (const name of names) {
    if (await isFolder(join(base, name, PIS_IMAGES))) users.push({ userId: name, dir: join(base, name) })
  }
  if (users.length === 0) {
    throw new Error(
      `no PIS users found in ${root}: expected personal/id{k}/${PIS_IMAGES}, the personal/ folder itself, or one id{k} folder holding ${PIS_IMAGES}/`,
    )
  }
  return users
}
