/**
 * Finds files by the names lists use. Lists write "/JPEGImages/x.jpg" or just "x"; on disk the file may
 * be "x.JPG". Exact names win, then the stem ("x") regardless of extension case.
 */
import { readdir } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { baseName, stemOf } from './list-files'

export class NameIndex<T extends { name: string }> {
  private readonly byName = new Map<string, T>()
  private readonly byStem = new Map<string, T>()

  constructor(items: readonly T[]) {
    for (const it of items) {
      this.byName.set(it.name, it)
      const stem = stemOf(it.name)
      if (!this.byStem.has(stem)) this.byStem.set(stem, it)
    }
  }

  /** Looks up a list token ("/JPEGImages/x.jpg", "x.jpg", "x"). */
  find(token: string): T | undefined {
    const name = baseName(token)
    return this.byName.get(name) ?? this.byStem.get(stemOf(name))
  }

  findStem(stem: string): T | undefined {
    return this.byStem.get(stem)
  }

  get size(): number {
    return this.byName.size
  }

  values(): IterableIterator<T> {
    return this.byName.values()
  }
}

export interface MaskFile {
  name: string
  path: string
}

/** The .png files of a mask folder (SegmentationClass…), indexed by stem; empty when the folder is absent. */
export async function indexMaskFolder(dir: string): Promise<NameIndex<MaskFile>> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return new NameIndex<MaskFile>([])
  }
  const files = names
    .filter((n) => !n.startsWith('.') && extname(n).toLowerCase() === '.png')
    .map((name) => ({ name, path: join(dir, name) }))
  return new NameIndex(files)
}
