/**
 * Messages that do not pile up: an identical toast counts up instead of stacking a copy, notices fade
 * after a few seconds (errors stay until dismissed), and notices raised on one screen go when the user
 * moves to another one (errors and global notices stay). Fake timers stand in for the clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { FADE_MS, MAX_TOASTS, useToastStore } from '../../src/renderer/src/stores/toasts'

beforeEach(() => {
  vi.useFakeTimers()
  setActivePinia(createPinia())
})
afterEach(() => {
  vi.useRealTimers()
})

const summary = () => useToastStore().toasts.map((t) => `${t.kind}:${t.title}×${t.count}`)

describe('toast deduplication', () => {
  it('counts an identical toast up instead of stacking a copy', () => {
    const toasts = useToastStore()
    for (let i = 0; i < 4; i++) toasts.push('error', 'The mask was not saved', 'stale version')
    expect(summary()).toEqual(['error:The mask was not saved×4'])
  })

  it('keeps toasts apart when kind, title, message or issues differ', () => {
    const toasts = useToastStore()
    toasts.push('error', 'Cannot save', 'a')
    toasts.push('error', 'Cannot save', 'b')
    toasts.push('warning', 'Cannot save', 'a')
    toasts.push('error', 'Cannot load', 'a')
    toasts.push('error', 'Cannot save', 'a', { issues: [{ path: 'size', message: 'too big' }] })
    expect(toasts.toasts).toHaveLength(5)
    expect(toasts.toasts.every((t) => t.count === 1)).toBe(true)
  })

  it('moves a repeated toast to the newest place', () => {
    const toasts = useToastStore()
    toasts.push('info', 'A')
    toasts.push('info', 'B')
    const id = toasts.push('info', 'A')
    expect(summary()).toEqual(['info:B×1', 'info:A×2'])
    expect(toasts.toasts.at(-1)!.id).toBe(id)
  })
})

describe('toast auto-dismiss', () => {
  it('fades info, success and warning after their time; errors stay', () => {
    const toasts = useToastStore()
    toasts.push('info', 'Copied')
    toasts.push('success', 'Saved')
    toasts.push('warning', 'Imported with problems')
    toasts.push('error', 'Could not start the run')
    const fadeInfo = FADE_MS.info!
    const fadeWarning = FADE_MS.warning!
    expect(fadeInfo).toBeLessThanOrEqual(10_000)
    expect(fadeWarning).toBeLessThanOrEqual(10_000)
    vi.advanceTimersByTime(fadeInfo - 1)
    expect(toasts.toasts).toHaveLength(4)
    vi.advanceTimersByTime(1)
    expect(summary()).toEqual(['warning:Imported with problems×1', 'error:Could not start the run×1'])
    vi.advanceTimersByTime(fadeWarning - fadeInfo)
    expect(summary()).toEqual(['error:Could not start the run×1'])
    vi.advanceTimersByTime(10 * 60_000)
    expect(summary()).toEqual(['error:Could not start the run×1'])
    toasts.dismiss(toasts.toasts[0]!.id)
    expect(toasts.toasts).toHaveLength(0)
  })

  it('restarts the fade when the same notice is raised again', () => {
    const toasts = useToastStore()
    const fade = FADE_MS.success!
    toasts.push('success', 'Copied as CSV')
    vi.advanceTimersByTime(fade - 100)
    toasts.push('success', 'Copied as CSV')
    vi.advanceTimersByTime(200)
    expect(summary()).toEqual(['success:Copied as CSV×2'])
    vi.advanceTimersByTime(fade - 200)
    expect(toasts.toasts).toHaveLength(0)
  })

  it('does not fade while the pointer is over it, and fades a full period after it leaves', () => {
    const toasts = useToastStore()
    const fade = FADE_MS.info!
    const id = toasts.push('info', 'Read me')
    vi.advanceTimersByTime(fade - 10)
    toasts.hold(id)
    vi.advanceTimersByTime(fade * 3)
    expect(toasts.toasts).toHaveLength(1)
    toasts.release(id)
    vi.advanceTimersByTime(fade - 1)
    expect(toasts.toasts).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(toasts.toasts).toHaveLength(0)
  })

  it('keeps at most MAX_TOASTS, dropping the oldest notices before any error', () => {
    const toasts = useToastStore()
    toasts.push('error', 'E0')
    for (let i = 0; i < MAX_TOASTS; i++) toasts.push('info', `N${i}`)
    expect(toasts.toasts).toHaveLength(MAX_TOASTS)
    expect(toasts.toasts[0]!.title).toBe('E0')
    expect(toasts.toasts.map((t) => t.title)).not.toContain('N0')
  })
})

describe('toasts and screens', () => {
  it('drops notices of the screen the user left; errors and global notices follow', () => {
    const toasts = useToastStore()
    toasts.setScreen('runs:album:1')
    toasts.push('success', 'Copied as Markdown')
    toasts.push('error', 'Could not cancel the run')
    toasts.push('success', 'No-DA run', 'done', { global: true })
    toasts.setScreen('runs:album:1') // the same screen again (e.g. a re-render): nothing goes
    expect(toasts.toasts).toHaveLength(3)
    toasts.setScreen('compare:album:1')
    expect(summary()).toEqual(['error:Could not cancel the run×1', 'success:No-DA run×1'])
    toasts.push('info', 'Figure exported')
    toasts.setScreen('results')
    expect(toasts.toasts.map((t) => t.title)).toEqual(['Could not cancel the run', 'No-DA run'])
  })
})
