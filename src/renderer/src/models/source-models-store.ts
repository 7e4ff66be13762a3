/**
 * The open project's imported source models, shared by the run form's Source list and the "Add a source
 * model" dialog. It reloads when the core says a model was stored (the `library` event with reason
 * SOURCE_MODEL_ADDED, wired in stores/events.ts): an add from the dialog, a finished torchvision download,
 * or `pss-studio model add` on a project the studio serves — so the Source list never goes stale.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { SourceModel } from '../../../shared/source-models'
import { studio } from '../api-client'
import { useToastStore } from '../stores/toasts'

export const useSourceModelsStore = defineStore('sourceModels', () => {
  const models = ref<SourceModel[]>([])
  const loaded = ref(false)
  /** Bumped by each load, so an older answer that arrives late cannot replace a newer one. */
  let generation = 0

  async function load(): Promise<void> {
    const mine = ++generation
    try {
      const list = await studio().api.listSourceModels({})
      if (mine !== generation) return
      models.value = list
      loaded.value = true
    } catch (err) {
      if (mine === generation) useToastStore().error(err, 'Could not list the imported source models')
    }
  }

  return { models, loaded, load }
})
