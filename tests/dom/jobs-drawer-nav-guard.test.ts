/**
 * The jobs drawer belongs to the user (job events never open it; a job started from this tab does; its
 * open state and dock side survive a reload), and a screen with unsaved work is asked before any way out of it: nav.go,
 * back/forward (the address is put back) and `leave` (closing the project).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, defineComponent, nextTick } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { useUnsavedGuard, type UnsavedWork } from '../../src/renderer/src/nav/use-unsaved-guard'
import type { JobRecord } from '../../src/shared/api'
import { DOCK_STORAGE_KEY, PANEL_STORAGE_KEY, useJobStore } from '../../src/renderer/src/stores/jobs'
import { useNavStore } from '../../src/renderer/src/stores/nav'

function job(over: Partial<JobRecord>): JobRecord {
  return {
    id: 3,
    kind: 'run',
    title: 'No-DA run',
    status: 'running',
    progress: { done: 1, total: 10, rate: null, etaSeconds: null, message: '' },
    problems: [],
    problemCount: 0,
    error: null,
    result: null,
    createdAt: '2024-01-01T00:00:00Z',
    startedAt: '2024-01-01T00:00:00Z',
    finishedAt: null,
    ...over,
  }
}

let pinia: ReturnType<typeof createPinia>
beforeEach(() => {
  localStorage.clear()
  location.hash = '#/album/1/annotate/5'
  pinia = createPinia()
  setActivePinia(pinia)
})
afterEach(() => {
  localStorage.clear()
})

describe('jobs drawer', () => {
  it('stays closed through job events and after ✕ while a job runs', async () => {
    const jobs = useJobStore()
    expect(jobs.panelOpen).toBe(false)
    jobs.upsert(job({}))
    expect(jobs.panelOpen).toBe(false)
    jobs.startedHere()
    expect(jobs.panelOpen).toBe(true)
    jobs.panelOpen = false // ✕
    for (let i = 2; i <= 10; i++)
      jobs.upsert(job({ progress: { done: i, total: 10, rate: 1, etaSeconds: 10 - i, message: '' } }))
    jobs.upsert(job({ status: 'failed', error: 'out of memory' }))
    expect(jobs.panelOpen).toBe(false)
    await nextTick()
    expect(localStorage.getItem(PANEL_STORAGE_KEY)).toBe('false')
  })

  it('remembers open and closed across a reload', async () => {
    useJobStore().panelOpen = true
    await nextTick()
    setActivePinia(createPinia())
    expect(useJobStore().panelOpen).toBe(true)
    useJobStore().panelOpen = false
    await nextTick()
    setActivePinia(createPinia())
    expect(useJobStore().panelOpen).toBe(false)
  })

  it('docks on the right by default and remembers the side the user chose, apart from open/closed', async () => {
    expect(useJobStore().panelDock).toBe('right')
    useJobStore().panelDock = 'bottom'
    await nextTick()
    expect(localStorage.getItem(DOCK_STORAGE_KEY)).toBe('bottom')
    setActivePinia(createPinia())
    const jobs = useJobStore()
    expect(jobs.panelDock).toBe('bottom')
    expect(jobs.panelOpen).toBe(false)
    // A job started here opens the drawer where it is docked; ✕ closes it and the side stays.
    jobs.startedHere()
    jobs.panelOpen = false
    expect(jobs.panelDock).toBe('bottom')
    // A value this build does not know (written by another version) falls back to the default side.
    localStorage.setItem(DOCK_STORAGE_KEY, 'left')
    setActivePinia(createPinia())
    expect(useJobStore().panelDock).toBe('right')
  })
})

describe('leave guards', () => {
  it('keeps the user on the screen when the guard says no, and goes once it proceeds', () => {
    const nav = useNavStore()
    let dirty = true
    let later: (() => void) | null = null
    const remove = nav.addLeaveGuard((proceed) => {
      if (!dirty) return true
      later = proceed
      return false
    })
    expect(nav.go({ name: 'results' })).toBe(false)
    expect(nav.route.name).toBe('annotate')
    // The same route again is not leaving.
    expect(nav.go({ name: 'annotate', target: { kind: 'album', id: 1 }, imageId: 5 }, true)).toBe(true)
    // The guard saved: it lets the user go on.
    dirty = false
    later!()
    expect(nav.route.name).toBe('results')
    expect(location.hash).toBe('#/results')
    remove()
  })

  it('puts the address back when back/forward is refused', () => {
    const nav = useNavStore()
    const remove = nav.addLeaveGuard(() => false)
    location.hash = '#/album/1/runs'
    nav.syncFromLocation()
    expect(nav.route.name).toBe('annotate')
    expect(location.hash).toBe('#/album/1/annotate/5')
    remove()
    location.hash = '#/album/1/runs'
    nav.syncFromLocation()
    expect(nav.route.name).toBe('runs')
  })

  it('asks before an action that leaves without a route (closing the project)', () => {
    const nav = useNavStore()
    let closed = 0
    const remove = nav.addLeaveGuard(() => false)
    expect(nav.leave(() => closed++)).toBe(false)
    expect(closed).toBe(0)
    remove()
    expect(nav.leave(() => closed++)).toBe(true)
    expect(closed).toBe(1)
  })
})

/** Mounts a component holding `work` behind the unsaved-edits guard; returns its unmount. */
function mountEditor(work: UnsavedWork, answers: boolean[], questions: string[]): () => void {
  const app = createApp(
    defineComponent({
      setup() {
        useUnsavedGuard(work, (q) => {
          questions.push(q)
          return answers.shift() ?? false
        })
        return () => null
      },
    }),
  )
  app.use(pinia)
  app.mount(document.createElement('div'))
  return () => app.unmount()
}

