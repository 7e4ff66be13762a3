/** Runs a CLI command against a Studio that is always closed afterwards (lock released, jobs stopped). */
import type { AppMode } from '../../shared/api'
import { Studio } from '../app/studio'

export async function withStudio<T>(mode: AppMode, fn: (studio: Studio) => Promise<T>): Promise<T> {
  const studio = new Studio({ mode })
  try {
    return await fn(studio)
  } finally {
    await studio.close()
  }
}
