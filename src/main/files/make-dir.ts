/**
 * Bounded, pseudo-filesystem-safe folder creation. Node 20's `mkdirSync(dir, { recursive: true })`
 * spins forever at 100 % CPU on procfs (`/proc/nope`: mkdir says ENOENT, the parent exists, retry…),
 * and a synchronous loop is deaf to SIGTERM and Ctrl-C. This walks up the path itself — at most one
 * step per path component — and creates the missing folders top-down with plain mkdir, so every call
 * ends with a folder or an error naming the path. Folders under procfs/sysfs/cgroupfs are refused
 * outright: nothing the studio writes belongs there.
 */
import fs from 'node:fs'
import path from 'node:path'

/**
 * A folder could not be created (pseudo-filesystem, a file in the way, permissions, disk full…). Shaped
 * like a Node errno error (code, syscall, path) so the doors report it as an I/O error with its path.
 */
export class MakeDirError extends Error {
  readonly syscall = 'mkdir'
  readonly path: string
  constructor(
    dir: string,
    message: string,
    readonly code: string = 'EIO',
  ) {
    super(message)
    this.name = 'MakeDirError'
    this.path = dir
  }
}

/** statfs f_type values of kernel pseudo-filesystems (linux/magic.h). */
const PSEUDO_FS_TYPES = new Map<number, string>([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroupfs'],
  [0x63677270, 'cgroup2fs'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
])

/** The pseudo-filesystem an existing path lives on, or null (also when statfs is unavailable). */
export function pseudoFilesystemOf(existing: string): string | null {
  if (process.platform !== 'linux' || typeof fs.statfsSync !== 'function') return null
  try {
    return PSEUDO_FS_TYPES.get(Number(fs.statfsSync(existing).type)) ?? null
  } catch {
    return null
  }
}

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code
}

/** 'dir' | 'other' | 'missing' for a path, following symlinks. */
function kindOf(p: string): 'dir' | 'other' | 'missing' {
  try {
    return fs.statSync(p).isDirectory() ? 'dir' : 'other'
  } catch (e) {
    const code = errnoOf(e)
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing'
    throw new MakeDirError(p, `cannot create the folder ${p}: ${(e as Error).message}`, code)
  }
}

/**
 * Creates `dir` and its missing parents; returns the absolute path. Throws MakeDirError (naming the
 * path and the reason) instead of looping: each component is tried once.
 */
export function makeDirSync(dir: string): string {
  const target = path.resolve(dir)
  // Walk up to the nearest existing ancestor; the loop ends at the root (dirname(root) === root).
  const missing: string[] = []
  let cur = target
  for (;;) {
    const kind = kindOf(cur)
    if (kind === 'dir') break
    if (kind === 'other') {
      throw new MakeDirError(
        target,
        `cannot create the folder ${target}: ${cur} is a file, not a folder`,
        'ENOTDIR',
      )
    }
    missing.push(cur)
    const parent = path.dirname(cur)
    if (parent === cur) {
      throw new MakeDirError(
        target,
        `cannot create the folder ${target}: its root ${cur} does not exist`,
        'ENOENT',
      )
    }
    cur = parent
  }
  if (missing.length === 0) return target
  const pseudo = pseudoFilesystemOf(cur)
  if (pseudo !== null) {
    throw new MakeDirError(
      target,
      `cannot create the folder ${target}: ${cur} is on ${pseudo}, a kernel pseudo-filesystem; choose a folder on a disk`,
      'EPERM',
    )
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d)
    } catch (e) {
      const code = errnoOf(e)
      // Someone else created it meanwhile: fine when it is a folder.
      if (code === 'EEXIST' && kindOf(d) === 'dir') continue
      const why =
        code === 'ENOSPC'
          ? 'the disk is full'
          : code === 'ENOENT'
            ? `${path.dirname(d)} does not accept new folders`
            : (e as Error).message
      throw new MakeDirError(target, `cannot create the folder ${target}: ${why}`, code)
    }
  }
  return target
}
