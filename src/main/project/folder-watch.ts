/**
 * Notices an open project's folder being moved or deleted without waiting for the next write: fs.watch on
 * the folder (a move or delete of the watched folder itself arrives as a 'rename' event on Linux and
 * Windows) plus a slow poll for platforms and file systems where fs.watch misses it (network shares,
 * macOS for a moved parent). Both only call `check`, which decides; nothing here keeps the process alive.
 */
import fs from 'node:fs'

export const FOLDER_POLL_MS = 2000

/** Calls `check` on every change event of `dir` and every `pollMs`; returns the function that stops it. */
export function watchFolder(dir: string, check: () => void, pollMs = FOLDER_POLL_MS): () => void {
  // Runs from a watch callback or a timer, where a throw would take the process down.
  const safeCheck = (): void => {
    try {
      check()
    } catch (e) {
      console.error(`PSS Studio: checking the project folder ${dir} failed:`, e)
    }
  }
  let watcher: fs.FSWatcher | null = null
  try {
    // Only 'rename': 'change' is every write to project.sqlite-wal, and a move or delete is never one.
    watcher = fs.watch(dir, { persistent: false }, (event) => {
      if (event === 'rename') safeCheck()
    })
    // The watch itself failing (folder gone, too many watches) leaves the poll in charge.
    watcher.on('error', () => {
      watcher?.close()
      watcher = null
      safeCheck()
    })
  } catch {
    watcher = null
  }
  const timer = setInterval(safeCheck, pollMs)
  timer.unref()
  return () => {
    clearInterval(timer)
    watcher?.close()
    watcher = null
  }
}
