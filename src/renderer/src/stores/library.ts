/** Albums and source datasets of the open project, and which one is selected (from the route). */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Album, SourceDataset } from '../../../shared/api'
import { studio } from '../api-client'
import { coalesce } from '../util/coalesce'
import { useNavStore } from './nav'
import { useToastStore } from './toasts'

export const useLibraryStore = defineStore('library', () => {
  const albums = ref<Album[]>([])
  const sources = ref<SourceDataset[]>([])
  const loaded = ref(false)
  const nav = useNavStore()

  const selection = computed(() => nav.target)
  const selectedAlbum = computed(() =>
    selection.value?.kind === 'album'
      ? (albums.value.find((a) => a.id === selection.value?.id) ?? null)
      : null,
  )
  const selectedSource = computed(() =>
    selection.value?.kind === 'source'
      ? (sources.value.find((s) => s.id === selection.value?.id) ?? null)
      : null,
  )

  async function load(): Promise<void> {
    try {
      const [a, s] = await Promise.all([studio().api.listAlbums({}), studio().api.listSources({})])
      albums.value = a
      sources.value = s
      loaded.value = true
    } catch (err) {
      useToastStore().error(err, 'Cannot list albums')
    }
  }

  const refresher = coalesce(load, 400)

  function reset(): void {
    albums.value = []
    sources.value = []
    loaded.value = false
  }

  return {
    albums,
    sources,
    loaded,
    selection,
    selectedAlbum,
    selectedSource,
    load,
    refreshSoon: refresher.request,
    reset,
  }
})
