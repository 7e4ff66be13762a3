/**
 * Stores follow the core's events: jobs, library lists, the grid and the open project. The client is
 * the real HTTP transport over a fake fetch + fake WebSocket (the network boundary).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { createClient, setStudioClient, type StudioClient } from '../../src/renderer/src/api-client'
import { createHttpTransport, type SocketHandlers } from '../../src/renderer/src/api/http-transport'
import { useAppStore } from '../../src/renderer/src/stores/app'
import { wireEvents } from '../../src/renderer/src/stores/events'
import { PAGE_SIZE, useGridStore } from '../../src/renderer/src/stores/grid'
import { useJobStore } from '../../src/renderer/src/stores/jobs'
import { useLibraryStore } from '../../src/renderer/src/stores/library'
import { useToastStore } from '../../src/renderer/src/stores/toasts'
import type { Album, AppInfo, ImageRecord, JobRecord, ProjectInfo } from '../../src/shared/api'

const project: ProjectInfo = {
  path: '/p',
  name: 'Holiday',
  schemaVersion: 1,
  createdAt: '2024-01-01T00:00:00Z',
  demo: false,
}

function album(id: number, imageCount: number): Album {
  return {
    id,
    name: `album ${id}`,
    userId: null,
    createdAt: '',
    imageCount,
    maskedCount: 0,
    validationCount: 0,
    validationMaskedCount: 0,
    splitId: null,
    clusteringCount: 0,
  }
}

function image(id: number): ImageRecord {
  return {
    id,
    albumId: 1,
    sourceId: null,
    name: `img-${id}.jpg`,
    width: 64,
    height: 48,
    orientation: 1,
    bytes: 1000,
    hash: 'ab'.repeat(32),
    tags: [],
    hasMask: false,
    maskVersion: null,
    inValidation: false,
    cluster: null,
    media: { image: `image/${id}`, thumb: `thumb/${id}`, mask: null },
  }
}

function job(over: Partial<JobRecord>): JobRecord {
  return {
    id: 5,
    kind: 'import-folder',
    title: 'Import folder “trip”',
    status: 'running',
    progress: { done: 10, total: 40, rate: 12.5, etaSeconds: 2.4, message: '' },
    createdAt: '',
    startedAt: '',
    finishedAt: null,
    error: null,
    problems: [],
    problemCount: 0,
    result: null,
    ...over,
  }
}

/** A tiny in-memory server behind the fake fetch. */
function backend() {
  const state = {
    albums: [album(1, 3)],
    imageCount: 3,
    slowAll: false,
    calls: [] as { method: string; args: Record<string, unknown> }[],
  }
  const info: AppInfo = {
    name: 'PSS Studio',
    version: '0.1.0',
    mode: 'browser',
    capabilities: { pickDirectory: false },
    project,
    backend: null,
  }
  const handle = (method: string, args: Record<string, unknown>): unknown => {
    state.calls.push({ method, args })
    switch (method) {
      case 'appInfo':
        return info
      case 'recentProjects':
        return []
      case 'listAlbums':
        return state.albums
      case 'listSources':
        return []
      case 'listJobs':
        return []
      case 'listImages': {
        const offset = Number(args.offset ?? 0)
        const total = args.filter === 'masked' ? 1 : state.imageCount
        const n = Math.max(0, Math.min(Number(args.limit ?? PAGE_SIZE), total - offset))
        return { total, offset, items: Array.from({ length: n }, (_, i) => image(offset + i + 1)) }
      }
      default:
        throw new Error(`unexpected call ${method}`)
    }
  }
  const sockets: SocketHandlers[] = []
  const transport = createHttpTransport({
    baseUrl: 'http://127.0.0.1:9',
    token: 't',
    fetch: async (url, init) => {
      const method = url.split('/api/')[1]!
      const args = JSON.parse(init.body) as Record<string, unknown>
      const body = JSON.stringify({ result: handle(method, args) })
      // Unfiltered pages answer slowly, so a test can make an old query's answer arrive last.
      if (method === 'listImages' && args.filter === 'all' && state.slowAll)
        await new Promise((r) => setTimeout(r, 50))
      return { ok: true, status: 200, text: async () => body }
    },
    socket: (_url, h) => {
      sockets.push(h)
      return { close: () => {} }
    },
    setTimer: (fn, ms) => setTimeout(fn, ms),
  })
  const emit = (event: string, payload: unknown) =>
    sockets.at(-1)!.message(JSON.stringify({ event, payload }))
  const count = (method: string) => state.calls.filter((c) => c.method === method).length
  return { state, transport, sockets, emit, count }
}

let server: ReturnType<typeof backend>
let client: StudioClient
let unwire: () => void

beforeEach(() => {
  vi.useFakeTimers()
  setActivePinia(createPinia())
  server = backend()
  client = createClient(server.transport)
  setStudioClient(client)
  unwire = wireEvents(client)
  server.sockets[0]!.open()
})
afterEach(() => {
  unwire()
  setStudioClient(null)
  vi.useRealTimers()
})

