/** App-level state: what the core says about itself, the open project, recent projects. */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { AppInfo, ProjectInfo, RecentProject } from '../../../shared/api'
import { studio, type ConnectionState } from '../api-client'
import { useToastStore } from './toasts'

export type LoadState = 'loading' | 'ready' | 'error'

export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null)
  const recent = ref<RecentProject[]>([])
  const state = ref<LoadState>('loading')
  const loadError = ref<string | null>(null)
  /** A create/open/close is in flight (forms disable their buttons). */
  const busy = ref(false)
  const connection = ref<ConnectionState>('open')
  /** Set when the open project's folder was moved or deleted: the core refuses writes until it is reopened. */
  const folderProblem = ref<string | null>(null)

  const project = computed<ProjectInfo | null>(() => info.value?.project ?? null)

  async function init(): Promise<void> {
    state.value = 'loading'
    try {
      const [i, r] = await Promise.all([studio().api.appInfo({}), studio().api.recentProjects({})])
      info.value = i
      folderProblem.value = i.project?.folderProblem ?? null
      recent.value = r
      state.value = 'ready'
      loadError.value = null
      if (i.backend === null) void pollBackend()
    } catch (err) {
      loadError.value = useToastStore().error(err, 'Cannot reach the studio').message
      state.value = 'error'
    }
  }

  /**
   * The core finds its compute backend in a worker after the first appInfo; until then backend is null.
   * Ask again every 1.5 s for up to a minute (its probe gives up by then and reports 'unavailable').
   */
  async function pollBackend(): Promise<void> {
    for (let i = 0; i < 40 && info.value && info.value.backend === null; i++) {
      await new Promise((r) => setTimeout(r, 1500))
      try {
        const backend = (await studio().api.appInfo({})).backend
        if (info.value && backend !== null) info.value = { ...info.value, backend }
      } catch {
        // The connection is down: the next try (or a reload) asks again.
      }
    }
  }

  async function refreshRecent(): Promise<void> {
    try {
      recent.value = await studio().api.recentProjects({})
    } catch (err) {
      useToastStore().error(err, 'Cannot list recent projects')
    }
  }

  function setProject(p: ProjectInfo | null): void {
    if (info.value) info.value = { ...info.value, project: p }
    // Any open, close or reopen answers the folder problem (a reopen that fails keeps the old project open).
    folderProblem.value = null
  }

  async function run(title: string, fn: () => Promise<ProjectInfo | null>): Promise<boolean> {
    busy.value = true
    try {
      setProject(await fn())
      void refreshRecent()
      return true
    } catch (err) {
      useToastStore().error(err, title)
      return false
    } finally {
      busy.value = false
    }
  }

  const createProject = (path: string, name?: string) =>
    run('Could not create the project', () => studio().api.createProject(name ? { path, name } : { path }))
  const openProject = (path: string) =>
    run('Could not open the project', () => studio().api.openProject({ path }))
  const closeProject = () =>
    run('Could not close the project', async () => {
      await studio().api.closeProject({})
      return null
    })

  /** Native folder picker (Electron); null when cancelled or unavailable. */
  async function pickDirectory(title: string): Promise<string | null> {
    if (!info.value?.capabilities.pickDirectory) return null
    try {
      return (await studio().api.pickDirectory({ title })).path
    } catch (err) {
      useToastStore().error(err, 'Could not open the folder picker')
      return null
    }
  }

  /** Native file picker (Electron) for files ending in one of `extensions`; null when cancelled or unavailable. */
  async function pickFile(title: string, extensions: string[]): Promise<string | null> {
    if (!info.value?.capabilities.pickFile) return null
    try {
      return (await studio().api.pickFile({ title, extensions })).path
    } catch (err) {
      useToastStore().error(err, 'Could not open the file picker')
      return null
    }
  }

  return {
    info,
    recent,
    state,
    loadError,
    busy,
    connection,
    folderProblem,
    project,
    init,
    refreshRecent,
    setProject,
    createProject,
    openProject,
    closeProject,
    pickDirectory,
    pickFile,
  }
})
