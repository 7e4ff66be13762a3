/**
 * Preload (sandboxed, context-isolated): exposes `window.studio` with one named function per API
 * method plus `on(event, cb)`. No raw `invoke`/`send` reaches the page, so a compromised renderer can
 * only call the contract's methods, and the main process validates their arguments anyway.
 *
 * A failed call rejects with the plain `ApiErrorPayload` object `{code, message, issues?}`: the
 * context bridge keeps only the message of an Error, but copies plain objects whole.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { StudioEventName } from '../shared/api'
import { EVENT_CHANNEL, apiChannel, type EventMessage, type IpcResult } from '../main/electron/channels'
import type { StudioBridge } from './bridge'
import { EVENT_NAME_LIST, METHOD_NAMES } from '../shared/api-names'

async function call(channel: string, args: unknown): Promise<unknown> {
  const reply = (await ipcRenderer.invoke(channel, args ?? {})) as IpcResult
  if (reply.ok) return reply.result
  throw reply.error
}

// One IPC listener fans out to the page's subscribers (one per `on` call would pile up listeners).
const subscribers = new Map<StudioEventName, Set<(payload: unknown) => void>>()
ipcRenderer.on(EVENT_CHANNEL, (_event: IpcRendererEvent, message: EventMessage) => {
  const set = subscribers.get(message.event)
  if (!set) return
  for (const cb of [...set]) {
    try {
      cb(message.payload)
    } catch (err) {
      console.error(`studio.on('${message.event}') listener failed:`, err)
    }
  }
})

function on(event: StudioEventName, cb: (payload: unknown) => void): () => void {
  if (!(EVENT_NAME_LIST as readonly string[]).includes(event)) {
    throw new Error(`unknown studio event "${String(event)}"; known: ${EVENT_NAME_LIST.join(', ')}`)
  }
  if (typeof cb !== 'function') throw new Error('studio.on needs a callback function')
  let set = subscribers.get(event)
  if (!set) {
    set = new Set()
    subscribers.set(event, set)
  }
  set.add(cb)
  return () => {
    set.delete(cb)
  }
}

const methods = Object.fromEntries(
  METHOD_NAMES.map((method) => [method, (args?: unknown) => call(apiChannel(method), args)]),
)
const bridge = { ...methods, on, mode: 'electron' } as unknown as StudioBridge

contextBridge.exposeInMainWorld('studio', bridge)
