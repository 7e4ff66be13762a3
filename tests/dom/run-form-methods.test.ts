/**
 * The run form's methods come from the studio method table (src/shared/methods.ts): every row is an
 * option, in table order, with its label and its summary as the tooltip; the adaptation iterations field
 * shows (and is sent) exactly for the methods whose step trains something after the source model.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, nextTick, type App } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import RunStartForm from '../../src/renderer/src/runs/RunStartForm.vue'
import { createClient, setStudioClient, type Transport } from '../../src/renderer/src/api-client'
import { STUDIO_METHOD_NAMES, STUDIO_METHODS } from '../../src/shared/methods'

let calls: { method: string; args: unknown }[] = []
let app: App | null = null
let host: HTMLElement

function transport(): Transport {
  return {
    kind: 'http',
    call: (async (method: string, args: unknown) => {
      calls.push({ method, args })
      return method === 'startRun' ? { jobId: 1, runId: 2 } : []
    }) as Transport['call'],
    on: (() => () => {}) as Transport['on'],
    onConnection: () => () => {},
    mediaUrl: (ref) => ref,
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 0))
    await nextTick()
  }
}
const q = <T extends HTMLElement = HTMLElement>(id: string): T | null =>
  host.querySelector<T>(`[data-testid="${id}"]`)

async function pick(method: string): Promise<void> {
  const select = q<HTMLSelectElement>('run-method')!
  select.value = method
  select.dispatchEvent(new Event('change'))
  await flush()
}

async function start(): Promise<Record<string, unknown>> {
  calls = []
  q<HTMLButtonElement>('run-start')!.click()
  await flush()
  const started = calls.filter((c) => c.method === 'startRun')
  expect(started).toHaveLength(1)
  return started[0]!.args as Record<string, unknown>
}

beforeEach(async () => {
  calls = []
  const pinia = createPinia()
  setActivePinia(pinia)
  setStudioClient(createClient(transport()))
  host = document.createElement('div')
  document.body.appendChild(host)
  app = createApp(RunStartForm, { albumId: 1, validationMasked: 2 })
  app.use(pinia)
  app.mount(host)
  await flush()
})

afterEach(() => {
  app?.unmount()
  app = null
  host.remove()
})

describe('run form methods', () => {
  it('lists every studio method in table order, with its label and summary', () => {
    const options = [...q<HTMLSelectElement>('run-method')!.options]
    expect(options.map((o) => o.value)).toEqual([...STUDIO_METHOD_NAMES])
    expect(options.map((o) => o.text.trim())).toEqual(STUDIO_METHOD_NAMES.map((m) => STUDIO_METHODS[m].label))
    expect(options.map((o) => o.title)).toEqual(STUDIO_METHOD_NAMES.map((m) => STUDIO_METHODS[m].summary))
  })

  it('asks for adaptation iterations only for methods that train a step of their own', async () => {
    for (const m of STUDIO_METHOD_NAMES) {
      await pick(m)
      const trains = STUDIO_METHODS[m].step !== 'none'
      expect([m, q('run-adapt-iterations') !== null]).toEqual([m, trains])
      const args = await start()
      expect([m, args.method, 'adaptIterations' in args]).toEqual([m, m, trains])
    }
  })
})