describe('jobs store from job events', () => {
  it('shows a running job, then its end with the refused files', async () => {
    const jobs = useJobStore()
    const toasts = useToastStore()
    server.emit('job', job({}))
    expect(jobs.active.map((j) => j.id)).toEqual([5])
    expect(jobs.active[0]!.progress.done).toBe(10)
    // Progress events never open the drawer (it opens only for a job started from this tab).
    expect(jobs.panelOpen).toBe(false)

    server.emit('job', job({ progress: { done: 30, total: 40, rate: 15, etaSeconds: 0.7, message: '' } }))
    expect(jobs.jobs).toHaveLength(1)
    expect(jobs.active[0]!.progress.done).toBe(30)

    const problems = [
      { file: 'broken.jpg', reason: 'not a readable image: premature end of JPEG data' },
      { file: 'photo.jpg', reason: 'not an image (text file)' },
    ]
    server.emit(
      'job',
      job({
        status: 'done',
        problems,
        problemCount: 2,
        result: { albumIds: [1], sourceIds: [], imported: 38, duplicates: 0, masks: 0, rejected: 2 },
      }),
    )
    expect(jobs.active).toHaveLength(0)
    expect(jobs.finished[0]!.problems).toEqual(problems)
    const t = toasts.toasts.at(-1)!
    expect(t.kind).toBe('warning')
    expect(t.message).toBe('Imported 38 images · 2 files not imported')
    // the same end event again (e.g. after a reconnect) is not announced twice
    server.emit('job', job({ status: 'done', problems, problemCount: 2 }))
    expect(toasts.toasts.filter((x) => x.kind === 'warning')).toHaveLength(1)
  })

  it('announces a failed job as an error with its message', () => {
    server.emit('job', job({ id: 9, status: 'failed', error: 'folder /x does not exist' }))
    const t = useToastStore().toasts.at(-1)!
    expect(t.kind).toBe('error')
    expect(t.message).toContain('folder /x does not exist')
  })
})

describe('library and grid from library events', () => {
  it('refreshes the album list (coalesced) and the grid showing that album', async () => {
    const library = useLibraryStore()
    const grid = useGridStore()
    await library.load()
    grid.setTarget({ kind: 'album', id: 1 })
    await vi.advanceTimersByTimeAsync(0)
    expect(grid.total).toBe(3)
    expect(grid.itemAt(2)!.name).toBe('img-3.jpg')
    const albumsBefore = server.count('listAlbums')
    const imagesBefore = server.count('listImages')

    server.state.albums = [album(1, 5)]
    server.state.imageCount = 5
    for (let i = 0; i < 10; i++) server.emit('library', { albumId: 1, reason: 'import progress' })
    await vi.advanceTimersByTimeAsync(1000)

    expect(server.count('listAlbums') - albumsBefore).toBe(1)
    expect(server.count('listImages') - imagesBefore).toBe(1)
    expect(library.albums[0]!.imageCount).toBe(5)
    expect(grid.total).toBe(5)
    expect(grid.itemAt(4)!.name).toBe('img-5.jpg')
  })

  it('leaves the grid alone for another album', async () => {
    const grid = useGridStore()
    grid.setTarget({ kind: 'album', id: 1 })
    await vi.advanceTimersByTimeAsync(0)
    const before = server.count('listImages')
    server.emit('library', { albumId: 2, reason: 'import' })
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.count('listImages')).toBe(before)
  })

  it('drops answers to an older query', async () => {
    const grid = useGridStore()
    server.state.slowAll = true
    grid.setTarget({ kind: 'album', id: 1 }) // 'all' answers in 50 ms…
    grid.setQuery({ filter: 'masked' }) // …after 'masked' has answered
    await vi.advanceTimersByTimeAsync(100)
    expect(grid.total).toBe(1)
    expect(grid.pages.size).toBe(1)
    expect(grid.pages.get(0)).toHaveLength(1)
    const last = server.state.calls.filter((c) => c.method === 'listImages').at(-1)!
    expect(last.args.filter).toBe('masked')
  })
})

describe('app store from project events', () => {
  it('follows the open project', async () => {
    const app = useAppStore()
    await app.init()
    expect(app.state).toBe('ready')
    expect(app.project?.name).toBe('Holiday')
    server.emit('project', null)
    expect(app.project).toBeNull()
    server.emit('project', { ...project, name: 'Other' })
    expect(app.project?.name).toBe('Other')
  })

  it('holds the moved-folder problem from the projectFolder event until a project event answers it', async () => {
    const app = useAppStore()
    await app.init()
    expect(app.folderProblem).toBeNull()
    const message = 'the project folder /p was moved or deleted while it was open (/p no longer exists); …'
    server.emit('projectFolder', { path: '/p', message })
    expect(app.folderProblem).toBe(message)
    expect(app.project?.name).toBe('Holiday')
    server.emit('project', null)
    expect(app.folderProblem).toBeNull()
  })

  it('reloads jobs and lists after the event stream reconnects', async () => {
    const app = useAppStore()
    await app.init()
    const jobsBefore = server.count('listJobs')
    server.sockets[0]!.close()
    expect(app.connection).toBe('reconnecting')
    await vi.advanceTimersByTimeAsync(300)
    server.sockets[1]!.open()
    expect(app.connection).toBe('open')
    await vi.advanceTimersByTimeAsync(1000)
    expect(server.count('listJobs')).toBe(jobsBefore + 1)
  })
})
