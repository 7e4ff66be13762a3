/**
 * "Add a source model" from the run form (issue 14 item 4), against a fake core that records calls: the
 * studio's inspection of a .pth is shown (architecture, parameters, classes, sha256) before "Add"; a file
 * the core refuses shows its message and nothing is added; a relative path is caught before any call;
 * after "Add" the run form's Source list holds the new model, selected; the Source list also reloads when
 * the core announces a model added elsewhere (a finished download); "Get torchvision model" lists the
 * published checkpoints and starts the download job with the chosen file, opening the jobs drawer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, nextTick, type App } from 'vue'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import RunStartForm from '../../src/renderer/src/runs/RunStartForm.vue'
import { createClient, setStudioClient, StudioError, type Transport } from '../../src/renderer/src/api-client'
import { wireEvents } from '../../src/renderer/src/stores/events'
import { useJobStore } from '../../src/renderer/src/stores/jobs'
import {
  SOURCE_MODEL_ADDED,
  type SourceModel,
  type SourceModelInspection,
} from '../../src/shared/source-models'
import { TORCHVISION_CHECKPOINTS } from '../../src/shared/torchvision-models'
import { formatProgressStats } from '../../src/renderer/src/format'

const GOOD = '/models/lraspp.pth'
const BAD = '/models/half.pth'
const SHA = 'd234d4ea'.padEnd(64, '0')
const REFUSAL = `${BAD}: truncated zip archive (no end-of-central-directory record); nothing was added`

let calls: { method: string; args: unknown }[] = []
let models: SourceModel[] = []
let libraryListeners: ((e: unknown) => void)[] = []
let app: App | null = null
let host: HTMLElement
let pinia: Pinia
let unwire: (() => void) | null = null

function model(id: number, name: string): SourceModel {
  return {
    id,
    name,
    arch: 'lraspp_mobilenet_v3_large',
    classes: 21,
    parameterCount: 3_221_538,
    hasAux: false,
    sha256: SHA,
    file: `models/${name}.pth`,
    originalPath: GOOD,
    bytes: 13_000_000,
    tensors: 150,
    wrappedIn: null,
    strippedPrefix: null,
    addedAt: '',
  }
}

const inspection: SourceModelInspection = {
  file: GOOD,
  name: 'lraspp',
  arch: 'lraspp_mobilenet_v3_large',
  classes: 21,
  parameterCount: 3_221_538,
  hasAux: false,
  sha256: SHA,
  bytes: 13_000_000,
  tensors: 150,
  runnable: true,
  duplicateOf: null,
}

function transport(): Transport {
  return {
    kind: 'http',
    call: (async (method: string, args: unknown) => {
      calls.push({ method, args })
      switch (method) {
        case 'listSourceModels':
          return models
        case 'inspectSourceModel':
          if ((args as { path: string }).path === GOOD) return inspection
          throw new StudioError('BAD_ARGUMENTS', REFUSAL)
        case 'addSourceModel': {
          const m = model(models.length + 1, (args as { name: string }).name)
          models = [...models, m]
          return m
        }
        case 'downloadTorchvisionModel':
          return { jobId: 9 }
        default:
          return []
      }
    }) as Transport['call'],
    on: ((event: string, cb: (e: unknown) => void) => {
      if (event === 'library') libraryListeners.push(cb)
      return () => {}
    }) as Transport['on'],
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
  document.body.querySelector<T>(`[data-testid="${id}"]`)
const called = (method: string) => calls.filter((c) => c.method === method)

function type(id: string, value: string): void {
  const input = q<HTMLInputElement>(id)!
  input.value = value
  input.dispatchEvent(new Event('input'))
}

async function mount(): Promise<void> {
  pinia = createPinia()
  setActivePinia(pinia)
  const client = createClient(transport())
  setStudioClient(client)
  unwire = wireEvents(client)
  host = document.createElement('div')
  document.body.appendChild(host)
  app = createApp(RunStartForm, { albumId: 1, validationMasked: 2 })
  app.use(pinia)
  app.mount(host)
  await flush()
}

async function openDialog(): Promise<void> {
  q('run-add-source-model')!.click()
  await flush()
  expect(q('add-source-model')).not.toBeNull()
}

beforeEach(() => {
  calls = []
  models = []
  libraryListeners = []
  localStorage.clear()
})
afterEach(() => {
  unwire?.()
  app?.unmount()
  app = null
  host?.remove()
})

describe('Add a source model', () => {
  it('shows what the studio found before Add, then the Source list holds the new model, selected', async () => {
    await mount()
    expect(q('run-source-model')).toBeNull()
    await openDialog()
    expect(q<HTMLButtonElement>('add-model-submit')!.disabled).toBe(true)
    type('add-model-path', GOOD)
    await flush()
    q('add-model-inspect')!.click()
    await flush()
    expect(called('inspectSourceModel').map((c) => c.args)).toEqual([{ path: GOOD }])
    expect(called('addSourceModel')).toEqual([])
    expect(q('add-model-arch')!.textContent).toContain('lraspp_mobilenet_v3_large')
    expect(q('add-model-params')!.textContent).toBe('3,221,538')
    expect(q('add-model-classes')!.textContent).toContain('21')
    expect(q('add-model-sha')!.textContent).toBe(SHA)
    type('add-model-name', 'LR-ASPP VOC')
    await flush()
    q('add-model-submit')!.click()
    await flush()
    expect(called('addSourceModel').map((c) => c.args)).toEqual([{ path: GOOD, name: 'LR-ASPP VOC' }])
    expect(q('add-source-model')).toBeNull()
    const select = q<HTMLSelectElement>('run-source-model')!
    expect([...select.options].map((o) => o.textContent)).toEqual([
      'train a source model',
      'LR-ASPP VOC (lraspp_mobilenet_v3_large)',
    ])
    expect(select.value).toBe('1')
  })

  it('shows the core refusal of a bad file and adds nothing', async () => {
    await mount()
    await openDialog()
    type('add-model-path', BAD)
    await flush()
    q('add-model-inspect')!.click()
    await flush()
    expect(q('add-model-error')!.textContent).toContain(REFUSAL)
    expect(q('add-model-found')).toBeNull()
    expect(q<HTMLButtonElement>('add-model-submit')!.disabled).toBe(true)
    expect(called('addSourceModel')).toEqual([])
  })

  it('asks for a full path before calling the core', async () => {
    await mount()
    await openDialog()
    type('add-model-path', 'models/lraspp.pth')
    await flush()
    expect(q('add-model-path-hint')!.textContent).toMatch(/full path/)
    expect(q<HTMLButtonElement>('add-model-inspect')!.disabled).toBe(true)
    expect(called('inspectSourceModel')).toEqual([])
  })

  it('reloads the Source list when the core announces a model added elsewhere', async () => {
    await mount()
    expect(q('run-source-model')).toBeNull()
    models = [model(1, 'downloaded')]
    for (const l of libraryListeners) l({ reason: 'tags changed' })
    await flush()
    expect(q('run-source-model')).toBeNull()
    for (const l of libraryListeners) l({ reason: SOURCE_MODEL_ADDED })
    await flush()
    expect([...q<HTMLSelectElement>('run-source-model')!.options].map((o) => o.textContent)).toContain(
      'downloaded (lraspp_mobilenet_v3_large)',
    )
  })

  it('lists the torchvision checkpoints and starts the chosen download as a job', async () => {
    await mount()
    await openDialog()
    q('add-model-tab-torchvision')!.click()
    await flush()
    const items = q('torchvision-list')!.querySelectorAll('li')
    expect(items.length).toBe(TORCHVISION_CHECKPOINTS.length)
    expect(q('torchvision-lraspp_mobilenet_v3_large')!.textContent).toContain(
      'lraspp_mobilenet_v3_large-d234d4ea.pth',
    )
    q('torchvision-get-deeplabv3_mobilenet_v3_large')!.click()
    await flush()
    expect(called('downloadTorchvisionModel').map((c) => c.args)).toEqual([
      { file: 'deeplabv3_mobilenet_v3_large-fc3c493d.pth' },
    ])
    expect(useJobStore().panelOpen).toBe(true)
    expect(q('add-source-model')).toBeNull()
  })
})

describe('download progress', () => {
  it('reads as bytes per second, not images', () => {
    expect(formatProgressStats({ rate: 1.5 * 1024 * 1024, unit: 'bytes', etaSeconds: null })).toBe('1.5 MB/s')
    expect(formatProgressStats({ rate: 3, unit: 'images', etaSeconds: null })).toBe('3.0 img/s')
  })
})
