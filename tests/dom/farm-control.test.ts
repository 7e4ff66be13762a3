/**
 * The runs header's farm chip (issue 18 item 1), against a fake core that records calls and keeps farm
 * mode's state as the real one does: the chip says runs execute on this machine; enabling sends the typed
 * URL to setFarm and the chip then shows the core's redacted address (never the typed password), the field
 * is cleared and an empty field keeps the stored address; a farm that does not answer shows the core's
 * message, the chip stays on this machine and the failed check is shown; "Use this machine" turns it off.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, nextTick, type App } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import FarmControl from '../../src/renderer/src/runs/FarmControl.vue'
import { createClient, setStudioClient, StudioError, type Transport } from '../../src/renderer/src/api-client'
import type { FarmStatus } from '../../src/shared/farm'

const GOOD = 'redis://:s3cret@farm.lan:6380'
const GOOD_WHERE = 'redis://***@farm.lan:6380/0'
const DEAD = 'redis://:s3cret@farm.lan:6999'
const DEAD_WHERE = 'redis://***@farm.lan:6999/0'
const DEAD_WHY = `the farm at ${DEAD_WHERE} did not answer in 5 s`

let calls: { method: string; args: unknown }[] = []
let state: FarmStatus
let app: App | null = null
let host: HTMLElement
/** Holds setFarm's answer until released (to see the busy state). */
let hold: Promise<void> | null = null
/** When set, farmStatus fails with this message. */
let statusFails: string | null = null

const at = '2026-12-07T22:00:00.000Z'

