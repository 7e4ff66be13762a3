/** Imports a folder of photos as one new album (optionally with its subfolders). */
import { emptySummary } from './import-summary'
import { resolve } from 'node:path'
import type { ImportSummary } from '../../shared/domain'
import type { ImportContext } from '../project/import-target-port'
import { importImages, type ImportOptions } from './import-images'
import { assertFolder, scanImageFolder } from './scan-folder'

export interface FolderImportArgs {
  dir: string
  albumName: string
  copy: boolean
  recursive: boolean
}

export async function importFolder(
  ctx: ImportContext,
  args: FolderImportArgs,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const dir = resolve(args.dir)
  await assertFolder(dir)
  ctx.progress({ done: 0, total: 0, message: `scanning ${dir}` })
  const scan = await scanImageFolder(dir, { recursive: args.recursive })
  for (const s of scan.skipped) ctx.problem(s)
  if (scan.images.length === 0) {
    throw new Error(
      `no JPEG, PNG or WebP images found in ${dir}` +
        (args.recursive ? '' : ' (subfolders are not searched unless the import is recursive)'),
    )
  }
  const summary = emptySummary()
  if (ctx.cancelled()) return summary
  const albumId = ctx.target.createAlbum(args.albumName, null)
  summary.albumIds.push(albumId)
  const result = await importImages(ctx, {
    owner: { albumId },
    items: scan.images.map((f) => ({ path: f.path, name: f.name, tags: [] })),
    copy: args.copy,
    options,
    progress: { offset: 0, total: scan.images.length, label: '' },
  })
  summary.imported = result.imported
  summary.duplicates = result.duplicates
  summary.rejected = result.rejected
  return summary
}