const flush = () => new Promise((r) => setTimeout(r, 0))

describe('unsaved edits guard', () => {
  it('asks; Cancel stays, OK saves and then leaves', async () => {
    const nav = useNavStore()
    let dirty = true
    let saves = 0
    const questions: string[] = []
    const answers = [false, true]
    const unmount = mountEditor(
      { dirty: () => dirty, name: () => 'IMG_1001.jpg', save: async () => (saves++, (dirty = false), true) },
      answers,
      questions,
    )
    expect(nav.go({ name: 'library', target: { kind: 'album', id: 1 } })).toBe(false)
    expect(questions[0]).toContain('"IMG_1001.jpg" has unsaved edits')
    expect(saves).toBe(0)
    expect(nav.route.name).toBe('annotate')
    expect(nav.go({ name: 'library', target: { kind: 'album', id: 1 } })).toBe(false)
    await flush()
    expect(saves).toBe(1)
    expect(nav.route.name).toBe('library')
    unmount()
  })

  it('does not ask when nothing is unsaved, nor after the component is gone', () => {
    const nav = useNavStore()
    const questions: string[] = []
    const unmount = mountEditor(
      { dirty: () => false, name: () => 'x', save: async () => true },
      [],
      questions,
    )
    expect(nav.go({ name: 'results' })).toBe(true)
    unmount()
    const unmount2 = mountEditor(
      { dirty: () => true, name: () => 'x', save: async () => true },
      [],
      questions,
    )
    unmount2()
    expect(nav.go({ name: 'start' })).toBe(true)
    expect(questions).toEqual([])
  })

  it('a failed save asks again: leaving anyway drops the edits, else the user stays', async () => {
    const nav = useNavStore()
    const questions: string[] = []
    const answers = [true, false, true, true]
    const unmount = mountEditor(
      { dirty: () => true, name: () => 'IMG_1002.jpg', save: async () => false },
      answers,
      questions,
    )
    nav.go({ name: 'results' })
    await flush()
    expect(questions[1]).toContain('could not be saved')
    expect(nav.route.name).toBe('annotate')
    nav.go({ name: 'results' })
    await flush()
    expect(questions).toHaveLength(4)
    expect(nav.route.name).toBe('results')
    unmount()
  })
})
