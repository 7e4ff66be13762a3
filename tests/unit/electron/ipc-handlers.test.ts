/** The Electron IPC door without Electron: a plain registry object and a real Studio. */
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Studio } from '../../../src/main/app/studio'
import { apiChannel, type EventMessage, type IpcResult } from '../../../src/main/electron/channels'
import { forwardEvents, registerApiHandlers, type IpcRegistry } from '../../../src/main/electron/ipc-handlers'
import { API_METHODS } from '../../../src/shared/api'
import { METHOD_NAMES, EVENT_NAME_LIST } from '../../../src/shared/api-names'
import { EVENT_NAMES } from '../../../src/shared/api'
import { TempDirs } from '../server/helpers'

type Listener = (event: unknown, ...args: unknown[]) => Promise<IpcResult>

class FakeIpc implements IpcRegistry {
  readonly handlers = new Map<string, Listener>()
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`) // as ipcMain does
    this.handlers.set(channel, listener)
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  invoke(channel: string, event: unknown, ...args: unknown[]): Promise<IpcResult> {
    const h = this.handlers.get(channel)
    if (!h) throw new Error(`No handler registered for '${channel}'`)
    return h(event, ...args)
  }
}

const tmp = new TempDirs()
let studio: Studio
let picked: (string | undefined)[]
beforeEach(() => {
  picked = []
  studio = new Studio({
    mode: 'electron',
    homeDir: tmp.make('pss-home-'),
    pickDirectory: async (title) => {
      picked.push(title)
      return '/chosen/folder'
    },
  })
})
afterEach(async () => {
  await studio.close()
  tmp.cleanup()
})

describe('registerApiHandlers', () => {
  it('registers exactly one studio:<method> channel per API method, and removes them again', () => {
    const ipc = new FakeIpc()
    const off = registerApiHandlers(ipc, studio)
    expect([...ipc.handlers.keys()].sort()).toEqual(API_METHODS.map((m) => `studio:${m}`).sort())
    off()
    expect(ipc.handlers.size).toBe(0)
  })

  it('returns {ok:true,result} and keeps error codes and issues as data', async () => {
    const ipc = new FakeIpc()
    registerApiHandlers(ipc, studio)
    const info = await ipc.invoke(apiChannel('appInfo'), {}, {})
    expect(info).toMatchObject({
      ok: true,
      result: { mode: 'electron', capabilities: { pickDirectory: true }, project: null },
    })

    const noProject = await ipc.invoke(apiChannel('listAlbums'), {}, {})
    expect(noProject).toMatchObject({ ok: false, error: { code: 'NO_PROJECT' } })

    const bad = await ipc.invoke(apiChannel('listImages'), {}, { albumId: -1 })
    expect(bad.ok).toBe(false)
    if (!bad.ok) {
      expect(bad.error.code).toBe('BAD_ARGUMENTS')
      expect(bad.error.issues?.some((i) => i.path === 'albumId')).toBe(true)
      // The envelope survives structured cloning (what IPC does to it).
      expect(structuredClone(bad)).toEqual(bad)
    }
    expect(await ipc.invoke(apiChannel('appInfo'), {}, {}, 'second')).toMatchObject({
      ok: false,
      error: { code: 'BAD_ARGUMENTS' },
    })
  })

  it('runs real methods: create a project, then list its albums', async () => {
    const ipc = new FakeIpc()
    registerApiHandlers(ipc, studio)
    const dir = path.join(tmp.make(), 'p')
    const created = await ipc.invoke(apiChannel('createProject'), {}, { path: dir, name: 'Via IPC' })
    expect(created).toMatchObject({ ok: true, result: { path: dir, name: 'Via IPC' } })
    expect(await ipc.invoke(apiChannel('listAlbums'), {}, {})).toEqual({ ok: true, result: [] })
    expect(await ipc.invoke(apiChannel('pickDirectory'), {}, { title: 'Where?' })).toEqual({
      ok: true,
      result: { path: '/chosen/folder' },
    })
    expect(picked).toEqual(['Where?'])
  })

  it('refuses senders the trust check rejects, without running the method', async () => {
    const ipc = new FakeIpc()
    registerApiHandlers(ipc, studio, {
      isTrustedSender: (e) => (e as { trusted?: boolean }).trusted === true,
    })
    const dir = path.join(tmp.make(), 'p')
    const refused = await ipc.invoke(apiChannel('createProject'), { trusted: false }, { path: dir })
    expect(refused).toMatchObject({ ok: false, error: { message: expect.stringMatching(/untrusted frame/) } })
    expect((await studio.api.appInfo({})).project).toBeNull()
    expect(await ipc.invoke(apiChannel('createProject'), { trusted: true }, { path: dir })).toMatchObject({
      ok: true,
    })
  })
})

describe('forwardEvents', () => {
  it('sends every studio event as {event, payload} until unsubscribed', async () => {
    const sent: EventMessage[] = []
    const off = forwardEvents(studio, (m) => sent.push(m))
    const dir = path.join(tmp.make(), 'p')
    await studio.api.createProject({ path: dir })
    await studio.api.closeProject({})
    expect(sent.map((m) => m.event)).toEqual(['project', 'project'])
    expect(sent[0]!.payload).toMatchObject({ path: dir })
    expect(sent[1]!.payload).toBeNull()
    off()
    await studio.api.openProject({ path: dir })
    expect(sent).toHaveLength(2)
  })
})

describe('preload name lists', () => {
  it('match the contract exactly (the preload cannot import it at run time)', () => {
    expect([...METHOD_NAMES].sort()).toEqual([...API_METHODS].sort())
    expect([...EVENT_NAME_LIST].sort()).toEqual([...EVENT_NAMES].sort())
  })
})
