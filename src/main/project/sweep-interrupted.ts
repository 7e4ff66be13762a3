/**
 * The sweep at open: files a killed import or save left behind. Every write into the project is "file
 * first, row second" (import-target.ts, atomic-file.ts), so a kill can leave
 *   - temp files (`.tmp-<pid>-<random>`) of a copy or thumbnail that never reached its rename;
 *   - a copied original in media/<album>/ whose images row never committed;
 *   - a thumbnail in thumbs/ whose row never committed.
 * None of these is referenced by the database, and the project lock (held by the caller) keeps every
 * other writer out, so none can belong to a write in progress. Mask folders sweep their own temp files
 * on the next save of that image (mask-save.ts); their files are versioned and left alone here.
 *
 * Only imports write media/ and thumbs/, always as a job, and a job cut off by a kill is still recorded
 * queued/running when the project is next opened (before the job queue marks it interrupted). So the
 * sweep runs only then: listing the folders of a 20,000-image project takes a few hundred ms, too much
 * for every open.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Db } from './db'
import { toRelPath, type ProjectPaths } from './layout'
import { removeQuietly } from '../files/atomic-file'

const TEMP_PREFIX = '.tmp-'

export interface SweepReport {
  /** Temp files removed. */
  tempFiles: number
  /** Copied originals and thumbnails removed because no row refers to them. */
  orphans: number
}

/** Names of the entries of `dir` that are files (or folders), [] when it is absent. */
function entries(dir: string, kind: 'file' | 'dir'): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => (kind === 'file' ? e.isFile() : e.isDirectory()))
      .map((e) => e.name)
  } catch {
    return [] // absent folder: nothing to sweep
  }
}

/** True when a job was cut off (left queued/running): the only time files can be left behind. */
export function hasInterruptedJobs(db: Db): boolean {
  return db.prepare(`SELECT 1 FROM jobs WHERE status IN ('queued', 'running') LIMIT 1`).get() !== undefined
}

/**
 * Removes temp files and unreferenced copies/thumbnails (see the module comment) when a job was cut off;
 * returns what it removed.
 */
export function sweepInterruptedWrites(db: Db, paths: ProjectPaths): SweepReport {
  const report: SweepReport = { tempFiles: 0, orphans: 0 }
  if (!hasInterruptedJobs(db)) return report
  const referenced = new Set<string>()
  const rows = db.prepare('SELECT original_path, copied, thumb_path FROM images').all() as {
    original_path: string
    copied: number
    thumb_path: string | null
  }[]
  for (const r of rows) {
    if (r.copied === 1) referenced.add(r.original_path)
    if (r.thumb_path !== null) referenced.add(r.thumb_path)
  }
  // Relative paths are built from the folder names (as toRelPath writes them) rather than with
  // path.relative per file, which made the sweep of a 20,000-image project take seconds.
  const sweep = (dir: string, rel: string, name: string): void => {
    if (name.startsWith(TEMP_PREFIX)) {
      removeQuietly(path.join(dir, name))
      report.tempFiles++
    } else if (!referenced.has(`${rel}/${name}`)) {
      removeQuietly(path.join(dir, name))
      report.orphans++
    }
  }
  const mediaRel = toRelPath(paths, paths.media)
  for (const sub of entries(paths.media, 'dir')) {
    const dir = path.join(paths.media, sub)
    for (const name of entries(dir, 'file')) sweep(dir, `${mediaRel}/${sub}`, name)
  }
  const thumbsRel = toRelPath(paths, paths.thumbs)
  for (const name of entries(paths.thumbs, 'file')) sweep(paths.thumbs, thumbsRel, name)
  return report
}
