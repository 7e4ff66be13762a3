/**
 * Which runs the insight screens look through: the album's scored runs, the chosen run (per-image FIoU)
 * and the baseline (gain = run − baseline). Shared by the grid's metric bar, the cluster view and the
 * embedding map; the compare view keeps its own list of columns.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { RunSummary } from '../../../shared/runs'
import { comparableRuns } from '../../../shared/runs'
import { runDisplayNumbers, runName, type RunNumbers } from '../../../shared/run-names'
import { studio } from '../api-client'
import { useToastStore } from '../stores/toasts'

export const useInsightStore = defineStore('insight', () => {
  const albumId = ref<number | null>(null)
  const runs = ref<RunSummary[]>([])
  /** Display numbers over the whole project's runs (run names number the runs a user sees, no gaps). */
  const numbers = ref<RunNumbers>(new Map())
  const runId = ref<number | null>(null)
  const baseRunId = ref<number | null>(null)
  const loaded = ref(false)

  /** Album runs that have per-image metrics, oldest first (run #1, #2… read naturally). */
  const scored = computed(() =>
    runs.value
      .filter((r) => r.kind === 'album' && r.status === 'done' && r.metrics !== null)
      .slice()
      .sort((a, b) => a.id - b.id),
  )
  const run = computed(() => scored.value.find((r) => r.id === runId.value) ?? null)
  const baseRun = computed(() => scored.value.find((r) => r.id === baseRunId.value) ?? null)
  /** Runs scored on different splits or mask versions are never compared silently. */
  const incomparable = computed(
    () => run.value !== null && baseRun.value !== null && !comparableRuns(run.value, baseRun.value),
  )

  async function load(album: number): Promise<void> {
    try {
      // Every run of the project: the display numbers count the other albums' runs too.
      const all = await studio().api.listRuns({})
      const list = all.filter((r) => r.albumId === album)
      if (albumId.value !== album) {
        runId.value = null
        baseRunId.value = null
      }
      albumId.value = album
      runs.value = list
      numbers.value = runDisplayNumbers(all)
      const ids = new Set(scored.value.map((r) => r.id))
      if (runId.value !== null && !ids.has(runId.value)) runId.value = null
      if (baseRunId.value !== null && !ids.has(baseRunId.value)) baseRunId.value = null
      loaded.value = true
    } catch (err) {
      useToastStore().error(err, 'Cannot list the runs')
    }
  }

  return { albumId, runs, numbers, scored, runId, baseRunId, run, baseRun, incomparable, loaded, load }
})

/** The run's human name (shared/run-names.ts) with its display number, everywhere a run is picked or labelled. */
export function runLabel(r: RunSummary): string {
  return runName(r, useInsightStore().numbers)
}
