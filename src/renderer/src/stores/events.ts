/** Connects the core's events to the stores; returns a function that disconnects them all. */
import type { StudioClient } from '../api-client'
import { useAppStore } from './app'
import { useGridStore } from './grid'
import { useJobStore } from './jobs'
import { useLibraryStore } from './library'
import { useSourceModelsStore } from '../models/source-models-store'
import { SOURCE_MODEL_ADDED } from '../../../shared/source-models'

export function wireEvents(client: StudioClient): () => void {
  const app = useAppStore()
  const jobs = useJobStore()
  const library = useLibraryStore()
  const grid = useGridStore()
  const sourceModels = useSourceModelsStore()
  let wasDown = false

  const offs = [
    client.on('job', (job) => jobs.upsert(job)),
    client.on('library', (e) => {
      library.refreshSoon()
      grid.onLibraryChanged(e)
      if (e.reason === SOURCE_MODEL_ADDED) void sourceModels.load()
    }),
    client.on('project', (p) => {
      app.setProject(p)
      void app.refreshRecent()
    }),
    client.on('projectFolder', (e) => {
      app.folderProblem = e.message
    }),
    client.onConnection((state) => {
      app.connection = state
      if (state === 'reconnecting') wasDown = true
      // Events sent while the socket was down are lost: reload what they would have changed.
      if (state === 'open' && wasDown) {
        wasDown = false
        if (app.project) {
          void jobs.load()
          library.refreshSoon()
          grid.onLibraryChanged({})
        }
      }
    }),
  ]
  return () => {
    for (const off of offs) off()
  }
}
