/** Runs a CLI command against a Studio that is always closed afterwards (lock released, jobs stopped). */
import type { AppMode } from '../../shared/api'
import { Studio } from '../app/studio'

export async function withStudio<T>(mode: AppMode, fn: (studio: Studio) => Promise<T>): Promise<T> {
  // A CLI command closes the project as soon as it has answered, so it must not take over runs a crash
  // cut off (it would cancel them on its way out): they stay interrupted for `serve` or the desktop app,
  // which resume them. `serve` runs in browser mode and stays up.
  const studio = new Studio({ mode, interruptedRuns: mode === 'cli' ? 'keep' : 'resume' })
  try {
    return await fn(studio)
  } finally {
    await studio.close()
  }
}
