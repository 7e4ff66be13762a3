/**
 * Images queued for annotation from the embedding map or the cluster view, per project and album. Kept
 * in localStorage (survives reloads; nothing in the project changes until someone annotates). The
 * annotation view may read `useAnnotationQueueStore().idsFor(albumId)` to offer them next.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useAppStore } from '../stores/app'

const KEY = 'pss.annotationQueue'

type Saved = Record<string, number[]>

function load(): Saved {
  try {
    const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY)
    const v = raw ? (JSON.parse(raw) as unknown) : {}
    return v && typeof v === 'object' ? (v as Saved) : {}
  } catch {
    return {}
  }
}

export const useAnnotationQueueStore = defineStore('annotationQueue', () => {
  const queues = ref<Saved>(load())

  function key(albumId: number): string {
    return `${useAppStore().project?.path ?? ''}#${albumId}`
  }
  function save(): void {
    try {
      localStorage.setItem(KEY, JSON.stringify(queues.value))
    } catch {
      // Storage full or disabled: the queue still works for this session.
    }
  }
  function idsFor(albumId: number): number[] {
    return queues.value[key(albumId)] ?? []
  }
  /** Appends the ids not yet queued (order kept); returns how many were added. */
  function add(albumId: number, ids: readonly number[]): number {
    const current = idsFor(albumId)
    const seen = new Set(current)
    const added = ids.filter((id) => !seen.has(id) && (seen.add(id), true))
    queues.value = { ...queues.value, [key(albumId)]: [...current, ...added] }
    save()
    return added.length
  }
  function remove(albumId: number, id: number): void {
    queues.value = { ...queues.value, [key(albumId)]: idsFor(albumId).filter((x) => x !== id) }
    save()
  }
  function clear(albumId: number): void {
    const next = { ...queues.value }
    delete next[key(albumId)]
    queues.value = next
    save()
  }
  return { queues, idsFor, add, remove, clear }
})
