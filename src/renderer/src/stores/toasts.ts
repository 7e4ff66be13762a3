/**
 * Messages for the user: API errors (stay until dismissed) and short notices (fade out after a few
 * seconds). An identical message does not stack a copy: the shown one counts up ("×4") and starts its
 * fade again. A message belongs to the screen it was raised on and goes when the user leaves that screen,
 * unless it is an error (the user must see those) or was raised as `global` (background jobs).
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { StudioError } from '../api-client'
import { toStudioError } from '../api/studio-error'

export type ToastKind = 'error' | 'warning' | 'success' | 'info'

export interface Toast {
  id: number
  kind: ToastKind
  title: string
  message: string
  /** Per-field problems of a BAD_ARGUMENTS error. */
  issues: { path: string; message: string }[]
  code: string | null
  /** How many times this same message was raised (shown as "×N" from 2). */
  count: number
  /** The screen it was raised on (see nav/screen-key.ts); null = not tied to a screen. */
  screen: string | null
}

export interface ToastOptions {
  issues?: Toast['issues']
  code?: string | null
  /** Not tied to the screen: stays when the user navigates (job outcomes, connection notices). */
  global?: boolean
}

/** How long a notice stays; errors stay until dismissed. */
export const FADE_MS: Record<ToastKind, number | null> = {
  error: null,
  warning: 8000,
  success: 4000,
  info: 4000,
}

/** The most toasts shown at once: the oldest notices go first, errors last. */
export const MAX_TOASTS = 6

/** Two toasts say the same thing when kind, title, message and issues match. */
function sameMessage(
  t: Toast,
  kind: ToastKind,
  title: string,
  message: string,
  issues: Toast['issues'],
): boolean {
  return (
    t.kind === kind &&
    t.title === title &&
    t.message === message &&
    t.issues.length === issues.length &&
    t.issues.every((i, n) => i.path === issues[n]!.path && i.message === issues[n]!.message)
  )
}

export const useToastStore = defineStore('toasts', () => {
  const toasts = ref<Toast[]>([])
  let nextId = 1
  let screen: string | null = null
  const timers = new Map<number, ReturnType<typeof setTimeout>>()

  function stopTimer(id: number): void {
    const t = timers.get(id)
    if (t !== undefined) clearTimeout(t)
    timers.delete(id)
  }

  function startTimer(id: number, kind: ToastKind): void {
    stopTimer(id)
    const fade = FADE_MS[kind]
    if (fade !== null)
      timers.set(
        id,
        setTimeout(() => dismiss(id), fade),
      )
  }

  function push(kind: ToastKind, title: string, message = '', opts: ToastOptions = {}): number {
    const issues = opts.issues ?? []
    const same = toasts.value.find((t) => sameMessage(t, kind, title, message, issues))
    if (same) {
      // Move it to the newest place so the user sees it was raised again, and restart its fade.
      same.count += 1
      if (!opts.global && same.screen !== null) same.screen = screen
      toasts.value = [...toasts.value.filter((t) => t.id !== same.id), same]
      startTimer(same.id, kind)
      return same.id
    }
    const id = nextId++
    toasts.value.push({
      id,
      kind,
      title,
      message,
      issues,
      code: opts.code ?? null,
      count: 1,
      screen: opts.global ? null : screen,
    })
    trim()
    startTimer(id, kind)
    return id
  }

  /** Keeps at most MAX_TOASTS: drops the oldest notices first, then the oldest errors. */
  function trim(): void {
    while (toasts.value.length > MAX_TOASTS) {
      const victim = toasts.value.find((t) => t.kind !== 'error') ?? toasts.value[0]!
      dismiss(victim.id)
    }
  }

  function dismiss(id: number): void {
    stopTimer(id)
    toasts.value = toasts.value.filter((t) => t.id !== id)
  }

  /** The pointer is over a toast: it does not fade while being read. */
  function hold(id: number): void {
    stopTimer(id)
  }

  /** The pointer left: the fade starts again from its full length. */
  function release(id: number): void {
    const t = toasts.value.find((x) => x.id === id)
    if (t) startTimer(id, t.kind)
  }

  /** The user is now on `key`: notices raised on other screens go (errors and global ones stay). */
  function setScreen(key: string): void {
    screen = key
    for (const t of [...toasts.value])
      if (t.kind !== 'error' && t.screen !== null && t.screen !== key) dismiss(t.id)
  }

  /** Shows an API failure: "<title>" + the server's message and issues. */
  function error(err: unknown, title: string): StudioError {
    const e = toStudioError(err)
    push('error', title, e.message, { issues: e.issues, code: e.code })
    return e
  }

  return { toasts, push, dismiss, hold, release, setScreen, error }
})
