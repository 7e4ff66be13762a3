/**
 * Atomic file writes: write a temp file next to the target, fsync it, rename it over the target, fsync
 * the folder. A crash leaves either the old file or the new one, never a torn file. Synchronous on
 * purpose: the ImportTarget port is synchronous, and these run between DB statements of a transaction.
 */
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import { makeDirSync } from './make-dir'
import { DiskFullError, isDiskFull } from './disk-full'

function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`)
}

/** A full disk reported against the target (Node's error names the temp file, or the copy's source). */
function fullDiskNamed(e: unknown, target: string): unknown {
  if (e instanceof DiskFullError || !isDiskFull(e)) return e
  return new DiskFullError(target, e)
}

/** fsync a folder so a rename inside it survives a crash (best effort: not every platform allows it). */
export function fsyncDir(dir: string): void {
  // Persist the rename itself. Not possible on every platform (Windows cannot open folders); the file's
  // own fsync already happened, so skipping this there is the best we can do.
  let fd: number | undefined
  try {
    fd = fs.openSync(dir, 'r')
    fs.fsyncSync(fd)
  } catch {
    /* see above */
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

/**
 * Writes `target` atomically (temp file + rename). `durable: false` skips the fsyncs — for files that
 * can be regenerated (thumbnails), where a crash may lose the file but never leaves a torn one, and the
 * two fsyncs per file would halve import throughput.
 */
export function writeFileAtomic(
  target: string,
  data: Uint8Array | string,
  opts: { durable?: boolean } = {},
): void {
  const durable = opts.durable ?? true
  makeDirSync(path.dirname(target))
  const tmp = tempPathFor(target)
  try {
    const fd = fs.openSync(tmp, 'wx', 0o644)
    try {
      fs.writeFileSync(fd, data)
      if (durable) fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, target)
  } catch (e) {
    removeQuietly(tmp)
    throw fullDiskNamed(e, target)
  }
  if (durable) fsyncDir(path.dirname(target))
}

/** Copies `source` to `target` atomically (the target appears complete or not at all). */
export function copyFileAtomic(source: string, target: string): void {
  makeDirSync(path.dirname(target))
  const tmp = tempPathFor(target)
  try {
    fs.copyFileSync(source, tmp, fs.constants.COPYFILE_EXCL)
    const fd = fs.openSync(tmp, 'r+')
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, target)
  } catch (e) {
    removeQuietly(tmp)
    throw fullDiskNamed(e, target)
  }
  fsyncDir(path.dirname(target))
}

/** Removes a file if it exists; used to undo writes whose DB row could not be stored. */
export function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true })
  } catch {
    /* best effort: an orphan file is harmless, a thrown cleanup error would hide the real one */
  }
}
