/**
 * "Personalize every album" on the results page: one `startRuns` call with Personalize's method, and a toast
 * that counts the runs started and names every album left out with the core's reason; a refused call is
 * shown as an error.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, nextTick, type App } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import PersonalizeAllButton from '../../src/renderer/src/results/PersonalizeAllButton.vue'
import { createClient, setStudioClient, StudioError, type Transport } from '../../src/renderer/src/api-client'
import { useToastStore } from '../../src/renderer/src/stores/toasts'
import type { StartedRuns } from '../../src/shared/runs'

let calls: { method: string; args: unknown }[] = []
let app: App | null = null
let host: HTMLElement

function transport(answer: () => StartedRuns): Transport {
  return {
    kind: 'http',
    call: (async (method: string, args: unknown) => {
      calls.push({ method, args })
      if (method === 'startRuns') return answer()
      throw new StudioError('NOT_FOUND', `unexpected call ${method}`)
    }) as Transport['call'],
    on: (() => () => {}) as Transport['on'],
    onConnection: () => () => {},
    mediaUrl: (ref) => ref,
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 0))
    await nextTick()
  }
}

async function clickWith(answer: () => StartedRuns): Promise<ReturnType<typeof useToastStore>> {
  calls = []
  setActivePinia(createPinia())
  setStudioClient(createClient(transport(answer)))
  host = document.createElement('div')
  document.body.appendChild(host)
  app = createApp(PersonalizeAllButton)
  app.mount(host)
  await flush()
  host.querySelector<HTMLButtonElement>('[data-testid="results-personalize-all"]')!.click()
  await flush()
  return useToastStore()
}

afterEach(() => {
  app?.unmount()
  app = null
  host?.remove()
  setStudioClient(null)
})

describe('Personalize every album', () => {
  it('starts Personalize on every album and names the ones left out', async () => {
    const toasts = await clickWith(() => ({
      started: [
        { albumId: 1, runId: 11, jobId: 21 },
        { albumId: 2, runId: 12, jobId: 22 },
      ],
      skipped: [{ albumId: 3, album: 'id3', reason: 'album "id3" has no validation split' }],
    }))
    expect(calls).toEqual([{ method: 'startRuns', args: { method: 'pss' } }])
    const t = toasts.toasts.at(-1)!
    expect(t.kind).toBe('warning')
    expect(t.title).toBe('Personalize started on 2 albums')
    expect(t.message).toBe('Left out — id3: album "id3" has no validation split')
  })

  it('shows a refusal as an error', async () => {
    const toasts = await clickWith(() => {
      throw new StudioError('NO_PROJECT', 'no project is open')
    })
    const t = toasts.toasts.at(-1)!
    expect(t.kind).toBe('error')
    expect(t.message).toContain('no project is open')
  })
})
