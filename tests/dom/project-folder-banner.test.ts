/**
 * The moved-folder banner: shown while the core reports the open project's folder moved or deleted, with
 * Reopen (the same path) and Close; hidden otherwise. The core is a fake transport that records calls.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, nextTick, type App } from 'vue'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import ProjectFolderBanner from '../../src/renderer/src/components/ProjectFolderBanner.vue'
import { createClient, setStudioClient, type Transport } from '../../src/renderer/src/api-client'
import { useAppStore } from '../../src/renderer/src/stores/app'
import type { AppInfo, ProjectInfo } from '../../src/shared/api'

const project: ProjectInfo = { path: '/p', name: 'Holiday', schemaVersion: 1, createdAt: '', demo: false }
const PROBLEM = 'the project folder /p was moved or deleted while it was open (/p no longer exists); …'

let calls: string[] = []
let app: App | null = null
let host: HTMLElement
let pinia: Pinia

function transport(info: AppInfo): Transport {
  return {
    kind: 'http',
    call: (async (method: string) => {
      calls.push(method)
      if (method === 'appInfo') return info
      if (method === 'recentProjects') return []
      if (method === 'openProject') return project
      if (method === 'closeProject') return { closed: true }
      throw new Error(`unexpected call ${method}`)
    }) as Transport['call'],
    on: () => () => {},
    onConnection: () => () => {},
    mediaUrl: (ref) => ref,
  }
}

async function mount(info: AppInfo): Promise<ReturnType<typeof useAppStore>> {
  pinia = createPinia()
  setActivePinia(pinia)
  setStudioClient(createClient(transport(info)))
  const store = useAppStore()
  await store.init()
  host = document.createElement('div')
  document.body.appendChild(host)
  app = createApp(ProjectFolderBanner)
  app.use(pinia)
  app.mount(host)
  await nextTick()
  return store
}

const banner = (): HTMLElement | null => host.querySelector('[data-testid="project-folder-banner"]')
const flush = () => new Promise((r) => setTimeout(r, 0))

beforeEach(() => {
  calls = []
})
afterEach(() => {
  app?.unmount()
  app = null
  host?.remove()
})

describe('ProjectFolderBanner', () => {
  const base: AppInfo = {
    name: 'PSS Studio',
    version: '0',
    mode: 'browser',
    capabilities: { pickDirectory: false },
    project,
    backend: null,
  }

  it('is hidden while the folder is in place', async () => {
    await mount(base)
    expect(banner()).toBeNull()
  })

  it('shows the problem from appInfo (after a reload) and reopens the same path', async () => {
    const store = await mount({ ...base, project: { ...project, folderProblem: PROBLEM } })
    expect(banner()?.textContent).toContain('The project folder was moved or deleted — reopen or close.')
    expect(banner()?.textContent).toContain(PROBLEM)
    host.querySelector<HTMLButtonElement>('[data-testid="project-folder-reopen"]')!.click()
    await flush()
    await nextTick()
    expect(calls).toContain('openProject')
    expect(store.folderProblem).toBeNull()
    expect(banner()).toBeNull()
  })

  it('closes the project from the banner', async () => {
    const store = await mount(base)
    store.folderProblem = PROBLEM
    await nextTick()
    expect(banner()).not.toBeNull()
    host.querySelector<HTMLButtonElement>('[data-testid="project-folder-close"]')!.click()
    await flush()
    await nextTick()
    expect(calls).toContain('closeProject')
    expect(store.project).toBeNull()
    expect(banner()).toBeNull()
  })
})
