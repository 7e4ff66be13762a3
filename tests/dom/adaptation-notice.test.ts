/**
 * The run page's adaptation notice: a run that kept its source model says so plainly (not as an ordinary
 * result), a stage the collapse detector stopped is listed with its message, and a run with neither (or a
 * No-DA run, without a guard) shows nothing.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, h, type App } from 'vue'
import AdaptationNotice from '../../src/renderer/src/runs/AdaptationNotice.vue'
import type { RunDetail } from '../../src/shared/runs'

let app: App | null = null

afterEach(() => {
  app?.unmount()
  app = null
  document.body.innerHTML = ''
})

function show(config: Record<string, unknown>): HTMLElement {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const run = { id: 7, config } as unknown as RunDetail
  app = createApp({ render: () => h(AdaptationNotice, { run }) })
  app.mount(host)
  return host
}

const STOP = {
  stage: 'minent',
  iteration: 1,
  steps: 8,
  kind: 'background',
  share: 1,
  startShare: 0.973,
  message:
    "stage minent stopped at step 1 of 8: predictions collapsed to background (100.0 % of pixels; 97.3 % at the stage's start)",
}

describe('AdaptationNotice', () => {
  it('says that the run kept its source model, and lists the stopped stage', () => {
    const host = show({
      adaptationGuard: {
        keptSource: true,
        notice: 'adaptation did not help on the held-out half; kept the source model',
        stops: [STOP],
      },
    })
    const box = host.querySelector('[data-testid="adaptation-notice"]')!
    expect(box.getAttribute('data-kept-source')).toBe('true')
    expect(host.querySelector('[data-testid="kept-source-notice"]')!.textContent).toMatch(
      /adaptation did not help on the held-out half; kept the source model\. The numbers below are the source model's/,
    )
    const stops = [...host.querySelectorAll('[data-testid="collapse-stop"]')].map((e) => e.textContent)
    expect(stops).toEqual([STOP.message])
  })

  it('lists a stop without the kept-source notice when an adapted snapshot still won', () => {
    const host = show({ adaptationGuard: { keptSource: false, notice: null, stops: [STOP] } })
    expect(host.querySelector('[data-testid="kept-source-notice"]')).toBeNull()
    expect(host.querySelectorAll('[data-testid="collapse-stop"]')).toHaveLength(1)
  })

  it('shows nothing for an adapted run that gained, or a run without a guard', () => {
    expect(
      show({ adaptationGuard: { keptSource: false, notice: null, stops: [] } }).querySelector(
        '[data-testid="adaptation-notice"]',
      ),
    ).toBeNull()
    app!.unmount()
    app = null
    expect(show({ method: 'noda' }).querySelector('[data-testid="adaptation-notice"]')).toBeNull()
  })
})