function transport(): Transport {
  return {
    kind: 'http',
    call: (async (method: string, args: unknown) => {
      calls.push({ method, args })
      switch (method) {
        case 'farmStatus':
          if (statusFails) throw new StudioError('INTERNAL', statusFails)
          return state
        case 'setFarm': {
          if (hold) await hold
          const a = args as { enabled: boolean; url?: string }
          const url = a.url ?? null
          if (url !== null && !url.startsWith('redis://'))
            throw new StudioError('BAD_ARGUMENTS', `the farm's URL must start with redis:// or rediss://`)
          const where = url === GOOD ? GOOD_WHERE : url === DEAD ? DEAD_WHERE : state.where
          // As the core does (farm-mode.ts): a farm that does not answer changes nothing.
          if (a.enabled && where === DEAD_WHERE) {
            const was = state
            state = { ...was, check: { ok: false, message: DEAD_WHY, at } }
            throw new StudioError(
              'BAD_ARGUMENTS',
              was.enabled
                ? `${DEAD_WHY}; runs still go to the farm at ${was.where}`
                : `farm mode stays off: ${DEAD_WHY}`,
            )
          }
          state = {
            enabled: a.enabled,
            where,
            check: a.enabled ? { ok: true, message: `connected to ${where}`, at } : null,
          }
          return state
        }
        default:
          throw new StudioError('NOT_FOUND', `unexpected call ${method}`)
      }
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
  document.body.querySelector<T>(`[data-testid="${id}"]`)
const called = (method: string) => calls.filter((c) => c.method === method)

function type(id: string, value: string): void {
  const input = q<HTMLInputElement>(id)!
  input.value = value
  input.dispatchEvent(new Event('input'))
}

async function mount(): Promise<void> {
  setActivePinia(createPinia())
  setStudioClient(createClient(transport()))
  host = document.createElement('div')
  document.body.appendChild(host)
  app = createApp(FarmControl)
  app.mount(host)
  await flush()
}

async function openDialog(): Promise<void> {
  q('farm-chip')!.click()
  await flush()
  expect(q('farm-dialog')).not.toBeNull()
}

beforeEach(() => {
  calls = []
  hold = null
  statusFails = null
  state = { enabled: false, where: null, check: null }
})
afterEach(() => {
  app?.unmount()
  app = null
  host?.remove()
  setStudioClient(null)
})

describe('Farm control', () => {
  it('says runs execute on this machine in local mode', async () => {
    await mount()
    expect(called('farmStatus')).toHaveLength(1)
    const chip = q('farm-chip')!
    expect(chip.textContent!.trim()).toBe('Runs on this machine')
    expect(chip.dataset.mode).toBe('local')
    await openDialog()
    expect(q('farm-now')!.textContent).toContain('Runs execute on this machine.')
    expect(q<HTMLInputElement>('farm-url')!.value).toBe('')
    expect(q('farm-explain')!.textContent).toContain('pss-studio worker --redis URL')
    // Nothing to enable without an address, nothing to turn off in local mode.
    expect(q<HTMLButtonElement>('farm-enable')!.disabled).toBe(true)
    expect(q<HTMLButtonElement>('farm-use-local')!.disabled).toBe(true)
    expect(q('farm-check')).toBeNull()
    expect(called('setFarm')).toEqual([])
  })

  it('enables farm mode with the typed URL and shows only the redacted address', async () => {
    await mount()
    await openDialog()
    type('farm-url', `  ${GOOD} `)
    await flush()
    let release = (): void => {}
    hold = new Promise((r) => (release = r))
    q('farm-enable')!.click()
    await flush()
    // Busy while the core checks the farm.
    expect(q('farm-enable')!.textContent!.trim()).toBe('Checking the farm…')
    expect(q<HTMLButtonElement>('farm-enable')!.disabled).toBe(true)
    expect(q<HTMLInputElement>('farm-url')!.disabled).toBe(true)
    release()
    await flush()
    expect(called('setFarm').map((c) => c.args)).toEqual([{ enabled: true, url: GOOD }])
    const chip = q('farm-chip')!
    expect(chip.textContent!.trim()).toBe(`Runs on the farm · ${GOOD_WHERE}`)
    expect(chip.dataset.mode).toBe('farm')
    expect(q('farm-check')!.textContent).toContain(`connected to ${GOOD_WHERE}`)
    expect(q('farm-check')!.dataset.ok).toBe('true')
    expect(q<HTMLInputElement>('farm-url')!.value).toBe('')
    expect(document.body.innerHTML).not.toContain('s3cret')

    // Reopened: the field starts empty and says the stored address is kept; enabling again sends no URL.
    q('farm-dialog-x')!.click()
    await flush()
    expect(q('farm-dialog')).toBeNull()
    await openDialog()
    expect(q<HTMLInputElement>('farm-url')!.value).toBe('')
    expect(q('farm-url-hint')!.textContent).toContain('Leave empty to keep the stored address')
    expect(q('farm-url-hint')!.textContent).toContain(GOOD_WHERE)
    expect(q('farm-enable')!.textContent!.trim()).toBe('Check the farm')
    q('farm-enable')!.click()
    await flush()
    expect(called('setFarm').map((c) => c.args)[1]).toEqual({ enabled: true })

    q('farm-use-local')!.click()
    await flush()
    expect(called('setFarm').map((c) => c.args)[2]).toEqual({ enabled: false })
    expect(q('farm-chip')!.textContent!.trim()).toBe('Runs on this machine')
    expect(q('farm-now')!.textContent).toContain(`The stored farm address, ${GOOD_WHERE}, is not in use.`)
  })

  it('shows the core refusal when the farm does not answer and stays on this machine', async () => {
    await mount()
    await openDialog()
    type('farm-url', DEAD)
    await flush()
    q('farm-enable')!.click()
    await flush()
    expect(called('setFarm').map((c) => c.args)).toEqual([{ enabled: true, url: DEAD }])
    const error = q('farm-error')!
    expect(error.textContent).toContain('Farm mode was not turned on.')
    expect(error.textContent).toContain(`farm mode stays off: ${DEAD_WHY}`)
    expect(q('farm-chip')!.textContent!.trim()).toBe('Runs on this machine')
    expect(q('farm-chip')!.dataset.mode).toBe('local')
    // The typed URL (with its password) is not kept, and the refused address is not stored.
    expect(q<HTMLInputElement>('farm-url')!.value).toBe('')
    expect(q('farm-url-hint')?.textContent ?? '').not.toContain(DEAD_WHERE)
    expect(document.body.innerHTML).not.toContain('s3cret')
    // Nothing stored and nothing typed: there is no farm to enable.
    expect(q<HTMLButtonElement>('farm-enable')!.disabled).toBe(true)
    expect(q('farm-enable')!.textContent!.trim()).toBe('Enable farm mode')

    // A bad URL: the core's message, nothing switched.
    type('farm-url', 'http://farm.lan')
    await flush()
    q('farm-enable')!.click()
    await flush()
    expect(q('farm-error')!.textContent).toContain('must start with redis:// or rediss://')
    expect(q('farm-chip')!.dataset.mode).toBe('local')

    // Reopened, the failed check is shown (no error pending).
    q('farm-dialog-x')!.click()
    await flush()
    await openDialog()
    expect(q('farm-error')).toBeNull()
    expect(q('farm-check')!.textContent).toContain(`Last check failed: ${DEAD_WHY}`)
    expect(q('farm-check')!.dataset.ok).toBe('false')
  })

  it('a switch to a farm that does not answer changes nothing: runs still go to the old farm', async () => {
    state = { enabled: true, where: GOOD_WHERE, check: null }
    await mount()
    expect(q('farm-chip')!.textContent!.trim()).toBe(`Runs on the farm · ${GOOD_WHERE}`)
    await openDialog()
    type('farm-url', DEAD)
    await flush()
    expect(q('farm-enable')!.textContent!.trim()).toBe('Switch to this farm')
    q('farm-enable')!.click()
    await flush()
    expect(q('farm-error')!.textContent).toContain('Nothing changed.')
    expect(q('farm-error')!.textContent).toContain(`${DEAD_WHY}; runs still go to the farm at ${GOOD_WHERE}`)
    expect(q('farm-chip')!.textContent!.trim()).toBe(`Runs on the farm · ${GOOD_WHERE}`)
  })

  it('names the problem when the farm settings cannot be read', async () => {
    statusFails = 'cannot read /home/me/.config/pss-studio/farm.json: permission denied'
    await mount()
    const chip = q('farm-chip')!
    expect(chip.textContent!.trim()).toBe('Runs: farm settings unreadable')
    expect(chip.classList.contains('err')).toBe(true)
    expect(chip.dataset.mode).toBe('unknown')
    await openDialog()
    expect(q('farm-now')!.textContent).toContain(`cannot read its farm settings: ${statusFails}`)
    statusFails = null
    q('farm-dialog-x')!.click()
    await flush()
    await openDialog()
    expect(q('farm-chip')!.textContent!.trim()).toBe('Runs on this machine')
  })
})
