/**
 * Reads a dataset's text list (PIS val_all.txt / train_cluster*.txt / imgLabelList.txt, VOC ImageSets),
 * size-checked first. A problem is reported with the file and the import goes on without the list.
 */
import { readFile, stat } from 'node:fs/promises'
import type { ImportContext } from '../project/import-target-port'

/**
 * A list has one short line per photo: 16 MB is some 200,000 lines, far beyond any album or VOC split.
 * A bigger file is not a list, and reading it whole would only fill memory.
 */
export const MAX_LIST_BYTES = 16 * 1024 * 1024

export async function readListText(ctx: ImportContext, path: string): Promise<string | null> {
  try {
    const { size } = await stat(path)
    if (size > MAX_LIST_BYTES) {
      ctx.problem({
        file: path,
        reason: `not read: ${size.toLocaleString('en-US')} bytes is more than a list file can be (limit ${MAX_LIST_BYTES.toLocaleString('en-US')})`,
      })
      return null
    }
    return await readFile(path, 'utf8')
  } catch (e) {
    ctx.problem({ file: path, reason: `cannot be read (${(e as Error).message})` })
    return null
  }
}
