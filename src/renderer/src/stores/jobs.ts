/**
 * Background jobs of the open project, kept live from `job` events. The drawer that lists them is the
 * user's: it opens by itself only for a job just started from this tab (`startedHere`), never on job
 * events or page loads; it docks at the bottom or on the right of the window, and its open/closed state
 * and its dock are remembered across reloads.
 */
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import type { ImportSummary, JobRecord } from '../../../shared/api'
import { studio } from '../api-client'
import { plural } from '../format'
import { exhaustive } from '../util/exhaustive'
import { useToastStore } from './toasts'

export function isActive(job: JobRecord): boolean {
  return job.status === 'queued' || job.status === 'running'
}

/** The job's result when it is an import summary (checked: results are kind-specific). */
export function importSummary(v: unknown): ImportSummary | null {
  if (typeof v !== 'object' || v === null) return null
  const r = v as ImportSummary
  return typeof r.imported === 'number' && Array.isArray(r.albumIds) && Array.isArray(r.sourceIds) ? r : null
}

/** "3 files not imported" for imports, "3 problems" for other jobs. */
export function problemsLabel(job: JobRecord): string {
  return job.kind.startsWith('import')
    ? `${plural(job.problemCount, 'file')} not imported`
    : plural(job.problemCount, 'problem')
}

/** One line saying how a finished job went ("Imported 40 images · 3 files not imported"). */
export function jobOutcome(job: JobRecord): string {
  const parts: string[] = []
  const r = importSummary(job.result)
  if (r) {
    parts.push(`Imported ${plural(r.imported, 'image')}`)
    if (r.masks > 0) parts.push(plural(r.masks, 'mask'))
    if (r.duplicates > 0) parts.push(`${plural(r.duplicates, 'duplicate')} skipped`)
  }
  if (job.problemCount > 0) parts.push(problemsLabel(job))
  if (job.status === 'failed' && job.error) parts.push(job.error)
  if (job.status === 'cancelled') parts.push('cancelled')
  return parts.join(' · ')
}

/** Where the drawer's open/closed state is kept (per origin, so per studio in browser mode). */
export const PANEL_STORAGE_KEY = 'pss.jobsPanelOpen'

/** Where the drawer's dock side is kept. */
export const DOCK_STORAGE_KEY = 'pss.jobsPanelDock'

export const JOBS_DOCKS = ['right', 'bottom'] as const
export type JobsDock = (typeof JOBS_DOCKS)[number]

function readDock(): JobsDock {
  try {
    const v = typeof localStorage !== 'undefined' ? localStorage.getItem(DOCK_STORAGE_KEY) : null
    return v === 'bottom' ? 'bottom' : 'right'
  } catch {
    return 'right' // storage refused: the default side
  }
}

function writeDock(dock: JobsDock): void {
  try {
    if (typeof localStorage !== 'undefined') localStorage.setItem(DOCK_STORAGE_KEY, dock)
  } catch {
    // Not remembered across reloads; the drawer still docks.
  }
}

function readPanelOpen(): boolean {
  try {
    return typeof localStorage !== 'undefined' && localStorage.getItem(PANEL_STORAGE_KEY) === 'true'
  } catch {
    return false // storage refused (privacy settings): the drawer starts closed
  }
}

function writePanelOpen(open: boolean): void {
  try {
    if (typeof localStorage !== 'undefined') localStorage.setItem(PANEL_STORAGE_KEY, open ? 'true' : 'false')
  } catch {
    // Not remembered across reloads; the drawer still works.
  }
}

export const useJobStore = defineStore('jobs', () => {
  const jobs = ref<JobRecord[]>([])
  /** Job ids whose end the user has already been told about. */
  const announced = new Set<number>()
  const panelOpen = ref(readPanelOpen())
  watch(panelOpen, writePanelOpen, { flush: 'sync' })
  const panelDock = ref<JobsDock>(readDock())
  watch(panelDock, writeDock, { flush: 'sync' })

  const active = computed(() => jobs.value.filter(isActive))
  const finished = computed(() => jobs.value.filter((j) => !isActive(j)))

  function sortJobs(list: JobRecord[]): JobRecord[] {
    return list.sort((a, b) => b.id - a.id)
  }

  async function load(): Promise<void> {
    try {
      const list = await studio().api.listJobs({ limit: 50 })
      for (const j of list) if (!isActive(j)) announced.add(j.id)
      jobs.value = sortJobs([...list])
    } catch (err) {
      useToastStore().error(err, 'Cannot list jobs')
    }
  }

  function upsert(job: JobRecord): void {
    const i = jobs.value.findIndex((j) => j.id === job.id)
    if (i >= 0) jobs.value.splice(i, 1, job)
    else jobs.value = sortJobs([job, ...jobs.value])
    // Progress events never open the drawer: a user who closed it keeps it closed.
    if (!isActive(job)) announce(job)
  }

  /** The user just started a job from this tab: show the drawer so its progress is in view. */
  function startedHere(): void {
    panelOpen.value = true
  }

  /** Tells the user once when a job ends, louder when files were refused. */
  function announce(job: JobRecord): void {
    if (announced.has(job.id)) return
    announced.add(job.id)
    const toasts = useToastStore()
    const outcome = jobOutcome(job)
    switch (job.status) {
      // Job outcomes are not tied to the screen the user happens to be on.
      case 'done':
        toasts.push(job.problemCount > 0 ? 'warning' : 'success', job.title, outcome, { global: true })
        break
      case 'failed':
        toasts.push('error', `${job.title} failed`, outcome, { global: true })
        break
      case 'cancelled':
        toasts.push('info', job.title, 'Cancelled', { global: true })
        break
      case 'queued':
      case 'running':
        break
      default:
        exhaustive(job.status)
    }
  }

  async function cancel(jobId: number): Promise<void> {
    try {
      upsert(await studio().api.cancelJob({ jobId }))
    } catch (err) {
      useToastStore().error(err, 'Could not cancel the job')
    }
  }

  function reset(): void {
    jobs.value = []
    announced.clear()
  }

  return { jobs, active, finished, panelOpen, panelDock, load, upsert, startedHere, cancel, reset }
})
