import { describe, expect, it } from 'vitest'
import { etaSeconds, RateWindow } from '../../../src/main/jobs/progress-rate'

describe('RateWindow', () => {
  it('is unknown until the history spans enough time', () => {
    const w = new RateWindow(10_000, 500)
    expect(w.rate()).toBeNull()
    w.add(0, 0)
    w.add(100, 50)
    expect(w.rate()).toBeNull()
    w.add(1000, 20)
    expect(w.rate()).toBeNull() // went backwards: a new phase, history restarted
    w.add(2000, 30)
    expect(w.rate()).toBe(10)
  })

  it('follows the recent speed, not the average since the start', () => {
    const w = new RateWindow(10_000)
    // 1 item/s for 60 s, then 10 items/s for 20 s
    for (let t = 0; t <= 60; t++) w.add(t * 1000, t)
    for (let t = 61; t <= 80; t++) w.add(t * 1000, 60 + (t - 60) * 10)
    expect(w.rate()).toBeCloseTo(10, 6)
  })
})

describe('etaSeconds', () => {
  it('divides what is left by the rate', () => {
    expect(etaSeconds(20, 100, 10)).toBe(8)
    expect(etaSeconds(100, 100, 10)).toBe(0)
  })
  it('is unknown without a rate, a total, or progress', () => {
    expect(etaSeconds(1, 100, null)).toBeNull()
    expect(etaSeconds(1, 0, 5)).toBeNull()
    expect(etaSeconds(1, 100, 0)).toBeNull()
  })
})
